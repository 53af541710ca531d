package dev.deltaprop.backend;

/**
 * A data set kept in host memory: the default for backends that have no device memory.
 * Batches are gathered into reused arrays (sized for the largest batch seen).
 */
final class HostDataset implements Dataset {
    private final float[] x;
    private final float[] d;
    private final int samples;
    private final int inputs;
    private final int outputs;
    private int[] order;
    private boolean closed;
    private float[] batchX = new float[0];
    private float[] batchD = new float[0];

    HostDataset(float[] x, float[] d, int samples, int inputs, int outputs) {
        Checks.batch(x, d, samples, inputs, outputs);
        this.x = x.clone();
        this.d = d.clone();
        this.samples = samples;
        this.inputs = inputs;
        this.outputs = outputs;
        this.order = Checks.identity(samples);
    }

    /**
     * {@code data} as a host data set, for the backend called {@code backend}.
     *
     * @throws IllegalArgumentException when it is another backend's (a device's) data set
     */
    static HostDataset of(Dataset data, String backend) {
        if (!(data instanceof HostDataset)) {
            throw new IllegalArgumentException("data: expected a data set uploaded to this backend ("
                    + backend + "), found " + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        return (HostDataset) data;
    }

    @Override
    public int samples() {
        return samples;
    }

    @Override
    public void order(int[] order) {
        open();
        this.order = Checks.permutation(order, samples).clone();
    }

    float[] gatherInputs(int offset, int batch) {
        open();
        Checks.range(offset, batch, samples);
        if (batchX.length != batch * inputs) {
            batchX = new float[batch * inputs];
        }
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, order[offset + b] * inputs, batchX, b * inputs, inputs);
        }
        return batchX;
    }

    float[] gatherTeachers(int offset, int batch) {
        open();
        Checks.range(offset, batch, samples);
        if (batchD.length != batch * outputs) {
            batchD = new float[batch * outputs];
        }
        for (int b = 0; b < batch; b++) {
            System.arraycopy(d, order[offset + b] * outputs, batchD, b * outputs, outputs);
        }
        return batchD;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("data: the data set is closed");
        }
    }

    @Override
    public void close() {
        closed = true; // host memory: the garbage collector frees it; a closed data set is refused as on a device
    }
}

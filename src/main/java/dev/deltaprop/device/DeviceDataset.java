package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;

/**
 * A data set in device memory: inputs ({@code samples × n_0}), teachers ({@code samples × n_L})
 * and the sample order (a permutation, as ints), each uploaded once; {@link #order} uploads a
 * new permutation, which the gather kernel follows. Closing frees the three buffers.
 */
final class DeviceDataset implements Dataset {
    /** Says at {@code INFO} when a data set is too large to stay on the device (see {@link #fits}). */
    private static final System.Logger LOG = System.getLogger("dev.deltaprop.device");

    private final DeviceBackend owner;
    private final Driver driver;
    private final int samples;
    private final int inputWidth;
    private final int outputWidth;
    private Memory inputs;
    private Memory teachers;
    private Memory order;

    /**
     * Whether {@code samples} samples of {@code inputs} inputs and {@code outputs} teachers, with
     * their order, take at most {@code share} of {@code driver}'s global memory; when not,
     * backend {@code name} says so at {@code INFO} (the data set then stays on the host).
     */
    static boolean fits(String name, Driver driver, double share, int samples, int inputs, int outputs) {
        long bytes = ((long) samples * (inputs + outputs + 1)) * Float.BYTES;
        if (bytes > share * driver.globalMemoryBytes()) {
            LOG.log(System.Logger.Level.INFO, () -> name + ": the data set (" + String.format(java.util.Locale.ROOT, "%,d", bytes)
                    + " bytes) is larger than " + Math.round(share * 100) + "% of the device's "
                    + driver.globalMemoryBytes() / (1024 * 1024) + " MiB: it stays on the host, and each batch is uploaded at its step");
            return false;
        }
        return true;
    }

    DeviceDataset(DeviceBackend owner, Driver driver, float[] x, float[] d, int samples, int inputWidth, int outputWidth) {
        this.owner = owner;
        this.driver = driver;
        this.samples = samples;
        this.inputWidth = inputWidth;
        this.outputWidth = outputWidth;
        boolean done = false;
        try {
            inputs = driver.allocate((long) samples * inputWidth);
            teachers = driver.allocate((long) samples * outputWidth);
            order = driver.allocate(samples);
            driver.write(inputs, 0, x, 0, x.length);
            driver.write(teachers, 0, d, 0, d.length);
            int[] identity = Checks.identity(samples);
            driver.write(order, 0, identity, 0, samples);
            done = true;
        } finally {
            if (!done) {
                close();
            }
        }
    }

    @Override
    public int samples() {
        return samples;
    }

    @Override
    public void order(int[] order) {
        Checks.permutation(order, samples);
        requireOpen();
        driver.write(this.order, 0, order, 0, samples);
    }

    boolean ownedBy(DeviceBackend backend) {
        return owner == backend;
    }

    /** Refuses a network (loaded after the upload) whose widths this data set does not have. */
    void requireWidths(int inputs, int outputs) {
        if (inputs != inputWidth || outputs != outputWidth) {
            throw new IllegalArgumentException("data: expected samples of " + inputs + " inputs and " + outputs
                    + " outputs (the loaded network), found " + inputWidth + " and " + outputWidth);
        }
    }

    void requireOpen() {
        if (inputs == null) {
            throw new IllegalStateException("data: the data set is closed");
        }
    }

    Memory inputs() {
        return inputs;
    }

    Memory teachers() {
        return teachers;
    }

    Memory orderBuffer() {
        return order;
    }

    @Override
    public void close() {
        // the backend may have closed the driver, and with it these buffers, already
        try {
            for (Memory memory : new Memory[] {inputs, teachers, order}) {
                if (memory != null) {
                    driver.free(memory);
                }
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            // closed driver: its close() freed them
        } finally {
            inputs = null;
            teachers = null;
            order = null;
        }
    }
}

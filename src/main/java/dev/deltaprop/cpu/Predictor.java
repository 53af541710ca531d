package dev.deltaprop.cpu;

import dev.deltaprop.backend.OneThread;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.util.Objects;

/**
 * A network compiled for inference inside an application: {@code y = z^L} for one sample or a
 * small batch, on the calling thread, allocating nothing per call (the caller owns the output
 * array; the intermediate {@code z^l} live in the predictor).
 *
 * <p>Per layer, {@code u^l_j = b^l_j + Σ_i z^{l-1}_i w^l_ij} as a row-times-matrix product (Vector
 * API when the JVM has {@code jdk.incubator.vector}, see {@link CpuBackend}), then
 * {@code z^l = f(u^l)}; a softmax output is {@code z^L_j = e^{u_j − max u} / Σ_k e^{u_k − max u}}
 * over the sample's outputs. The parameters are copied at {@link #of}: later changes to a backend do
 * not reach the predictor. Not thread-safe: make one per thread (they are small); two threads inside
 * one at once get an {@link IllegalStateException}.
 *
 * <pre>{@code
 * Predictor predictor = Predictor.of(network);
 * float[] y = new float[predictor.outputs()];
 * predictor.predict(x, y);   // no allocation
 * }</pre>
 */
public final class Predictor {
    private final MicroKernel kernel;
    private final int[] widths;
    private final Activation[] activations;
    private final float[][] weights;
    private final float[][] bias;
    /** {@code z[l]}: one sample of layer {@code l+1}, for the layers below the last. */
    private final float[][] z;
    /** {@code u^L} of one sample; {@code f^L} of it goes into the caller's array. */
    private final float[] output;
    /** Two threads inside one predictor would mix their samples in {@link #z}: refused instead. */
    private final OneThread guard = new OneThread("Predictor");

    private Predictor(Network network, MicroKernel kernel) {
        this.kernel = kernel;
        int depth = network.depth();
        widths = network.widths();
        activations = new Activation[depth];
        weights = new float[depth][];
        bias = new float[depth][];
        z = new float[depth][];
        for (int l = 0; l < depth; l++) {
            Layer layer = network.layer(l);
            activations[l] = layer.activation();
            weights[l] = layer.weights();
            bias[l] = layer.bias();
            z[l] = l < depth - 1 ? new float[layer.outputs()] : null;
        }
        output = new float[network.outputs()];
    }

    /** A predictor for {@code network} with the kernel {@code deltaprop.cpu.kernel} selects (Vector API when present). */
    public static Predictor of(Network network) {
        return new Predictor(Objects.requireNonNull(network, "network"), MicroKernels.chosen());
    }

    static Predictor of(Network network, MicroKernel kernel) {
        return new Predictor(Objects.requireNonNull(network, "network"), kernel);
    }

    /** {@code n_0}. */
    public int inputs() {
        return widths[0];
    }

    /** {@code n_L}. */
    public int outputs() {
        return widths[widths.length - 1];
    }

    /** What it runs on, as {@link CpuBackend#device()} says it. */
    public String device() {
        return "pure Java, calling thread, " + kernel.description();
    }

    /**
     * One sample: {@code y = network(x)}.
     *
     * @param x {@code n_0} finite inputs
     * @param y out: {@code n_L} outputs
     */
    public void predict(float[] x, float[] y) {
        predict(x, y, 1);
    }

    /**
     * A batch: {@code y[b·n_L ..] = network(x[b·n_0 ..])} for {@code b < batch}.
     *
     * @param x {@code batch × n_0} finite inputs, batch-major
     * @param y out: {@code batch × n_L}, batch-major
     * @throws IllegalArgumentException naming the argument when a length is wrong or an input is not finite
     */
    public void predict(float[] x, float[] y, int batch) {
        boolean entered = guard.enter();
        try {
            predictInside(x, y, batch);
        } finally {
            guard.exit(entered);
        }
    }

    private void predictInside(float[] x, float[] y, int batch) {
        check(x, y, batch);
        int last = weights.length - 1;
        for (int b = 0; b < batch; b++) {
            float[] input = x;
            int inputOffset = b * widths[0];
            for (int l = 0; l <= last; l++) {
                float[] u = l == last ? output : z[l];
                kernel.rowTimesMatrix(input, inputOffset, widths[l], weights[l], bias[l], widths[l + 1], u);
                if (l == last && activations[l] == Activation.SOFTMAX) {
                    ActivationKernels.softmax(u, 0, y, b * widths[l + 1], widths[l + 1]);
                } else if (l == last) {
                    ActivationKernels.apply(activations[l], u, 0, y, b * widths[l + 1], widths[l + 1]);
                } else {
                    ActivationKernels.apply(activations[l], u, 0, u, 0, widths[l + 1]);
                }
                input = u;
                inputOffset = 0;
            }
        }
    }

    private void check(float[] x, float[] y, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected at least 1 sample, found " + batch);
        }
        long inputs = (long) batch * widths[0];
        long outputs = (long) batch * widths[widths.length - 1];
        if (x == null || x.length != inputs) {
            throw new IllegalArgumentException("x: expected " + inputs + " numbers (batch " + batch + " × "
                    + widths[0] + " inputs), found " + (x == null ? "null" : x.length));
        }
        if (y == null || y.length != outputs) {
            throw new IllegalArgumentException("y: expected an array of " + outputs + " numbers (batch " + batch
                    + " × " + widths[widths.length - 1] + " outputs), found " + (y == null ? "null" : y.length));
        }
        for (int k = 0; k < x.length; k++) {
            if (!Float.isFinite(x[k])) {
                throw new IllegalArgumentException("x[" + k / widths[0] + "][" + k % widths[0]
                        + "]: expected a finite number, found " + x[k]);
            }
        }
    }
}

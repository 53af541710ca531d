package dev.deltaprop.cpu;

import dev.deltaprop.backend.OneThread;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.util.Objects;

/**
 * A network compiled for inference inside an application: {@code y = z^L} for one sample or a
 * batch, on the calling thread, allocating nothing per call once it has seen its largest batch
 * (the caller owns the output array; the intermediate {@code z^l} live in the predictor).
 *
 * <p>Per layer, {@code u^l = z^{l-1} W^l + 1·b^lᵀ}, then {@code z^l = f(u^l)}; a softmax output is
 * {@code z^L_j = e^{u_j − max u} / Σ_k e^{u_k − max u}} over each sample's outputs. One sample is a
 * row times each matrix ({@link MicroKernel#rowTimesMatrix}, Vector API when the JVM has
 * {@code jdk.incubator.vector}): nothing to pack, the weights read once. A batch of two or more goes
 * through the blocked, packed GEMM of training's forward pass ({@link Gemm}), bias and {@code f}
 * fused into its epilogue, so the weights are streamed once per call rather than once per sample,
 * from a copy packed once at the first batch (the weights never change);
 * its outputs are bitwise those of the {@code cpu} backend's {@code predict} with the same
 * micro-kernel. The one-sample path sums {@code b_j + Σ_i z_i w_ij} in another order and agrees
 * with both to float rounding (relative error about 1e-7, tested at 1e-5).
 *
 * <p>The parameters are copied at {@link #of}: later changes to a backend do not reach the
 * predictor. Not thread-safe: make one per thread (small until its first batch, which adds the
 * GEMM's packing buffers, about 1 MiB, and the packed weights, about as big as the weights); two threads inside one at once get an
 * {@link IllegalStateException}.
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
    /** The batched path's GEMM, made at the first batch (its packing buffers are most of a predictor's memory). */
    private Gemm gemm;
    /**
     * {@code W^l} packed for {@link Gemm#multiplyPacked} at the first batch: the weights never change
     * (copied at {@link #of}), so a call packs only its input rather than every weight matrix too.
     */
    private float[][] packedWeights;
    /** {@code batchZ[l]}: {@code z^{l+1}} of the batch, {@code capacity} samples, for the layers below the last. */
    private final float[][] batchZ;
    private int capacity;
    private final LayerEpilogue epilogue = new LayerEpilogue();

    private Predictor(Network network, MicroKernel kernel) {
        this.kernel = kernel;
        int depth = network.depth();
        widths = network.widths();
        activations = new Activation[depth];
        weights = new float[depth][];
        bias = new float[depth][];
        z = new float[depth][];
        batchZ = new float[depth][];
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
        if (batch == 1) {
            predictSample(x, y);
        } else {
            predictBatch(x, y, batch);
        }
    }

    /** One sample, row times matrix per layer. */
    private void predictSample(float[] x, float[] y) {
        int last = weights.length - 1;
        float[] input = x;
        for (int l = 0; l <= last; l++) {
            float[] u = l == last ? output : z[l];
            kernel.rowTimesMatrix(input, 0, widths[l], weights[l], bias[l], widths[l + 1], u);
            if (l == last && activations[l] == Activation.SOFTMAX) {
                ActivationKernels.softmax(u, 0, y, 0, widths[l + 1]);
            } else if (l == last) {
                ActivationKernels.apply(activations[l], u, 0, y, 0, widths[l + 1]);
            } else {
                ActivationKernels.apply(activations[l], u, 0, u, 0, widths[l + 1]);
            }
            input = u;
        }
    }

    /**
     * The batch through one GEMM per layer, {@code [batch × n_{l-1}]·[n_{l-1} × n_l]}, each
     * finished tile given its bias and {@code f} in place; the last layer writes straight into
     * {@code y}, and a softmax row is finished in the
     * tile when the tile holds it whole, else after the layer's GEMM.
     */
    private void predictBatch(float[] x, float[] y, int batch) {
        ensureCapacity(batch);
        int last = weights.length - 1;
        float[] input = x;
        for (int l = 0; l <= last; l++) {
            int nIn = widths[l];
            int nOut = widths[l + 1];
            float[] out = l == last ? y : batchZ[l];
            LayerEpilogue e = epilogue;
            e.bias = bias[l]; e.f = activations[l]; e.out = out; e.nOut = nOut;
            gemm.newProduct(); // the input is this call's: panels packed by an earlier call are stale
            gemm.multiplyPacked(input, 0, nIn, 1, packedWeights[l], 0, batch, 0, nOut, nIn, e);
            if (e.f == Activation.SOFTMAX && nOut > kernel.nr()) {
                for (int b = 0; b < batch; b++) {
                    ActivationKernels.softmax(out, b * nOut, out, b * nOut, nOut);
                }
            }
            input = out;
        }
    }

    /** Grows the batch buffers (and makes the GEMM) for {@code batch} samples: the only allocation, once per larger batch. */
    private void ensureCapacity(int batch) {
        if (gemm == null) {
            gemm = new Gemm(kernel);
            packedWeights = new float[weights.length][];
            for (int l = 0; l < weights.length; l++) {
                packedWeights[l] = gemm.packWhole(weights[l], widths[l], widths[l + 1]);
            }
        }
        if (batch <= capacity) {
            return;
        }
        for (int l = 0; l < weights.length - 1; l++) {
            dev.deltaprop.model.Sizes.elements("batch × n_" + (l + 1), batch, widths[l + 1]);
        }
        for (int l = 0; l < weights.length - 1; l++) {
            batchZ[l] = new float[batch * widths[l + 1]];
        }
        capacity = batch;
    }

    /** {@code out = f(tile + b)} in place of the tile's outputs; under softmax the whole row when the tile holds it. */
    private final class LayerEpilogue implements Epilogue {
        float[] bias, out;
        int nOut;
        Activation f;

        @Override
        public void apply(float[] tile, int stride, int row, int column, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                int at = (row + r) * nOut + column;
                int t = r * stride;
                for (int j = 0; j < cols; j++) {
                    out[at + j] = tile[t + j] + bias[column + j];
                }
                if (f != Activation.SOFTMAX) {
                    ActivationKernels.apply(f, out, at, out, at, cols);
                } else if (cols == nOut) {
                    ActivationKernels.softmax(out, at, out, at, nOut);
                }
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

package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;

/**
 * The four passes of a training step, each one parallel phase over {@link Workers}, with the
 * same arguments and meaning as the equations of {@code dev.deltaprop.reference.Reference} but in
 * float: {@link #forward} (NN GEMM, bias and {@code f} fused), {@link #deltaOutput} (per sample,
 * with the loss, and the softmax of a softmax output), {@link #deltaHidden} (NT GEMM, {@code ⊙ f'}
 * fused), {@link #update} (TN GEMM, the optimizer step fused, bias step in the same phase).
 *
 * <p>Work is split over outputs only — GEMM chunks of columns or rows, claimed by whichever
 * thread is free; elementwise work by samples — and every output is reduced in one fixed order, so
 * the results are bitwise the same for any thread count and any schedule. The pass objects are allocated once; a call sets their fields and runs
 * them, allocating nothing.
 */
final class Passes implements AutoCloseable {
    private final Workers workers;
    private final Gemm[] gemms;
    private final ForwardPass forward = new ForwardPass();
    private final DeltaOutputPass deltaOutput = new DeltaOutputPass();
    private final DeltaHiddenPass deltaHidden = new DeltaHiddenPass();
    private final UpdatePass update = new UpdatePass();
    private final SoftmaxPass softmax = new SoftmaxPass();
    /** The rule {@link #update(float[], float[], float[], float[], float[], int, int, int, float)} steps with: plain sgd. */
    private final OptimizerStep plainSgd = new OptimizerStep();
    private static final dev.deltaprop.model.Optimizer SGD = dev.deltaprop.model.Optimizer.sgd();
    private double[] rowLoss = new double[0];
    /**
     * Chunks per thread in a GEMM phase: enough that a descheduled thread's share can be taken
     * over, few enough that each chunk still packs a {@code B} block worth reusing.
     */
    private static final int CHUNKS_PER_THREAD = 4;
    /** The next unclaimed chunk of the running GEMM phase. */
    private final java.util.concurrent.atomic.AtomicInteger claimed = new java.util.concurrent.atomic.AtomicInteger();

    Passes(int threads, MicroKernel kernel) {
        this.gemms = new Gemm[threads];
        for (int t = 0; t < threads; t++) {
            gemms[t] = new Gemm(kernel);
        }
        // last: if the buffers above cannot be allocated, no thread has been started yet
        this.workers = new Workers(threads);
    }

    int threads() {
        return workers.parts();
    }

    MicroKernel kernel() {
        return gemms[0].kernel();
    }

    /**
     * {@code U = Z^{l-1} W + 1·bᵀ}, {@code Z = f(U)}: {@code [batch × nIn]·[nIn × nOut]}. Under a
     * softmax (output) layer only {@code U} is written: a sample's softmax needs its whole row,
     * which a tile does not hold, so {@link #deltaOutput} (training) or {@link #softmax}
     * (prediction) computes {@code Z} from it.
     *
     * @param zPrev {@code batch × nIn}; {@code w} {@code nIn × nOut}; {@code u}, {@code z} out, {@code batch × nOut}
     */
    void forward(float[] w, float[] bias, int nIn, int nOut, Activation f, float[] zPrev, int batch,
                 float[] u, float[] z) {
        ForwardPass pass = forward;
        pass.w = w; pass.bias = bias; pass.nIn = nIn; pass.nOut = nOut; pass.f = f;
        pass.zPrev = zPrev; pass.batch = batch; pass.u = u; pass.z = z;
        runGemm(pass);
    }

    /** Squared error: {@link #deltaOutput(Loss, float[], float[], float[], Activation, int, int, float[])} with {@link Loss#SQUARED_ERROR}. */
    double deltaOutput(float[] y, float[] d, float[] u, Activation f, int batch, int n, float[] delta) {
        return deltaOutput(Loss.SQUARED_ERROR, y, d, u, f, batch, n, delta);
    }

    /**
     * The output δ and the summed loss of DESIGN §1b, per sample in double, then summed over
     * samples in order: squared error, {@code Δ = (Y − D) ⊙ f'(U)}, {@code Σ_b ½ Σ_j (y_bj − d_bj)²};
     * cross entropy, {@code Δ = Y − D} with {@code E} from {@code U} in the stable form
     * ({@code Σ_j d_j (m + log Σ_k e^{u_k − m} − u_j)} under softmax, {@code Σ_j softplus(u_j) − d_j u_j}
     * under sigmoid). Under softmax {@code y} is written here first, {@code softmax(u)} per sample
     * ({@link #forward} left it to this phase).
     */
    double deltaOutput(Loss loss, float[] y, float[] d, float[] u, Activation f, int batch, int n, float[] delta) {
        if (rowLoss.length < batch) {
            rowLoss = new double[batch]; // grows with the largest batch, then never again
        }
        DeltaOutputPass pass = deltaOutput;
        pass.y = y; pass.d = d; pass.u = u; pass.f = f; pass.batch = batch; pass.n = n; pass.delta = delta;
        pass.rowLoss = rowLoss; pass.loss = loss;
        workers.run(pass);
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            sum += rowLoss[b];
        }
        return sum;
    }

    /**
     * {@code Δ^l = (Δ^{l+1} W^{l+1}ᵀ) ⊙ f'(U^l)}: {@code [batch × nNext]·[nNext × n]}, from
     * {@code wNext} ({@code n × nNext}) as it was before this step's update; {@code f'} from
     * {@code u} and {@code z} ({@link ActivationKernels#multiplyDerivative}).
     */
    void deltaHidden(float[] wNext, int n, int nNext, float[] deltaNext, float[] u, float[] z, Activation f,
                     int batch, float[] delta) {
        DeltaHiddenPass pass = deltaHidden;
        pass.wNext = wNext; pass.n = n; pass.nNext = nNext; pass.deltaNext = deltaNext;
        pass.u = u; pass.z = z; pass.f = f; pass.batch = batch; pass.delta = delta;
        runGemm(pass);
    }

    /**
     * {@code Z = softmax(U)} per sample ({@code batch × n}), the maximum subtracted: the forward
     * pass's last step for a softmax output when no δ phase follows (prediction).
     */
    void softmax(float[] u, float[] z, int batch, int n) {
        SoftmaxPass pass = softmax;
        pass.u = u; pass.z = z; pass.batch = batch; pass.n = n;
        workers.run(pass);
    }

    /** Plain sgd: {@code W ← W − (η/B) Z^{l-1}ᵀ Δ^l}, {@code b ← b − (η/B) Σ_b Δ^l_b}; see the general form below. */
    void update(float[] w, float[] bias, float[] gradient, float[] zPrev, float[] delta, int batch, int nIn,
                int nOut, float learningRate) {
        plainSgd.set(SGD, 1, learningRate, batch);
        update(w, bias, gradient, zPrev, delta, batch, nIn, nOut, plainSgd, null, null, null, null);
    }

    /**
     * The gradient sums {@code Z^{l-1}ᵀ Δ^l} ({@code [nIn × batch]·[batch × nOut]}) and
     * {@code Σ_b Δ^l_b}, each finished tile stepped by {@code rule} at once (the gradient
     * {@code g = sum / B} never leaves the tile): {@code W}, {@code b} and their state slots
     * ({@code null} where the rule has fewer; laid out like {@code W} and {@code b}) are updated in
     * place. {@code gradient} is no longer read or written: {@link Gemm} keeps the partial sums
     * between {@code K} slices in its own per-thread buffer (the callers' scratch is left to remove).
     */
    void update(float[] w, float[] bias, float[] gradient, float[] zPrev, float[] delta, int batch, int nIn,
                int nOut, OptimizerStep rule, float[] weightFirst, float[] weightSecond, float[] biasFirst,
                float[] biasSecond) {
        UpdatePass pass = update;
        pass.w = w; pass.bias = bias; pass.zPrev = zPrev; pass.delta = delta;
        pass.batch = batch; pass.nIn = nIn; pass.nOut = nOut; pass.rule = rule;
        pass.weightFirst = weightFirst; pass.weightSecond = weightSecond;
        pass.biasFirst = biasFirst; pass.biasSecond = biasSecond;
        pass.sums = null;
        runGemm(pass);
    }

    /**
     * The gradient sums alone, nothing stepped (data-parallel training sums them across replicas
     * first): {@code sums[at + i·nOut + j] = Σ_b z^{l-1}_bi δ^l_bj}, then
     * {@code sums[at + nIn·nOut + j] = Σ_b δ^l_bj} (summed in double, then rounded).
     */
    void gradient(float[] gradient, float[] zPrev, float[] delta, int batch, int nIn, int nOut, float[] sums, int at) {
        UpdatePass pass = update;
        pass.w = null; pass.bias = null; pass.zPrev = zPrev; pass.delta = delta;
        pass.batch = batch; pass.nIn = nIn; pass.nOut = nOut; pass.rule = null;
        pass.weightFirst = null; pass.weightSecond = null; pass.biasFirst = null; pass.biasSecond = null;
        pass.sums = sums; pass.sumsAt = at;
        runGemm(pass);
    }

    /** The first of {@code total} items that part {@code part} of {@code parts} owns, in whole units. */
    static int boundary(int total, int unit, int part, int parts) {
        int units = (total + unit - 1) / unit;
        return Math.min(total, (int) ((long) units * part / parts) * unit);
    }

    /**
     * Takes this thread's share of an {@code m × n} GEMM: the output is cut into chunks of whole
     * column panels, or of whole row panels where the columns are too few to share, and the threads
     * claim chunks until none is left. A thread that the OS deschedules (this machine is shared)
     * then delays only its current chunk, not a fixed half of the phase. Which thread computes a
     * chunk never changes a result: every output is summed in the same order by the same kernel.
     */
    private void gemmPart(int part, int parts, float[] a, int aOffset, int aRowStride, int aColStride,
                          float[] b, int bOffset, int bRowStride, int bColStride, int m, int n, int k,
                          Epilogue epilogue) {
        Gemm gemm = gemms[part];
        gemm.newProduct(); // A is this phase's: panels packed in an earlier phase are stale
        int mr = gemm.kernel().mr();
        int nr = gemm.kernel().nr();
        int panelsN = (n + nr - 1) / nr;
        int panelsM = (m + mr - 1) / mr;
        boolean byColumns = panelsN >= parts || panelsN >= panelsM;
        int panels = byColumns ? panelsN : panelsM;
        int chunks = Math.min(panels, CHUNKS_PER_THREAD * parts);
        for (int chunk = claimed.getAndIncrement(); chunk < chunks; chunk = claimed.getAndIncrement()) {
            if (byColumns) {
                gemm.multiply(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                        0, m, boundary(n, nr, chunk, chunks), boundary(n, nr, chunk + 1, chunks), k, epilogue);
            } else {
                gemm.multiply(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                        boundary(m, mr, chunk, chunks), boundary(m, mr, chunk + 1, chunks), 0, n, k, epilogue);
            }
        }
    }

    /** Runs {@code pass} after resetting the chunk counter (published to the workers by {@link Workers#run}). */
    private void runGemm(Workers.Task pass) {
        claimed.set(0);
        workers.run(pass);
    }

    private final class ForwardPass implements Workers.Task, Epilogue {
        float[] w, bias, zPrev, u, z;
        int nIn, nOut, batch;
        Activation f;

        @Override
        public void run(int part, int parts) {
            gemmPart(part, parts, zPrev, 0, nIn, 1, w, 0, nOut, 1, batch, nOut, nIn, this);
        }

        @Override
        public void apply(float[] tile, int stride, int row, int column, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                int out = (row + r) * nOut + column;
                int t = r * stride;
                for (int j = 0; j < cols; j++) {
                    u[out + j] = tile[t + j] + bias[column + j];
                }
                if (f != Activation.SOFTMAX) {
                    ActivationKernels.apply(f, u, out, z, out, cols);
                }
            }
        }
    }

    private static final class SoftmaxPass implements Workers.Task {
        float[] u, z;
        int batch, n;

        @Override
        public void run(int part, int parts) {
            for (int b = boundary(batch, 1, part, parts), end = boundary(batch, 1, part + 1, parts); b < end; b++) {
                ActivationKernels.softmax(u, b * n, z, b * n, n);
            }
        }
    }

    private static final class DeltaOutputPass implements Workers.Task {
        float[] y, d, u, delta;
        double[] rowLoss;
        int batch, n;
        Activation f;
        Loss loss;

        @Override
        public void run(int part, int parts) {
            for (int b = boundary(batch, 1, part, parts), end = boundary(batch, 1, part + 1, parts); b < end; b++) {
                int row = b * n;
                if (loss == Loss.SQUARED_ERROR) {
                    rowLoss[b] = squaredError(row);
                } else if (f == Activation.SOFTMAX) {
                    rowLoss[b] = softmaxCrossEntropy(row);
                } else {
                    rowLoss[b] = sigmoidCrossEntropy(row);
                }
            }
        }

        /** {@code δ = (y − d) ⊙ f'(u)}; returns {@code ½ Σ_j (y_j − d_j)²}. */
        private double squaredError(int row) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float error = y[row + j] - d[row + j];
                sum += 0.5 * error * error;
                delta[row + j] = error;
            }
            ActivationKernels.multiplyDerivative(f, delta, row, u, y, row, delta, row, n);
            return sum;
        }

        /** {@code y = softmax(u)}, {@code δ = y − d}; returns {@code Σ_j d_j (log Σ_k e^{u_k} − u_j)}, every exponent ≤ 0. */
        private double softmaxCrossEntropy(int row) {
            double logPartition = ActivationKernels.softmax(u, row, y, row, n);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float dj = d[row + j];
                delta[row + j] = y[row + j] - dj;
                sum += dj * (logPartition - u[row + j]);
            }
            return sum;
        }

        /** {@code δ = y − d}; returns {@code Σ_j softplus(u_j) − d_j u_j}. */
        private double sigmoidCrossEntropy(int row) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                double uj = u[row + j];
                float dj = d[row + j];
                delta[row + j] = y[row + j] - dj;
                sum += Math.max(uj, 0.0) + Math.log1p(Math.exp(-Math.abs(uj))) - dj * uj;
            }
            return sum;
        }
    }

    private final class DeltaHiddenPass implements Workers.Task, Epilogue {
        float[] wNext, deltaNext, u, z, delta;
        int n, nNext, batch;
        Activation f;

        @Override
        public void run(int part, int parts) {
            // B(p = k, j) = w^{l+1}_jk = wNext[j·nNext + k]: the transposed read is absorbed by packing
            gemmPart(part, parts, deltaNext, 0, nNext, 1, wNext, 0, 1, nNext, batch, n, nNext, this);
        }

        @Override
        public void apply(float[] tile, int stride, int row, int column, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                int out = (row + r) * n + column;
                ActivationKernels.multiplyDerivative(f, tile, r * stride, u, z, out, delta, out, cols);
            }
        }
    }

    private final class UpdatePass implements Workers.Task, Epilogue {
        float[] w, bias, zPrev, delta;
        float[] weightFirst, weightSecond, biasFirst, biasSecond;
        int batch, nIn, nOut;
        OptimizerStep rule;
        /** When set, the sums are stored here from {@link #sumsAt} (weights, then bias) and nothing is stepped. */
        float[] sums;
        int sumsAt;

        @Override
        public void run(int part, int parts) {
            // A(r = i, p = b) = z^{l-1}_bi = zPrev[b·nIn + i]: Zᵀ by strides
            gemmPart(part, parts, zPrev, 0, 1, nIn, delta, 0, nOut, 1, nIn, nOut, batch, this);
            for (int j = boundary(nOut, 1, part, parts), end = boundary(nOut, 1, part + 1, parts); j < end; j++) {
                // in double: a column of δ often nearly cancels, and a float sum of it would lose
                // the bias step's leading digits (B adds per unit, cheap next to the GEMM)
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    sum += delta[b * nOut + j];
                }
                if (sums != null) {
                    sums[sumsAt + nIn * nOut + j] = (float) sum;
                } else {
                    rule.bias(bias, biasFirst, biasSecond, j, sum);
                }
            }
        }

        @Override
        public void apply(float[] tile, int stride, int row, int column, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                if (sums != null) {
                    System.arraycopy(tile, r * stride, sums, sumsAt + (row + r) * nOut + column, cols);
                } else {
                    rule.weights(w, weightFirst, weightSecond, (row + r) * nOut + column, tile, r * stride, cols);
                }
            }
        }
    }

    @Override
    public void close() {
        workers.close();
    }
}

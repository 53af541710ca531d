package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The passes of a training step as parallel phases over {@link Workers}, with the same arguments
 * and meaning as the equations of {@code dev.deltaprop.reference.Reference} but in float:
 * {@link #forward} (NN GEMM, bias and {@code f} fused), {@link #forwardOutput} (the last layer with
 * the output δ, the loss and δ's column sums fused into its epilogue), {@link #deltaHidden} (NT
 * GEMM, {@code ⊙ f'} and the column sums fused), {@link #update} (TN GEMM, the optimizer step
 * fused, the bias step from the column sums in the same epilogue).
 *
 * <p>Phases: a GEMM pass either runs at once as its own phase, or is staged
 * ({@link #stageDeltaHidden}, {@link #stageUpdate}, {@link #stageGradient}) and run with the
 * others staged beside it as one phase ({@link #runStaged}): the backend puts independent GEMMs
 * together, such as the update of {@code W^{l+2}} beside {@code Δ^l}, so that a step has fewer
 * barriers than passes. Staged jobs must not write what another of the phase reads.
 *
 * <p>Work is split over outputs only — GEMM chunks of column or row panels ({@link GemmJob}),
 * elementwise work in panels of samples — claimed by whichever thread is free, and every output is
 * reduced in one fixed order, so the results are bitwise the same for any thread count and any
 * schedule. The pass objects are allocated once; a call sets their fields and runs them,
 * allocating nothing once its buffers have grown to the batch.
 */
final class Passes implements AutoCloseable {
    private final Workers workers;
    private final Gemm[] gemms;
    private final MicroKernel kernel;
    private final GemmPhase gemmPhase = new GemmPhase();
    private final PassEpilogues.Forward forward = new PassEpilogues.Forward();
    private final DeltaOutputPass deltaOutput = new DeltaOutputPass();
    private final PassEpilogues.DeltaHidden deltaHidden = new PassEpilogues.DeltaHidden();
    /** Two, for the phase that updates {@code W^2} and {@code W^1} together. */
    private final PassEpilogues.Update[] updates = {new PassEpilogues.Update(), new PassEpilogues.Update()};
    private int stagedUpdates;
    private final SoftmaxPass softmax = new SoftmaxPass();
    /** The rule {@link #update(float[], float[], float[], float[], int, int, int, float)} steps with: plain sgd. */
    private final OptimizerStep plainSgd = new OptimizerStep();
    private static final Optimizer SGD = Optimizer.sgd();
    /** Per-sample (or per sample and column panel, when fused) loss, summed in order after the phase. */
    private double[] partialLoss = new double[0];
    /** The next unclaimed chunk of the running phase. */
    private final AtomicInteger claimed = new AtomicInteger();

    Passes(int threads, MicroKernel kernel) {
        this.gemms = new Gemm[threads];
        for (int t = 0; t < threads; t++) {
            gemms[t] = new Gemm(kernel);
        }
        this.kernel = kernel;
        // last: if the buffers above cannot be allocated, no thread has been started yet
        this.workers = new Workers(threads);
    }

    int threads() {
        return workers.parts();
    }

    MicroKernel kernel() {
        return gemms[0].kernel();
    }

    /** Records every following phase in {@code clock} (measurement only); {@code null} stops. */
    void clock(PhaseClock clock) {
        workers.clock(clock);
    }

    /**
     * {@code U = Z^{l-1} W + 1·bᵀ}, {@code Z = f(U)}: {@code [batch × nIn]·[nIn × nOut]}. Under a
     * softmax (output) layer only {@code U} is written: a sample's softmax needs its whole row,
     * which a tile need not hold, so {@link #forwardOutput} (training) or {@link #softmax}
     * (prediction) computes {@code Z} from it.
     *
     * @param zPrev {@code batch × nIn}; {@code w} {@code nIn × nOut}; {@code u}, {@code z} out, {@code batch × nOut}
     */
    void forward(float[] w, float[] bias, int nIn, int nOut, Activation f, float[] zPrev, int batch,
                 float[] u, float[] z) {
        PassEpilogues.Forward pass = setForward(w, bias, nIn, nOut, f, zPrev, batch, u, z);
        pass.loss = null;
        runGemm(pass.job);
    }

    /**
     * The last layer and the output δ in one phase: {@link #forward}, then in the same epilogue,
     * on each finished tile, {@code Δ = ∂E/∂U} and the loss of {@link #deltaOutput}, and {@code Δ}'s
     * column sums into {@code sums}. A softmax row wider than one tile ({@code nOut > NR}) cannot be
     * finished in a tile: there the δ follows as its own phase. Each sample's loss is summed in
     * double over its column panels in order, then the samples in order.
     *
     * @return {@code Σ_b E_b}
     */
    double forwardOutput(Loss loss, float[] w, float[] bias, int nIn, int nOut, Activation f, float[] zPrev,
                         int batch, float[] u, float[] z, float[] d, float[] delta, ColumnSums sums) {
        int panels = (nOut + kernel.nr() - 1) / kernel.nr();
        if (f == Activation.SOFTMAX && panels > 1) {
            forward(w, bias, nIn, nOut, f, zPrev, batch, u, z);
            return deltaOutput(loss, z, d, u, f, batch, nOut, delta, sums);
        }
        PassEpilogues.Forward pass = setForward(w, bias, nIn, nOut, f, zPrev, batch, u, z);
        pass.loss = loss; pass.d = d; pass.delta = delta; pass.sums = sums; pass.panels = panels;
        pass.partialLoss = partialLoss(batch * panels);
        sums.prepare(batch, nOut, kernel.mr(), pass.job.byColumns());
        runGemm(pass.job);
        double sum = 0;
        for (int k = 0, count = batch * panels; k < count; k++) {
            sum += partialLoss[k];
        }
        return sum;
    }

    private PassEpilogues.Forward setForward(float[] w, float[] bias, int nIn, int nOut, Activation f, float[] zPrev, int batch,
                                   float[] u, float[] z) {
        PassEpilogues.Forward pass = forward;
        pass.bias = bias; pass.nOut = nOut; pass.f = f; pass.u = u; pass.z = z;
        pass.job.set("forward", zPrev, 0, nIn, 1, w, 0, nOut, 1, batch, nOut, nIn, pass, kernel, threads());
        return pass;
    }

    private double[] partialLoss(int count) {
        if (partialLoss.length < count) {
            partialLoss = new double[count]; // grows with the largest batch, then never again
        }
        return partialLoss;
    }

    /** Squared error: {@link #deltaOutput(Loss, float[], float[], float[], Activation, int, int, float[], ColumnSums)} with {@link Loss#SQUARED_ERROR}. */
    double deltaOutput(float[] y, float[] d, float[] u, Activation f, int batch, int n, float[] delta) {
        return deltaOutput(Loss.SQUARED_ERROR, y, d, u, f, batch, n, delta, null);
    }

    /** {@link #deltaOutput(Loss, float[], float[], float[], Activation, int, int, float[], ColumnSums)} without column sums. */
    double deltaOutput(Loss loss, float[] y, float[] d, float[] u, Activation f, int batch, int n, float[] delta) {
        return deltaOutput(loss, y, d, u, f, batch, n, delta, null);
    }

    /**
     * The output δ and the summed loss of DESIGN §1b as its own phase ({@link OutputDelta}), per
     * sample in double, then summed over samples in order: squared error
     * {@code Δ = (Y − D) ⊙ f'(U)}; cross entropy {@code Δ = Y − D} with {@code E} from {@code U} in the
     * stable form. Under softmax {@code y} is written here first, {@code softmax(u)} per sample.
     * {@code sums}, unless {@code null}, gets {@code Δ}'s column sums.
     */
    double deltaOutput(Loss loss, float[] y, float[] d, float[] u, Activation f, int batch, int n, float[] delta,
                       ColumnSums sums) {
        DeltaOutputPass pass = deltaOutput;
        pass.y = y; pass.d = d; pass.u = u; pass.f = f; pass.batch = batch; pass.n = n; pass.delta = delta;
        pass.rowLoss = partialLoss(batch); pass.loss = loss; pass.sums = sums; pass.mr = kernel.mr();
        if (sums != null) {
            sums.prepare(batch, n, kernel.mr(), false);
        }
        claimed.set(0);
        workers.run(pass);
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            sum += partialLoss[b];
        }
        return sum;
    }

    /**
     * {@code Δ^l = (Δ^{l+1} W^{l+1}ᵀ) ⊙ f'(U^l)}: {@code [batch × nNext]·[nNext × n]}, from
     * {@code wNext} ({@code n × nNext}) as it was before this step's update; {@code f'} from
     * {@code u} and {@code z} ({@link ActivationKernels#multiplyDerivative}). One phase.
     */
    void deltaHidden(float[] wNext, int n, int nNext, float[] deltaNext, float[] u, float[] z, Activation f,
                     int batch, float[] delta) {
        stageDeltaHidden(wNext, n, nNext, deltaNext, u, z, f, batch, delta, null);
        runStaged();
    }

    /** {@link #deltaHidden}, staged for {@link #runStaged}, with {@code Δ^l}'s column sums into {@code sums} unless {@code null}. */
    void stageDeltaHidden(float[] wNext, int n, int nNext, float[] deltaNext, float[] u, float[] z, Activation f,
                          int batch, float[] delta, ColumnSums sums) {
        PassEpilogues.DeltaHidden pass = deltaHidden;
        pass.u = u; pass.z = z; pass.f = f; pass.delta = delta; pass.n = n; pass.sums = sums;
        // B(p = k, j) = w^{l+1}_jk = wNext[j·nNext + k]: the transposed read is absorbed by packing
        pass.job.set("delta_hidden", deltaNext, 0, nNext, 1, wNext, 0, 1, nNext, batch, n, nNext, pass,
                kernel, threads());
        if (sums != null) {
            sums.prepare(batch, n, kernel.mr(), pass.job.byColumns());
        }
        gemmPhase.stage(pass.job);
    }

    /**
     * {@code Z = softmax(U)} per sample ({@code batch × n}), the maximum subtracted: the forward
     * pass's last step for a softmax output when no δ phase follows (prediction).
     */
    void softmax(float[] u, float[] z, int batch, int n) {
        SoftmaxPass pass = softmax;
        pass.u = u; pass.z = z; pass.batch = batch; pass.n = n;
        claimed.set(0);
        workers.run(pass);
    }

    /** Plain sgd: {@code W ← W − (η/B) Z^{l-1}ᵀ Δ^l}, {@code b ← b − (η/B) Σ_b Δ^l_b}; see the general form below. */
    void update(float[] w, float[] bias, float[] zPrev, float[] delta, int batch, int nIn, int nOut,
                float learningRate) {
        plainSgd.set(SGD, 1, learningRate, batch);
        update(w, bias, zPrev, delta, batch, nIn, nOut, plainSgd, null, null, null, null);
    }

    /** {@link #stageUpdate} with the column sums taken from {@code delta} itself, run as one phase. */
    void update(float[] w, float[] bias, float[] zPrev, float[] delta, int batch, int nIn, int nOut,
                OptimizerStep rule, float[] weightFirst, float[] weightSecond, float[] biasFirst, float[] biasSecond) {
        stageUpdate(w, bias, zPrev, delta, batch, nIn, nOut, rule, weightFirst, weightSecond, biasFirst, biasSecond,
                null);
        runStaged();
    }

    /**
     * Staged for {@link #runStaged}: the gradient sums {@code Z^{l-1}ᵀ Δ^l}
     * ({@code [nIn × batch]·[batch × nOut]}) and {@code Σ_b Δ^l_b}, each finished tile stepped by
     * {@code rule} at once (the gradient {@code g = sum / B} never leaves the tile): {@code W},
     * {@code b} and their state slots ({@code null} where the rule has fewer; laid out like
     * {@code W} and {@code b}) are updated in place, the bias with the tiles of {@code W}'s first
     * rows. {@code columnSums} is {@code Σ_b Δ^l_b} as the δ pass left it, or {@code null}: then
     * summed from {@code delta} (same definition, {@link ColumnSums#of}). No gradient-sized scratch:
     * {@link Gemm} keeps the partial sums between {@code K} slices in its own per-thread buffer.
     */
    void stageUpdate(float[] w, float[] bias, float[] zPrev, float[] delta, int batch, int nIn, int nOut,
                     OptimizerStep rule, float[] weightFirst, float[] weightSecond, float[] biasFirst,
                     float[] biasSecond, ColumnSums columnSums) {
        PassEpilogues.Update pass = nextUpdate();
        pass.w = w; pass.bias = bias; pass.rule = rule;
        pass.weightFirst = weightFirst; pass.weightSecond = weightSecond;
        pass.biasFirst = biasFirst; pass.biasSecond = biasSecond;
        pass.sums = null;
        stage(pass, zPrev, delta, batch, nIn, nOut, columnSums);
    }

    /**
     * Staged for {@link #runStaged}: the gradient sums alone, nothing stepped (data-parallel
     * training sums them across replicas first): {@code sums[at + i·nOut + j] = Σ_b z^{l-1}_bi δ^l_bj},
     * then {@code sums[at + nIn·nOut + j] = Σ_b δ^l_bj} (summed in double, then rounded), the bias
     * sums from {@code columnSums} unless {@code null}.
     */
    void stageGradient(float[] zPrev, float[] delta, int batch, int nIn, int nOut, float[] sums, int at,
                       ColumnSums columnSums) {
        PassEpilogues.Update pass = nextUpdate();
        pass.w = null; pass.bias = null; pass.rule = null;
        pass.weightFirst = null; pass.weightSecond = null; pass.biasFirst = null; pass.biasSecond = null;
        pass.sums = sums; pass.sumsAt = at;
        stage(pass, zPrev, delta, batch, nIn, nOut, columnSums);
    }

    private PassEpilogues.Update nextUpdate() {
        if (stagedUpdates == updates.length) {
            throw new IllegalStateException("cpu: at most " + updates.length + " updates in one phase");
        }
        return updates[stagedUpdates++];
    }

    private void stage(PassEpilogues.Update pass, float[] zPrev, float[] delta, int batch, int nIn, int nOut,
                       ColumnSums columnSums) {
        pass.delta = delta; pass.batch = batch; pass.nOut = nOut; pass.columnSums = columnSums; pass.mr = kernel.mr();
        // A(r = i, p = b) = z^{l-1}_bi = zPrev[b·nIn + i]: Zᵀ by strides
        pass.job.set("update", zPrev, 0, 1, nIn, delta, 0, nOut, 1, nIn, nOut, batch, pass, kernel,
                threads());
        gemmPhase.stage(pass.job);
    }

    /** Runs the staged GEMMs as one phase, their chunks claimed from one counter. */
    void runStaged() {
        stagedUpdates = 0;
        claimed.set(0);
        try {
            workers.run(gemmPhase);
        } finally {
            gemmPhase.jobs = 0;
        }
    }

    private void runGemm(GemmJob job) {
        if (gemmPhase.jobs != 0) {
            throw new IllegalStateException("cpu: a pass ran while others were staged");
        }
        gemmPhase.stage(job);
        runStaged();
    }

    /** The first of {@code total} items that part {@code part} of {@code parts} owns, in whole units. */
    static int boundary(int total, int unit, int part, int parts) {
        int units = (total + unit - 1) / unit;
        return Math.min(total, (int) ((long) units * part / parts) * unit);
    }

    /** The staged GEMMs of one phase: chunk {@code c} is the first job's while {@code c} is below its count, then the second's. */
    private final class GemmPhase implements Workers.Task {
        final GemmJob[] staged = new GemmJob[2];
        int jobs;

        void stage(GemmJob job) {
            if (jobs == staged.length) {
                throw new IllegalStateException("cpu: at most " + staged.length + " GEMMs in one phase");
            }
            staged[jobs++] = job;
        }

        @Override
        public String label() {
            return jobs == 1 ? staged[0].label : staged[0].label + "+" + staged[1].label; // measurement only
        }

        @Override
        public void run(int part, int parts) {
            Gemm gemm = gemms[part];
            gemm.newProduct(); // the operands are this phase's: panels packed in an earlier phase are stale
            GemmJob first = staged[0];
            int firstChunks = first.chunks();
            int total = firstChunks + (jobs > 1 ? staged[1].chunks() : 0);
            for (int chunk = claimed.getAndIncrement(); chunk < total; chunk = claimed.getAndIncrement()) {
                if (chunk < firstChunks) {
                    first.run(gemm, chunk);
                } else {
                    staged[1].run(gemm, chunk - firstChunks);
                }
            }
        }
    }

    private final class SoftmaxPass implements Workers.Task {
        float[] u, z;
        int batch, n;

        @Override
        public String label() {
            return "softmax";
        }

        @Override
        public void run(int part, int parts) {
            int chunks = Math.min(batch, GemmJob.CHUNKS_PER_THREAD * parts);
            for (int chunk = claimed.getAndIncrement(); chunk < chunks; chunk = claimed.getAndIncrement()) {
                for (int b = boundary(batch, 1, chunk, chunks), end = boundary(batch, 1, chunk + 1, chunks); b < end; b++) {
                    ActivationKernels.softmax(u, b * n, z, b * n, n);
                }
            }
        }
    }

    /** Claimed in panels of {@code MR} samples, so that each panel's column sums are whole. */
    private final class DeltaOutputPass implements Workers.Task {
        float[] y, d, u, delta;
        double[] rowLoss;
        int batch, n, mr;
        Activation f;
        Loss loss;
        ColumnSums sums;

        @Override
        public String label() {
            return "delta_output";
        }

        @Override
        public void run(int part, int parts) {
            int panels = (batch + mr - 1) / mr;
            for (int panel = claimed.getAndIncrement(); panel < panels; panel = claimed.getAndIncrement()) {
                int first = panel * mr;
                int end = Math.min(batch, first + mr);
                for (int b = first; b < end; b++) {
                    int row = b * n;
                    rowLoss[b] = loss == Loss.CROSS_ENTROPY && f == Activation.SOFTMAX
                            ? OutputDelta.softmaxCrossEntropy(u, y, d, delta, row, n)
                            : OutputDelta.run(loss, f, y, d, u, delta, row, n);
                }
                if (sums != null) {
                    sums.add(delta, first, 0, end - first, n);
                }
            }
        }
    }

    @Override
    public void close() {
        workers.close();
    }
}

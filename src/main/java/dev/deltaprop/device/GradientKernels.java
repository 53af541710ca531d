package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;

/**
 * The launches of data-parallel training ({@link dev.deltaprop.backend.GradientExchange}): a
 * layer's gradient sums without a step, and the optimizer step from sums that the host may have
 * replaced. Both are {@link Kernels}' update path ({@code kernels/update.h}, {@code split_k.h}):
 * the same GEMM, planned the same way, with a store for an epilogue, and the same
 * {@code update_reduce} a split update steps in, so one device's step and a one-shard
 * exchange's agree bit for bit. And, where the replicas' devices are peers, the replicas' sums
 * added on one device ({@code gradient_total}, {@code split_k.h}). Nothing here checks values.
 */
final class GradientKernels {
    private final Driver driver;
    private final Kernels kernels;
    private final StepTimer timer;
    private final Driver.Kernel total;

    GradientKernels(Driver driver, Kernels kernels, StepTimer timer) {
        this.driver = driver;
        this.kernels = kernels;
        this.timer = timer;
        this.total = driver.kernel(kernels.program(), "gradient_total");
    }

    /** {@code out} ({@code (nIn + 1) × nOut}) ← {@code Z_prevᵀ Δ}, then {@code Σ_b Δ_b}: {@link Kernels#gradientSums}. */
    void sums(Memory zPrev, Memory delta, Memory out, int batch, int nIn, int nOut) {
        kernels.gradientSums(zPrev, delta, out, batch, nIn, nOut);
    }

    /** Every weight and bias of a layer steps by {@code step}'s rule with {@code g = sums / totalBatch}. One launch. */
    void apply(Memory w, Memory bias, Memory sumsIn, Memory[] wState, Memory[] biasState, int nIn, int nOut,
               int totalBatch, OptimizerStep step) {
        kernels.applyStep(w, bias, sumsIn, wState, biasState, nIn, nOut, totalBatch, step);
    }

    /** The step scalars every stepping kernel reads ({@link Kernels#stepScalars}). */
    StepScalars stepScalars() {
        return kernels.stepScalars();
    }

    /** {@code total[k] = ((total[k] + parts[0·count + k]) + parts[1·count + k]) + …} for {@code k < count}. One launch. */
    void total(Memory total, Memory parts, int count, int partCount) {
        int reduce = kernels.tiles().reduce();
        kernels.launch(this.total, new int[] {(count + reduce - 1) / reduce}, new int[] {reduce}, total, parts, count,
                partCount);
    }

    /** {@link #total}'s launch as a plan, enqueued by each {@link LaunchPlan#run} (nothing enqueued now). */
    LaunchPlan totalPlan(Memory total, Memory parts, int count, int partCount) {
        return LaunchPlan.record(driver, kernels, timer, () -> total(total, parts, count, partCount));
    }
}

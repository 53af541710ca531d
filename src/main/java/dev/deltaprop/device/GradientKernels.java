package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;

/**
 * The launches of {@code kernels/gradient.h}, for data-parallel training
 * ({@link dev.deltaprop.backend.GradientExchange}): a layer's gradient sums without a step, and
 * the optimizer step from sums that the host may have replaced. Looked up in the program
 * {@link Kernels} built; nothing here checks values.
 */
final class GradientKernels {
    private final Driver driver;
    private final TileProfile tiles;
    private final Driver.Kernel sums;
    private final Driver.Kernel apply;
    private final Driver.Kernel total;

    GradientKernels(Driver driver, Kernels kernels) {
        this.driver = driver;
        this.tiles = kernels.tiles();
        this.sums = driver.kernel(kernels.program(), "gradient_sums");
        this.apply = driver.kernel(kernels.program(), "optimizer_apply");
        this.total = driver.kernel(kernels.program(), "gradient_total");
    }

    /**
     * {@code out} ({@code (nIn + 1) × nOut}) ← {@code Z_prevᵀ Δ} in its first {@code nIn} rows and
     * {@code Σ_b Δ_b} in its last: the update GEMM's grid and tiles. One launch.
     */
    void sums(Memory zPrev, Memory delta, Memory out, int batch, int nIn, int nOut) {
        driver.launch(sums, new int[] {ceilDiv(nOut, tiles.tn()), ceilDiv(nIn, tiles.tm())},
                new int[] {tiles.groupColumns(), tiles.groupRows()}, zPrev, delta, out, batch, nIn, nOut);
    }

    /** Every weight and bias of a layer steps by {@code step}'s rule with {@code g = sums / totalBatch}. One launch. */
    void apply(Memory w, Memory bias, Memory sumsIn, Memory[] wState, Memory[] biasState, int nIn, int nOut,
               int totalBatch, OptimizerStep step) {
        long count = (long) (nIn + 1) * nOut;
        driver.launch(apply, new int[] {(int) ((count + tiles.reduce() - 1) / tiles.reduce())}, new int[] {tiles.reduce()},
                w, bias, sumsIn, wState[0], wState[1], biasState[0], biasState[1], nIn, nOut, 1.0f / totalBatch,
                step.rule, step.learningRate, step.momentum, step.beta1, step.beta2, step.epsilon, step.weightDecay,
                step.stepSize, step.rootCorrection);
    }

    /** {@code total[k] += parts[0·count + k] + parts[1·count + k] + …} for {@code k < count}, in part order. One launch. */
    void total(Memory total, Memory parts, int count, int partCount) {
        driver.launch(this.total, new int[] {ceilDiv(count, tiles.reduce())}, new int[] {tiles.reduce()}, total, parts, count,
                partCount);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}

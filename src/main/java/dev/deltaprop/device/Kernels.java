package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Sizes;

/**
 * The kernel families of {@code kernels/}, built once for one driver, and one method per launch
 * that sets its grid from the sizes. This is the whole host side of a kernel: the engine calls
 * these in a fixed order; the device tests call them one by one against the reference.
 * Nothing here checks values: callers check sizes and numbers before any launch.
 */
final class Kernels {
    /** The most partial sums delta_output_elementwise writes: bounds its grid and the loss buffer. */
    static final int MAX_PARTIALS = 256;

    private final Driver driver;
    private final TileProfile tiles;
    private final Driver.Kernel forward;
    private final Driver.Kernel deltaOutput;
    private final Driver.Kernel deltaOutputLoss;
    private final Driver.Kernel deltaHidden;
    private final Driver.Kernel update;
    private final Driver.Kernel gather;

    Kernels(Driver driver) {
        this.driver = driver;
        this.tiles = TileProfile.forDevice(driver.deviceType(), driver.maxGroupSize());
        Driver.Program program = driver.build(KernelSource.load(driver.language()), tiles.defines());
        forward = driver.kernel(program, "forward_gemm");
        deltaOutput = driver.kernel(program, "delta_output_elementwise");
        deltaOutputLoss = driver.kernel(program, "delta_output_loss");
        deltaHidden = driver.kernel(program, "delta_hidden_gemm");
        update = driver.kernel(program, "update_gemm");
        gather = driver.kernel(program, "gather_rows");
    }

    TileProfile tiles() {
        return tiles;
    }

    /** {@code U = Z_prev·W + b}, {@code Z = f(U)}; {@code zPrev} is batch × nIn, {@code w} nIn × nOut. One launch. */
    void forward(Memory zPrev, Memory w, Memory bias, Memory u, Memory z, int batch, int nIn, int nOut, Activation f) {
        driver.launch(forward, gemmGroups(batch, nOut), gemmGroupSize(), zPrev, w, bias, u, z, batch, nIn, nOut, f.code());
    }

    /**
     * {@code Δ = (Y − D) ⊙ f'(U)} over {@code batch × n}, and {@code loss[0] = (1/B) Σ ½ (y − d)²}.
     * {@code partials} holds at least {@link #MAX_PARTIALS} floats. Two launches.
     */
    void deltaOutput(Memory y, Memory d, Memory u, Memory delta, Memory partials, Memory loss, int batch, int n,
                     Activation f) {
        int count = batch * n;
        int groups = Math.min(MAX_PARTIALS, ceilDiv(count, tiles.reduce()));
        driver.launch(deltaOutput, new int[] {groups}, new int[] {tiles.reduce()}, y, d, u, delta, partials, count, f.code());
        driver.launch(deltaOutputLoss, new int[] {1}, new int[] {tiles.reduce()}, partials, loss, groups, 1.0f / batch);
    }

    /** {@code Δ = (Δ_next · W_nextᵀ) ⊙ f'(U, Z)}; {@code wNext} is n × nNext. One launch. */
    void deltaHidden(Memory deltaNext, Memory wNext, Memory u, Memory z, Memory delta, int batch, int n, int nNext,
                     Activation f) {
        driver.launch(deltaHidden, gemmGroups(batch, n), gemmGroupSize(), deltaNext, wNext, u, z, delta, batch, n, nNext,
                f.code());
    }

    /** {@code W −= (η/B) Z_prevᵀ Δ}, {@code b −= (η/B) Σ_b Δ_b}. One launch. */
    void update(Memory zPrev, Memory delta, Memory w, Memory bias, int batch, int nIn, int nOut, float learningRate) {
        driver.launch(update, gemmGroups(nIn, nOut), gemmGroupSize(), zPrev, delta, w, bias, batch, nIn, nOut,
                learningRate / batch);
    }

    /** {@code out[b] = data[order[offset + b]]} for {@code b < batch}, rows of {@code width}. One launch. */
    void gather(Memory data, Memory order, Memory out, int offset, int batch, int width) {
        driver.launch(gather, new int[] {ceilDiv(batch * width, tiles.reduce())}, new int[] {tiles.reduce()},
                data, order, out, offset, batch, width);
    }

    private int[] gemmGroups(int rows, int columns) {
        return new int[] {ceilDiv(columns, tiles.tn()), ceilDiv(rows, tiles.tm())};
    }

    private int[] gemmGroupSize() {
        return new int[] {tiles.groupColumns(), tiles.groupRows()};
    }

    private static int ceilDiv(int a, int b) {
        return Sizes.ceilDiv(a, b);
    }
}

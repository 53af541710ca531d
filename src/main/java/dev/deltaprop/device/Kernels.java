package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Sizes;
import java.util.LinkedHashMap;
import java.util.Map;

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
    private final Driver.Kernel forwardSoftmax;
    private final Driver.Kernel deltaOutput;
    private final Driver.Kernel deltaOutputSoftmax;
    private final Driver.Kernel deltaOutputLoss;
    private final Driver.Kernel deltaHidden;
    private final Driver.Kernel update;
    private final Driver.Kernel gather;
    /** The built program, for the kernels of {@link GradientKernels}. */
    private final Driver.Program program;

    Kernels(Driver driver) {
        this(driver, Map.of());
    }

    /**
     * As {@link #Kernels(Driver)}, with more {@code -D} macros beside the tile profile's, e.g.
     * {@code OPTIMIZER_RULE} ({@code kernels/optimizer.h}) for the timing that compares a rule
     * fixed at build time with the rule as an argument.
     */
    Kernels(Driver driver, Map<String, String> extraDefines) {
        this.driver = driver;
        this.tiles = TileProfile.forDevice(driver.deviceType(), driver.maxGroupSize());
        Map<String, String> defines = new LinkedHashMap<>(tiles.defines());
        defines.putAll(extraDefines);
        program = driver.build(KernelSource.load(driver.language()), defines);
        forward = driver.kernel(program, "forward_gemm");
        forwardSoftmax = driver.kernel(program, "forward_softmax");
        deltaOutput = driver.kernel(program, "delta_output_elementwise");
        deltaOutputSoftmax = driver.kernel(program, "delta_output_softmax");
        deltaOutputLoss = driver.kernel(program, "delta_output_loss");
        deltaHidden = driver.kernel(program, "delta_hidden_gemm");
        update = driver.kernel(program, "update_gemm");
        gather = driver.kernel(program, "gather_rows");
    }

    TileProfile tiles() {
        return tiles;
    }

    /** The program every family was built from. */
    Driver.Program program() {
        return program;
    }

    /** {@code U = Z_prev·W + b}, {@code Z = f(U)}; {@code zPrev} is batch × nIn, {@code w} nIn × nOut. One launch. */
    void forward(Memory zPrev, Memory w, Memory bias, Memory u, Memory z, int batch, int nIn, int nOut, Activation f) {
        driver.launch(forward, gemmGroups(batch, nOut), gemmGroupSize(), zPrev, w, bias, u, z, batch, nIn, nOut, f.code());
    }

    /**
     * The row pass of a softmax output layer after {@link #forward} (which left {@code Z = U}):
     * {@code Z_b = softmax(U_b)} per sample row, {@code u}, {@code z} batch × n. One launch.
     */
    void softmax(Memory u, Memory z, int batch, int n) {
        driver.launch(forwardSoftmax, new int[] {rowGroups(batch)}, new int[] {tiles.reduce()}, u, z, batch, n);
    }

    /**
     * The output δ over {@code batch × n} and {@code loss[0]}, the batch-mean loss of DESIGN §1b:
     * squared error {@code Δ = (Y − D) ⊙ f'(U)}; cross entropy {@code Δ = Y − D}, its loss from
     * {@code U} in the stable form, and with a softmax {@code f} also {@code Y = softmax(U)}
     * written to {@code y} (which forward left equal to {@code U}). {@code partials} holds at
     * least {@link #MAX_PARTIALS} floats. Two launches.
     */
    void deltaOutput(Memory y, Memory d, Memory u, Memory delta, Memory partials, Memory loss, int batch, int n,
                     Activation f, Loss e) {
        int groups;
        if (f == Activation.SOFTMAX) {
            groups = rowGroups(batch);
            driver.launch(deltaOutputSoftmax, new int[] {groups}, new int[] {tiles.reduce()}, u, d, y, delta, partials,
                    batch, n);
        } else {
            int count = batch * n;
            groups = Math.min(MAX_PARTIALS, ceilDiv(count, tiles.reduce()));
            driver.launch(deltaOutput, new int[] {groups}, new int[] {tiles.reduce()}, y, d, u, delta, partials, count,
                    f.code(), e == Loss.CROSS_ENTROPY ? 1 : 0);
        }
        driver.launch(deltaOutputLoss, new int[] {1}, new int[] {tiles.reduce()}, partials, loss, groups, 1.0f / batch);
    }

    /** {@code Δ = (Δ_next · W_nextᵀ) ⊙ f'(U, Z)}; {@code wNext} is n × nNext. One launch. */
    void deltaHidden(Memory deltaNext, Memory wNext, Memory u, Memory z, Memory delta, int batch, int n, int nNext,
                     Activation f) {
        driver.launch(deltaHidden, gemmGroups(batch, n), gemmGroupSize(), deltaNext, wNext, u, z, delta, batch, n, nNext,
                f.code());
    }

    /**
     * One optimizer step on a layer: {@code G = (1/B) Z_prevᵀ Δ}, {@code g_b = (1/B) Σ_b Δ_b}, and
     * every weight and bias takes {@code step}'s rule ({@code kernels/optimizer.h}) with its state
     * in {@code wState}/{@code biasState} (slot 0: v or m, slot 1: s; a slot the rule lacks may be
     * any buffer, it is never touched). One launch.
     */
    void update(Memory zPrev, Memory delta, Memory w, Memory bias, Memory[] wState, Memory[] biasState, int batch,
                int nIn, int nOut, OptimizerStep step) {
        driver.launch(update, gemmGroups(nIn, nOut), gemmGroupSize(), zPrev, delta, w, bias, wState[0], wState[1],
                biasState[0], biasState[1], batch, nIn, nOut, 1.0f / batch, step.rule, step.learningRate, step.momentum,
                step.beta1, step.beta2, step.epsilon, step.weightDecay, step.stepSize, step.rootCorrection);
    }

    /** {@code out[b] = data[order[offset + b]]} for {@code b < batch}, rows of {@code width}. One launch. */
    void gather(Memory data, Memory order, Memory out, int offset, int batch, int width) {
        driver.launch(gather, new int[] {ceilDiv(batch * width, tiles.reduce())}, new int[] {tiles.reduce()},
                data, order, out, offset, batch, width);
    }

    /** Groups of {@code REDUCE} work-items for a pass with one item per sample row (at most {@link #MAX_PARTIALS}). */
    private int rowGroups(int batch) {
        return Math.min(MAX_PARTIALS, ceilDiv(batch, tiles.reduce()));
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

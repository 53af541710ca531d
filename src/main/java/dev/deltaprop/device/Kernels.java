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
 * Nothing here checks values: callers check sizes and numbers before any launch. While a
 * {@link LaunchPlan.Recorder} is set ({@link #recordInto}), the launches go to it instead of the
 * device: the engine records a step's launches once and replays the plan.
 */
final class Kernels {
    /** The most partial sums delta_output_elementwise writes: bounds its grid and the loss buffer. */
    static final int MAX_PARTIALS = 256;

    private final Driver driver;
    private final TileProfile tiles;
    private final Driver.Kernel forwardSmall;
    private final Driver.Kernel forwardLarge;
    private final Driver.Kernel forwardReduce;
    private final Driver.Kernel forwardSoftmax;
    private final Driver.Kernel deltaOutput;
    private final Driver.Kernel deltaOutputSoftmax;
    private final Driver.Kernel deltaOutputLoss;
    private final Driver.Kernel deltaHiddenSmall;
    private final Driver.Kernel deltaHiddenLarge;
    private final Driver.Kernel deltaHiddenReduce;
    private final Driver.Kernel updateSmall;
    private final Driver.Kernel updateLarge;
    private final Driver.Kernel updateReduce;
    private final Driver.Kernel gradientReduce;
    private final Driver.Kernel gather;
    /** Split-K partial sums, {@code splits × M × N} floats, grown on demand; {@code null} until a split runs. */
    private Memory partialSums;
    /** Where launches go instead of the device while a plan is recorded, or {@code null}. */
    private LaunchPlan.Recorder recorder;
    /** η and the bias corrections of the step the update kernels run ({@code kernels/optimizer.h}). */
    private final StepScalars stepScalars;
    /** The built program, for the kernels of {@link FusedMlp}. */
    private final Driver.Program program;

    Kernels(Driver driver) {
        this(driver, TileProfile.forDevice(driver.deviceType(), driver.maxGroupSize()), Map.of());
    }

    /**
     * As {@link #Kernels(Driver)}, with more {@code -D} macros beside the tile profile's, e.g.
     * {@code OPTIMIZER_RULE} ({@code kernels/optimizer.h}) for the timing that compares a rule
     * fixed at build time with the rule as an argument.
     */
    Kernels(Driver driver, Map<String, String> extraDefines) {
        this(driver, TileProfile.forDevice(driver.deviceType(), driver.maxGroupSize()), extraDefines);
    }

    /** The kernels built with {@code tiles} (the device tests run every table row on every device). */
    Kernels(Driver driver, TileProfile tiles) {
        this(driver, tiles, Map.of());
    }

    private Kernels(Driver driver, TileProfile tiles, Map<String, String> extraDefines) {
        this.driver = driver;
        this.tiles = tiles;
        Map<String, String> defines = new LinkedHashMap<>(tiles.defines());
        defines.putAll(extraDefines);
        program = driver.build(KernelSource.load(driver.language()), defines);
        forwardSmall = driver.kernel(program, "forward_gemm_" + tiles.small().name());
        forwardLarge = driver.kernel(program, "forward_gemm_" + tiles.large().name());
        forwardReduce = driver.kernel(program, "forward_reduce");
        forwardSoftmax = driver.kernel(program, "forward_softmax");
        deltaOutput = driver.kernel(program, "delta_output_elementwise");
        deltaOutputSoftmax = driver.kernel(program, "delta_output_softmax");
        deltaOutputLoss = driver.kernel(program, "delta_output_loss");
        deltaHiddenSmall = driver.kernel(program, "delta_hidden_gemm_" + tiles.small().name());
        deltaHiddenLarge = driver.kernel(program, "delta_hidden_gemm_" + tiles.large().name());
        deltaHiddenReduce = driver.kernel(program, "delta_hidden_reduce");
        updateSmall = driver.kernel(program, "update_gemm_" + tiles.small().name());
        updateLarge = driver.kernel(program, "update_gemm_" + tiles.large().name());
        updateReduce = driver.kernel(program, "update_reduce");
        stepScalars = new StepScalars(driver);
        gradientReduce = driver.kernel(program, "gradient_reduce");
        gather = driver.kernel(program, "gather_rows");
    }

    TileProfile tiles() {
        return tiles;
    }

    /** The program every family was built from. */
    Driver.Program program() {
        return program;
    }

    /** Sends the launches from now on to {@code recorder} instead of the device ({@code null}: to the device again). */
    void recordInto(LaunchPlan.Recorder recorder) {
        this.recorder = recorder;
    }

    /**
     * The split-K buffer every split GEMM shares, or {@code null} before the first: a plan that
     * uses it is stale once it has been regrown (freed and allocated larger).
     */
    Memory splitPartials() {
        return partialSums;
    }

    /** The plan {@link GemmPlan#choose} gives an {@code m × n} result over {@code k} on this device. */
    GemmPlan plan(int m, int n, int k) {
        return GemmPlan.choose(tiles, driver.computeUnits(), m, n, k);
    }

    /**
     * {@code U = Z_prev·W + b}, {@code Z = f(U)}; {@code zPrev} is batch × nIn, {@code w} nIn × nOut.
     * One launch, two with split-K ({@link GemmPlan}).
     */
    void forward(Memory zPrev, Memory w, Memory bias, Memory u, Memory z, int batch, int nIn, int nOut, Activation f) {
        forward(zPrev, w, bias, u, z, batch, nIn, nOut, f, plan(batch, nOut, nIn));
    }

    /** As {@link #forward(Memory, Memory, Memory, Memory, Memory, int, int, int, Activation)} with the plan given (tests run each). */
    void forward(Memory zPrev, Memory w, Memory bias, Memory u, Memory z, int batch, int nIn, int nOut, Activation f,
                 GemmPlan plan) {
        Driver.Kernel kernel = plan.tiles().equals(tiles.large()) ? forwardLarge : forwardSmall;
        Memory partials = plan.splits() > 1 ? partials((long) plan.splits() * batch * nOut) : u;
        launch(kernel, gemmGroups(plan, batch, nOut), new int[] {plan.tiles().items(), 1, 1},
                zPrev, w, bias, u, z, partials, batch, nIn, nOut, f.code(), plan.kSplit());
        if (plan.splits() > 1) {
            launch(forwardReduce, new int[] {ceilDiv(batch * nOut, tiles.reduce())}, new int[] {tiles.reduce()},
                    partials, bias, u, z, batch, nOut, plan.splits(), f.code());
        }
    }

    /**
     * The row pass of a softmax output layer after {@link #forward} (which left {@code Z = U}):
     * {@code Z_b = softmax(U_b)} per sample row, {@code u}, {@code z} batch × n. One launch.
     */
    void softmax(Memory u, Memory z, int batch, int n) {
        launch(forwardSoftmax, new int[] {rowGroups(batch)}, new int[] {tiles.reduce()}, u, z, batch, n);
    }

    /**
     * The output δ over {@code batch × n} and {@code loss[0]}, the batch-mean loss of DESIGN §1b:
     * squared error {@code Δ = (Y − D) ⊙ f'(U)}; cross entropy {@code Δ = Y − D}, its loss from
     * {@code U} in the stable form, and with a softmax {@code f} also {@code Y = softmax(U)}
     * written to {@code y} (which forward left equal to {@code U}). {@code partials} holds at
     * least {@link #MAX_PARTIALS} floats. Two launches. The loss is not recorded (an eager step's,
     * or the kernel tests').
     */
    void deltaOutput(Memory y, Memory d, Memory u, Memory delta, Memory partials, Memory loss, int batch, int n,
                     Activation f, Loss e) {
        deltaOutput(y, d, u, delta, partials, loss, batch, n, f, e, 0);
    }

    /**
     * As {@link #deltaOutput(Memory, Memory, Memory, Memory, Memory, Memory, int, int, Activation, Loss)},
     * and with {@code recordCapacity > 0} the loss is also appended to the loss record that
     * {@code loss} holds after {@code loss[0]} ({@link LossRecord}: {@code 3 + recordCapacity} floats).
     */
    void deltaOutput(Memory y, Memory d, Memory u, Memory delta, Memory partials, Memory loss, int batch, int n,
                     Activation f, Loss e, int recordCapacity) {
        int groups;
        if (f == Activation.SOFTMAX) {
            groups = rowGroups(batch);
            launch(deltaOutputSoftmax, new int[] {groups}, new int[] {tiles.reduce()}, u, d, y, delta, partials,
                    batch, n);
        } else {
            int count = batch * n;
            groups = Math.min(MAX_PARTIALS, ceilDiv(count, tiles.reduce()));
            launch(deltaOutput, new int[] {groups}, new int[] {tiles.reduce()}, y, d, u, delta, partials, count,
                    f.code(), e == Loss.CROSS_ENTROPY ? 1 : 0);
        }
        launch(deltaOutputLoss, new int[] {1}, new int[] {tiles.reduce()}, partials, loss, groups, 1.0f / batch,
                recordCapacity);
    }

    /** {@code Δ = (Δ_next · W_nextᵀ) ⊙ f'(U, Z)}; {@code wNext} is n × nNext. One launch, two with split-K. */
    void deltaHidden(Memory deltaNext, Memory wNext, Memory u, Memory z, Memory delta, int batch, int n, int nNext,
                     Activation f) {
        deltaHidden(deltaNext, wNext, u, z, delta, batch, n, nNext, f, plan(batch, n, nNext));
    }

    /** As {@link #deltaHidden(Memory, Memory, Memory, Memory, Memory, int, int, int, Activation)} with the plan given. */
    void deltaHidden(Memory deltaNext, Memory wNext, Memory u, Memory z, Memory delta, int batch, int n, int nNext,
                     Activation f, GemmPlan plan) {
        Driver.Kernel kernel = plan.tiles().equals(tiles.large()) ? deltaHiddenLarge : deltaHiddenSmall;
        Memory partials = plan.splits() > 1 ? partials((long) plan.splits() * batch * n) : delta;
        launch(kernel, gemmGroups(plan, batch, n), new int[] {plan.tiles().items(), 1, 1},
                deltaNext, wNext, u, z, delta, partials, batch, n, nNext, f.code(), plan.kSplit());
        if (plan.splits() > 1) {
            launch(deltaHiddenReduce, new int[] {ceilDiv(batch * n, tiles.reduce())}, new int[] {tiles.reduce()},
                    partials, u, z, delta, batch, n, plan.splits(), f.code());
        }
    }

    /**
     * One optimizer step on a layer: {@code G = (1/B) Z_prevᵀ Δ}, {@code g_b = (1/B) Σ_b Δ_b}, and
     * every weight and bias takes {@code step}'s rule ({@code kernels/optimizer.h}) with its state
     * in {@code wState}/{@code biasState} (slot 0: v or m, slot 1: s; a slot the rule lacks may be
     * any buffer, it is never touched). The GEMM is {@code (nIn + 1) × nOut} over {@code K = batch}
     * (the bias is its last row, {@code kernels/update.h}, or summed in the reduce where
     * {@link GemmPlan#updateBiasRow} says), planned by {@link GemmPlan}. One launch, two with
     * split-K (the step then runs in the reduce).
     */
    void update(Memory zPrev, Memory delta, Memory w, Memory bias, Memory[] wState, Memory[] biasState, int batch,
                int nIn, int nOut, OptimizerStep step) {
        update(zPrev, delta, w, bias, wState, biasState, batch, nIn, nOut, step, updatePlan(batch, nIn, nOut));
    }

    /** As {@link #update(Memory, Memory, Memory, Memory, Memory[], Memory[], int, int, int, OptimizerStep)} with the plan given. */
    void update(Memory zPrev, Memory delta, Memory w, Memory bias, Memory[] wState, Memory[] biasState, int batch,
                int nIn, int nOut, OptimizerStep step, GemmPlan plan) {
        boolean split = plan.splits() > 1;
        boolean biasRow = plan.updateBiasRow(nIn);
        Memory partials = split ? partials((long) plan.splits() * (nIn + 1) * nOut) : w;
        launchUpdateGemm(plan, zPrev, delta, w, bias, wState, biasState, partials, batch, nIn, nOut, biasRow,
                split ? 0 : 1, step);
        if (split) {
            launchUpdateReduce(partials, w, bias, wState, biasState, delta, batch, !biasRow, nIn, nOut, plan.splits(),
                    batch, step);
        }
    }

    /** The plan of a layer's update GEMM: {@code (nIn + 1) × nOut} (weights and the bias row) over {@code K = batch}. */
    GemmPlan updatePlan(int batch, int nIn, int nOut) {
        return plan(nIn + 1, nOut, batch);
    }

    /**
     * {@code out} ({@code (nIn + 1) × nOut}) ← {@code Z_prevᵀ Δ} in its first {@code nIn} rows and
     * {@code Σ_b Δ_b} in its last, nothing stepped: the update's GEMM with a store for an epilogue
     * (data-parallel training, {@link DeviceGradients}). One launch, two with split-K.
     */
    void gradientSums(Memory zPrev, Memory delta, Memory out, int batch, int nIn, int nOut) {
        gradientSums(zPrev, delta, out, batch, nIn, nOut, updatePlan(batch, nIn, nOut));
    }

    /** As {@link #gradientSums(Memory, Memory, Memory, int, int, int)} with the plan given. */
    void gradientSums(Memory zPrev, Memory delta, Memory out, int batch, int nIn, int nOut, GemmPlan plan) {
        boolean split = plan.splits() > 1;
        boolean biasRow = plan.updateBiasRow(nIn);
        Memory partials = split ? partials((long) plan.splits() * (nIn + 1) * nOut) : out;
        Memory[] none = {out, out};
        launchUpdateGemm(plan, zPrev, delta, out, out, none, none, partials, batch, nIn, nOut, biasRow, 0, null);
        if (split) {
            launch(gradientReduce, new int[] {ceilDiv((nIn + 1) * nOut, tiles.reduce())}, new int[] {tiles.reduce()},
                    partials, out, delta, batch, biasRow ? 0 : 1, nIn + 1, nOut, plan.splits());
        }
    }

    /**
     * Every weight and bias of a layer steps by {@code step}'s rule with {@code g = sums / totalBatch},
     * {@code sums} as {@link #gradientSums} leaves them (or as the host replaced them): the reduce
     * of a split update with one split. One launch.
     */
    void applyStep(Memory w, Memory bias, Memory sums, Memory[] wState, Memory[] biasState, int nIn, int nOut,
                   int totalBatch, OptimizerStep step) {
        launchUpdateReduce(sums, w, bias, wState, biasState, sums, 0, false, nIn, nOut, 1, totalBatch, step);
    }

    /**
     * update_gemm of the plan's class; {@code stepInEpilogue} 1 applies {@code step}, 0 stores sums
     * to {@code partials}; {@code biasRow}: the bias is the GEMM's last row ({@link GemmPlan#updateBiasRow}).
     */
    private void launchUpdateGemm(GemmPlan plan, Memory zPrev, Memory delta, Memory w, Memory bias, Memory[] wState,
                                  Memory[] biasState, Memory partials, int batch, int nIn, int nOut, boolean biasRow,
                                  int stepInEpilogue, OptimizerStep step) {
        Driver.Kernel kernel = plan.tiles().equals(tiles.large()) ? updateLarge : updateSmall;
        OptimizerStep s = step == null ? OptimizerStep.NONE : step;
        Memory scalars = stepScalars.use(step);
        int rows = biasRow ? nIn + 1 : nIn;
        launch(kernel, gemmGroups(plan, rows, nOut), new int[] {plan.tiles().items(), 1, 1},
                zPrev, delta, w, bias, wState[0], wState[1], biasState[0], biasState[1], partials, batch, nIn, nOut,
                biasRow ? 1 : 0, plan.kSplit(), stepInEpilogue, 1.0f / batch, s.rule, scalars, s.momentum, s.beta1,
                s.beta2, s.epsilon, s.weightDecay);
    }

    /** update_reduce over {@code splits} partials; {@code biasFromDelta}: the bias sums its column of {@code delta} instead. */
    private void launchUpdateReduce(Memory partials, Memory w, Memory bias, Memory[] wState, Memory[] biasState,
                                    Memory delta, int deltaRows, boolean biasFromDelta, int nIn, int nOut, int splits,
                                    int batch, OptimizerStep step) {
        Memory scalars = stepScalars.use(step);
        launch(updateReduce, new int[] {ceilDiv((nIn + 1) * nOut, tiles.reduce())}, new int[] {tiles.reduce()},
                partials, w, bias, wState[0], wState[1], biasState[0], biasState[1], delta, deltaRows,
                biasFromDelta ? 1 : 0, nIn, nOut, splits, 1.0f / batch,
                step.rule, scalars, step.momentum, step.beta1, step.beta2, step.epsilon, step.weightDecay);
    }

    /** The index of {@link #gather}'s row offset among its launch's arguments (a gather plan replaces it each step). */
    static final int GATHER_OFFSET = 3;

    /** {@code out[b] = data[order[offset + b]]} for {@code b < batch}, rows of {@code width}. One launch. */
    void gather(Memory data, Memory order, Memory out, int offset, int batch, int width) {
        launch(gather, new int[] {ceilDiv(batch * width, tiles.reduce())}, new int[] {tiles.reduce()},
                data, order, out, offset, batch, width);
    }

    /**
     * The buffer of the step's {@code η} and bias corrections: the engine writes {@code step}'s
     * into it before a step's launches, outside any graph capture ({@link StepScalars}).
     */
    StepScalars stepScalars() {
        return stepScalars;
    }

    /** Enqueues a launch, or hands it to the plan being recorded; {@link FusedMlp} launches through here too. */
    void launch(Driver.Kernel kernel, int[] groups, int[] groupSize, Object... arguments) {
        if (recorder != null) {
            recorder.launch(kernel, groups, groupSize, arguments);
        } else {
            driver.launch(kernel, groups, groupSize, arguments);
        }
    }

    /**
     * The split-K buffer, holding at least {@code floats}. It is reused by every split GEMM: each
     * reads it back (in its reduce launch) before the next GEMM, later in the same queue, writes it.
     */
    private Memory partials(long floats) {
        if (partialSums == null || partialSums.elements() < floats) {
            if (partialSums != null) {
                driver.free(partialSums);
                partialSums = null;
            }
            partialSums = driver.allocate(floats);
        }
        return partialSums;
    }

    /** {@code ⌈N/TN⌉ × ⌈M/TM⌉ × splits} groups of the plan's tile class. */
    private static int[] gemmGroups(GemmPlan plan, int rows, int columns) {
        return new int[] {ceilDiv(columns, plan.tiles().tn()), ceilDiv(rows, plan.tiles().tm()), plan.splits()};
    }

    /** Groups of {@code REDUCE} work-items for a pass with one item per sample row (at most {@link #MAX_PARTIALS}). */
    private int rowGroups(int batch) {
        return Math.min(MAX_PARTIALS, ceilDiv(batch, tiles.reduce()));
    }

    private static int ceilDiv(int a, int b) {
        return Sizes.ceilDiv(a, b);
    }
}

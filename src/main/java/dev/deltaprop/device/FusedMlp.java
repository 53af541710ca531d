package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Sizes;

/**
 * The fused small-MLP step ({@code kernels/fused_mlp.h}): a training step of a network whose
 * every width is at most {@value #WIDTH}, of depth at most {@value #DEPTH} and with
 * {@code Σ_l n_l ≤ }{@value #UNITS}, in two launches — forward + backward of each chunk of
 * {@value #CHUNK} samples with its activations in local memory, writing per-work-group partial
 * gradients; then the fixed-order reduction of those partials with the optimizer step in the same
 * pass — instead of the layer-by-layer {@code 3L + 1}. No atomics: a step is bitwise reproducible.
 *
 * <p>The engine takes this path for a network that {@link #refusal} accepts, on the devices
 * {@link Mode} says: by default ({@value #PROPERTY}{@code =auto}) GPU-class devices;
 * {@code true} every device, {@code false} none (for measuring one path against the other).
 * The limits here mirror the macros of the kernel header (a test reads both).
 */
final class FusedMlp implements AutoCloseable {
    /** The system property that turns the fused path off ({@code -Ddeltaprop.fused=false}). */
    static final String PROPERTY = "deltaprop.fused";
    /** {@code FUSED_WIDTH}: the widest layer, input included. */
    static final int WIDTH = 128;
    /** {@code FUSED_DEPTH}: the most layers. */
    static final int DEPTH = 4;
    /** {@code FUSED_UNITS}: the most {@code Σ_l n_l}, input included (bounds the local memory). */
    static final int UNITS = 512;
    /** {@code FUSED_CHUNK}: samples per chunk of the first launch. */
    static final int CHUNK = 8;
    /** {@code FUSED_GROUP}: work-items per group of both launches. */
    static final int GROUP = 128;
    /**
     * The most work-groups of the first launch: each takes every G-th chunk, so the partial
     * buffer stays {@code G·P} floats whatever the batch.
     */
    static final int MAX_GROUPS = 256;

    private final Driver driver;
    /** Launches go through the layer path's kernels, so that a step's plan records them ({@link LaunchPlan}). */
    private final Kernels kernels;
    private final Driver.Kernel gradients;
    private final Driver.Kernel update;
    /** η and the bias corrections, shared with the layer path's kernels ({@link StepScalars}). */
    private final StepScalars stepScalars;
    private Memory partials;
    private long partialsLength;

    FusedMlp(Driver driver, Kernels kernels) {
        this.driver = driver;
        this.kernels = kernels;
        this.stepScalars = kernels.stepScalars();
        this.gradients = driver.kernel(kernels.program(), "fused_mlp_gradients");
        this.update = driver.kernel(kernels.program(), "fused_mlp_update");
    }

    /** When the engine takes the fused path for a network that fits. */
    enum Mode {
        /** Never. */
        OFF,
        /**
         * On GPU-class devices only (the default): on PoCL's CPU device the fused kernel measured
         * about 4.5× slower than the layer-by-layer GEMMs for {@code tiny} (docs/perf-opencl.md),
         * its per-work-item dot products being scalar where the GEMM core's register blocks vectorise;
         * its case is a GPU's launch and round-trip costs, which a CPU device does not have.
         */
        AUTO,
        /** On every device. */
        ON
    }

    /**
     * The mode {@value #PROPERTY} asks for: {@code auto} (or unset), {@code true}, {@code false}.
     *
     * @throws IllegalArgumentException naming {@value #PROPERTY} and the values it takes
     */
    static Mode mode() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (value) {
            case "auto":
            case "":
                return Mode.AUTO;
            case "true":
                return Mode.ON;
            case "false":
                return Mode.OFF;
            default:
                throw new IllegalArgumentException(PROPERTY + ": expected auto, true or false, found '" + value + "'");
        }
    }

    /** One line for {@code deltaprop devices}: the limits and where {@value #PROPERTY} takes the fused path. */
    static String describe() {
        String where;
        try {
            Mode mode = mode();
            where = mode == Mode.AUTO ? "on GPU devices (" + PROPERTY + "=auto)"
                    : mode == Mode.ON ? "on every device (" + PROPERTY + "=true)" : "off (" + PROPERTY + "=false)";
        } catch (IllegalArgumentException e) {
            where = "refused: " + e.getMessage();
        }
        return "fused small-MLP kernel (widths ≤ " + WIDTH + ", depth ≤ " + DEPTH + ", Σ n_l ≤ " + UNITS
                + "; 2 launches per step): " + where;
    }

    /** Whether a network that fits takes the fused path under {@code mode} on a device of {@code type}. */
    static boolean chosen(Mode mode, Driver.DeviceType type) {
        return mode == Mode.ON || (mode == Mode.AUTO && type != Driver.DeviceType.CPU);
    }

    /**
     * Why {@code network} cannot take the fused path on a device whose largest work-group is
     * {@code maxGroupSize}, or {@code null} when it can.
     */
    static String refusal(Network network, int maxGroupSize) {
        int[] widths = network.widths();
        int depth = widths.length - 1;
        if (depth > DEPTH) {
            return "depth " + depth + " > " + DEPTH;
        }
        int units = 0;
        for (int l = 0; l < widths.length; l++) {
            if (widths[l] > WIDTH) {
                return "n_" + l + " = " + widths[l] + " > " + WIDTH;
            }
            units += widths[l];
        }
        if (units > UNITS) {
            return "Σ n_l = " + units + " > " + UNITS;
        }
        if (maxGroupSize < GROUP) {
            return "the device's work-groups hold " + maxGroupSize + " items, fewer than " + GROUP;
        }
        return null;
    }

    /** The work-groups of the first launch for {@code batch}: one per chunk, at most {@value #MAX_GROUPS}. */
    static int groups(int batch) {
        return Math.min(MAX_GROUPS, Sizes.ceilDiv(batch, CHUNK));
    }

    /** The parameters of {@code net} in the packed order W^1, b^1, W^2, …: P. */
    static int parameters(DeviceNet net) {
        int p = 0;
        for (int l = 1; l <= net.depth(); l++) {
            p += net.width(l - 1) * net.width(l) + net.width(l);
        }
        return p;
    }

    /**
     * One training step on the batch already in {@code net.z(0)} and {@code net.teacher()}: the
     * parameters and state take {@code rule}, {@code net.loss()} holds the batch-mean loss. Two
     * launches, timed as the families {@code fused_gradients} and {@code fused_update}. With
     * {@code recordCapacity > 0} the loss is also appended to the net's loss record ({@link LossRecord}).
     */
    void step(DeviceNet net, int batch, OptimizerStep rule, StepTimer timer, int recordCapacity) {
        int depth = net.depth();
        int params = parameters(net);
        int groups = groups(batch);
        reserve((long) groups * params + groups);
        int[] n = new int[DEPTH + 1];
        int[] f = new int[DEPTH + 1];
        Memory[] w = new Memory[DEPTH + 1];
        Memory[] b = new Memory[DEPTH + 1];
        Memory[] ws0 = new Memory[DEPTH + 1];
        Memory[] ws1 = new Memory[DEPTH + 1];
        Memory[] bs0 = new Memory[DEPTH + 1];
        Memory[] bs1 = new Memory[DEPTH + 1];
        n[0] = net.width(0);
        for (int l = 1; l <= DEPTH; l++) {
            // a layer past the depth: width 0 and layer 1's buffers, which the kernels never touch for it
            int k = l <= depth ? l : 1;
            n[l] = l <= depth ? net.width(l) : 0;
            f[l] = l <= depth ? net.activation(l).code() : Activation.IDENTITY.code();
            w[l] = net.weights(k);
            b[l] = net.bias(k);
            ws0[l] = net.weightsState(k)[0];
            ws1[l] = net.weightsState(k)[1];
            bs0[l] = net.biasState(k)[0];
            bs1[l] = net.biasState(k)[1];
        }
        Memory scalars = stepScalars.use(rule);
        int crossEntropy = net.lossKind() == Loss.CROSS_ENTROPY ? 1 : 0;
        kernels.launch(gradients, new int[] {groups}, new int[] {GROUP}, net.z(0), net.teacher(),
                w[1], w[2], w[3], w[4], b[1], b[2], b[3], b[4], partials, batch, params, depth,
                n[0], n[1], n[2], n[3], n[4], f[1], f[2], f[3], f[4], crossEntropy);
        timer.family("fused_gradients");
        kernels.launch(update, new int[] {Sizes.ceilDiv(params + 1, GROUP)}, new int[] {GROUP}, partials, net.loss(),
                w[1], w[2], w[3], w[4], b[1], b[2], b[3], b[4],
                ws0[1], ws0[2], ws0[3], ws0[4], ws1[1], ws1[2], ws1[3], ws1[4],
                bs0[1], bs0[2], bs0[3], bs0[4], bs1[1], bs1[2], bs1[3], bs1[4],
                groups, params, depth, n[0], n[1], n[2], n[3], n[4], 1.0f / batch,
                rule.rule, scalars, rule.momentum, rule.beta1, rule.beta2, rule.epsilon, rule.weightDecay,
                recordCapacity);
        timer.family("fused_update");
    }

    /** The partial buffer and its length in floats (the tests poison it); {@code null} before a step. */
    Memory partials() {
        return partials;
    }

    long partialsLength() {
        return partialsLength;
    }

    /** Makes the partial buffer hold at least {@code length} floats. */
    private void reserve(long length) {
        if (length <= partialsLength) {
            return;
        }
        free();
        partials = driver.allocate(length);
        partialsLength = length;
    }

    private void free() {
        if (partials != null) {
            driver.free(partials);
            partials = null;
            partialsLength = 0;
        }
    }

    /** Frees the partial buffer (the kernels stay usable; the next step allocates it again). */
    @Override
    public void close() {
        free();
    }
}

package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.model.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * A network's device memory: per layer {@code l = 1..L} the parameters {@code W^l}, {@code b^l}
 * and the optimizer's state beside them (v, or m and s, in the parameters' layout; allocated once
 * per {@link DeviceBackend#load}, with the step count {@code t}), and the batch-sized {@code U^l}, {@code Z^l},
 * {@code Δ^l}, plus the batch input {@code X = Z^0}, the teacher {@code D}, the partial loss sums
 * and the loss with the loss record of lazy steps ({@link LossRecord}). Batch-sized buffers hold {@link #capacity()} samples and are regrown only when a
 * larger batch arrives. Arrays are indexed by layer number, so index 0 of {@code u}, {@code z}'s
 * siblings is unused and {@code z(0)} is the input.
 *
 * <p>Besides {@code X} and {@code D} (input slot 0, which every path uses) there are two more
 * pairs, slots 1 and 2, that only steps on host batches uploaded on the driver's upload lane use
 * ({@link InputBuffers}): step {@code n} reads one pair while step {@code n + 1}'s batch is copied
 * into the other. They are allocated at the first such step, at the batch-sized buffers'
 * capacity, and freed with them. While a slot is {@link #selectInputs selected} (from a host
 * batch's upload until its step's launches are enqueued), {@link #z z(0)} and {@link #teacher()}
 * are that slot's.
 */
final class DeviceNet implements AutoCloseable {
    private final Driver driver;
    private final Network shape;
    private final int[] widths;
    private final Activation[] activations;
    private final Memory[] weights;
    private final Memory[] bias;
    private final Optimizer.Kind kind;
    /** {@code [l][slot]}, always two slots: those the rule lacks are {@link #none}. */
    private final Memory[][] weightsState;
    private final Memory[][] biasState;
    /** One float, passed for the state slots a rule does not have (the kernel never touches them). */
    private Memory none;
    private long steps;
    private final Memory[] u;
    private final Memory[] z;
    private final Memory[] delta;
    private Memory teacher;
    /** Input slots 1 and 2 ({@code [0]} unused): {@code X} and {@code D} of host batches on the upload lane. */
    private final Memory[] laneInputs = new Memory[3];
    private final Memory[] laneTeachers = new Memory[3];
    private int inputSlot;
    private Memory partials;
    private Memory loss;
    private int capacity;
    /** How many times the batch-sized buffers were allocated: a launch plan recorded before the last is stale. */
    private long batchBuffers;

    /**
     * Uploads {@code network}'s parameters and {@code state} ({@code null}: zero state, {@code t = 0}),
     * which the caller has checked with {@link OptimizerState#requireFits}.
     */
    DeviceNet(Driver driver, Network network, Optimizer.Kind kind, OptimizerState state) {
        this.driver = driver;
        this.shape = network;
        this.kind = kind;
        this.steps = state == null ? 0 : state.steps();
        this.widths = network.widths();
        int depth = network.depth();
        activations = new Activation[depth + 1];
        weights = new Memory[depth + 1];
        bias = new Memory[depth + 1];
        u = new Memory[depth + 1];
        z = new Memory[depth + 1];
        delta = new Memory[depth + 1];
        weightsState = new Memory[depth + 1][2];
        biasState = new Memory[depth + 1][2];
        boolean done = false;
        try {
            none = driver.allocate(1);
            for (int l = 1; l <= depth; l++) {
                Layer layer = network.layer(l - 1);
                activations[l] = layer.activation();
                weights[l] = driver.allocate((long) layer.inputs() * layer.outputs());
                bias[l] = driver.allocate(layer.outputs());
                driver.write(weights[l], 0, layer.weights(), 0, layer.inputs() * layer.outputs());
                driver.write(bias[l], 0, layer.bias(), 0, layer.outputs());
                for (int slot = 0; slot < 2; slot++) {
                    if (slot < kind.slots()) {
                        weightsState[l][slot] = upload(state == null ? new float[layer.inputs() * layer.outputs()]
                                : state.weights(l - 1, slot));
                        biasState[l][slot] = upload(state == null ? new float[layer.outputs()] : state.bias(l - 1, slot));
                    } else {
                        weightsState[l][slot] = none;
                        biasState[l][slot] = none;
                    }
                }
            }
            partials = driver.allocate(Kernels.MAX_PARTIALS);
            loss = driver.allocate(LossRecord.LENGTH);
            done = true;
        } finally {
            if (!done) {
                close();
            }
        }
    }

    private Memory upload(float[] values) {
        Memory memory = driver.allocate(values.length);
        driver.write(memory, 0, values, 0, values.length);
        return memory;
    }

    /** Makes the batch-sized buffers hold at least {@code batch} samples. */
    void reserve(int batch) {
        if (batch <= capacity) {
            return;
        }
        // the kernels index batch × n_l elements with an int: refuse, by name, what would wrap
        long units = 0;
        for (int l = 0; l < widths.length; l++) {
            Sizes.elements("batch × n_" + l, batch, widths[l]);
            units += 3L * widths[l];
        }
        long bytes = MemoryEstimate.bytes(Sizes.multiply(batch, units), Float.BYTES);
        if (bytes > driver.globalMemoryBytes()) {
            throw new IllegalArgumentException("batch " + batch + ": u, z and δ of every layer need about "
                    + MemoryEstimate.describe(bytes) + " of device memory, more than the device's "
                    + MemoryEstimate.describe(driver.globalMemoryBytes()));
        }
        freeBatchBuffers();
        for (int l = 0; l < widths.length; l++) {
            z[l] = driver.allocate((long) batch * widths[l]);
            if (l > 0) {
                u[l] = driver.allocate((long) batch * widths[l]);
                delta[l] = driver.allocate((long) batch * widths[l]);
            }
        }
        teacher = driver.allocate((long) batch * widths[widths.length - 1]);
        capacity = batch;
        batchBuffers++;
    }

    /**
     * Which allocation of the batch-sized buffers ({@code X}, {@code D}, {@code U^l}, {@code Z^l},
     * {@code Δ^l}) is current: it changes when {@link #reserve} regrows them, and a launch plan
     * recorded under another one holds freed buffers ({@link StepPlans}).
     */
    long batchBuffers() {
        return batchBuffers;
    }

    /** The parameters, read back from the device. */
    Network read() {
        List<Layer> layers = new ArrayList<>();
        for (int l = 1; l <= depth(); l++) {
            float[] w = new float[widths[l - 1] * widths[l]];
            float[] b = new float[widths[l]];
            driver.read(weights[l], 0, w, 0, w.length);
            driver.read(bias[l], 0, b, 0, b.length);
            layers.add(Checks.trainedLayer(shape, l - 1, w, b));
        }
        return shape.withLayers(layers);
    }

    /** The optimizer's state and {@code t}, read back from the device. */
    OptimizerState readState() {
        int depth = depth();
        float[][][] w = new float[depth][kind.slots()][];
        float[][][] b = new float[depth][kind.slots()][];
        for (int l = 1; l <= depth; l++) {
            for (int slot = 0; slot < kind.slots(); slot++) {
                w[l - 1][slot] = new float[widths[l - 1] * widths[l]];
                b[l - 1][slot] = new float[widths[l]];
                driver.read(weightsState[l][slot], 0, w[l - 1][slot], 0, w[l - 1][slot].length);
                driver.read(biasState[l][slot], 0, b[l - 1][slot], 0, b[l - 1][slot].length);
            }
        }
        return new OptimizerState(kind, steps, w, b);
    }

    /** Counts a step and returns its number {@code t} (1 on the first step after a fresh load). */
    long nextStep() {
        return ++steps;
    }

    /** The optimizer state of {@code W^l}: two buffers (slot 0: v or m, slot 1: s). */
    Memory[] weightsState(int l) {
        return weightsState[l];
    }

    /** The optimizer state of {@code b^l}: two buffers, as {@link #weightsState}. */
    Memory[] biasState(int l) {
        return biasState[l];
    }

    Network shape() {
        return shape;
    }

    int depth() {
        return widths.length - 1;
    }

    int width(int l) {
        return widths[l];
    }

    int capacity() {
        return capacity;
    }

    /** The loss the network is trained on (DESIGN §1b). */
    Loss lossKind() {
        return shape.loss();
    }

    Activation activation(int l) {
        return activations[l];
    }

    Memory weights(int l) {
        return weights[l];
    }

    Memory bias(int l) {
        return bias[l];
    }

    Memory u(int l) {
        return u[l];
    }

    /** {@code Z^l}; {@code z(0)} is the batch input {@code X} of the selected input slot. */
    Memory z(int l) {
        return l == 0 && inputSlot != 0 ? laneInputs[inputSlot] : z[l];
    }

    Memory delta(int l) {
        return delta[l];
    }

    /** {@code D} of the selected input slot. */
    Memory teacher() {
        return inputSlot != 0 ? laneTeachers[inputSlot] : teacher;
    }

    /**
     * Makes {@code slot}'s {@code X} and {@code D} those that {@link #z z(0)} and {@link #teacher()}
     * give (0: the ones every path uses; 1, 2: the upload lane's, allocated now at the
     * capacity if they are not yet).
     */
    void selectInputs(int slot) {
        if (slot != 0 && laneInputs[slot] == null) {
            laneInputs[slot] = driver.allocate((long) capacity * widths[0]);
            laneTeachers[slot] = driver.allocate((long) capacity * widths[widths.length - 1]);
        }
        inputSlot = slot;
    }

    /** The selected input slot: 0, or 1 or 2 during a step on a batch uploaded on the lane. */
    int inputSlot() {
        return inputSlot;
    }

    Memory partials() {
        return partials;
    }

    Memory loss() {
        return loss;
    }

    /** The batch-mean loss the last output δ (or fused step) left in {@link #loss()}, read back: this waits for the queue. */
    float readLoss() {
        driver.read(loss, 0, lossValue, 0, 1);
        return lossValue[0];
    }

    /** {@link #readLoss}'s host copy, kept so that a step allocates nothing. */
    private final float[] lossValue = new float[1];

    private void freeBatchBuffers() {
        for (Memory[] buffers : List.of(u, z, delta)) {
            for (int l = 0; l < buffers.length; l++) {
                if (buffers[l] != null) {
                    driver.free(buffers[l]);
                    buffers[l] = null;
                }
            }
        }
        if (teacher != null) {
            driver.free(teacher);
            teacher = null;
        }
        for (int slot = 1; slot < laneInputs.length; slot++) {
            for (Memory[] buffers : List.of(laneInputs, laneTeachers)) {
                if (buffers[slot] != null) {
                    driver.free(buffers[slot]);
                    buffers[slot] = null;
                }
            }
        }
        inputSlot = 0;
        capacity = 0;
    }

    @Override
    public void close() {
        freeBatchBuffers();
        for (Memory[] buffers : List.of(weights, bias)) {
            for (int l = 0; l < buffers.length; l++) {
                if (buffers[l] != null) {
                    driver.free(buffers[l]);
                    buffers[l] = null;
                }
            }
        }
        for (Memory[][] states : List.of(weightsState, biasState)) {
            for (Memory[] slots : states) {
                for (int slot = 0; slot < slots.length; slot++) {
                    if (slots[slot] != null && slots[slot] != none) {
                        driver.free(slots[slot]);
                    }
                    slots[slot] = null;
                }
            }
        }
        if (none != null) {
            driver.free(none);
            none = null;
        }
        if (partials != null) {
            driver.free(partials);
            partials = null;
        }
        if (loss != null) {
            driver.free(loss);
            loss = null;
        }
    }
}

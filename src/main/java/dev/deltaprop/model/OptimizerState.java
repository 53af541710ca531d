package dev.deltaprop.model;

import java.util.Objects;

/**
 * What an {@link Optimizer} remembers between steps, copied out of a backend (for a checkpoint)
 * or into one (to resume): the step count {@code t} and, per layer, the optimizer's state arrays
 * in the layout of the parameters they belong to.
 *
 * <p>Slot {@code s} of layer {@code l} is {@code v} for momentum and nesterov, and {@code m}
 * ({@code s = 0}) and the second moment ({@code s = 1}) for adam and adamw; sgd has none.
 * {@link #weights(int, int)} is {@code n_{l-1} × n_l} row-major like {@link Layer#weights()},
 * {@link #bias(int, int)} has {@code n_l} numbers. Immutable: arrays are copied in and out.
 */
public final class OptimizerState {
    private final Optimizer.Kind kind;
    private final long steps;
    private final float[][][] weights;
    private final float[][][] bias;

    /**
     * @param kind    the rule the state belongs to
     * @param steps   {@code t}, the steps taken so far, {@code ≥ 0}
     * @param weights {@code [layer][slot]} arrays of {@code n_{l-1} · n_l} numbers (copied)
     * @param bias    {@code [layer][slot]} arrays of {@code n_l} numbers (copied)
     * @throws IllegalArgumentException naming the field when a count or a number is wrong
     */
    public OptimizerState(Optimizer.Kind kind, long steps, float[][][] weights, float[][][] bias) {
        this.kind = Objects.requireNonNull(kind, "kind");
        if (steps < 0) {
            throw new IllegalArgumentException("steps: expected at least 0, found " + steps);
        }
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        if (weights.length != bias.length) {
            throw new IllegalArgumentException("bias: expected " + weights.length + " layers (as weights), found " + bias.length);
        }
        this.steps = steps;
        this.weights = copy("weights", weights, kind.slots());
        this.bias = copy("bias", bias, kind.slots());
    }

    /** The state before the first step: {@code t = 0} and every slot zero, shaped for {@code network}. */
    public static OptimizerState initial(Network network, Optimizer.Kind kind) {
        int depth = network.depth();
        float[][][] w = new float[depth][kind.slots()][];
        float[][][] b = new float[depth][kind.slots()][];
        for (int l = 0; l < depth; l++) {
            Layer layer = network.layer(l);
            for (int s = 0; s < kind.slots(); s++) {
                w[l][s] = new float[layer.inputs() * layer.outputs()];
                b[l][s] = new float[layer.outputs()];
            }
        }
        return new OptimizerState(kind, 0, w, b);
    }

    public Optimizer.Kind kind() {
        return kind;
    }

    /** {@code t}: the steps taken so far (the next step is {@code t + 1}). */
    public long steps() {
        return steps;
    }

    /** {@code L}. */
    public int depth() {
        return weights.length;
    }

    /** State slot {@code slot} of layer {@code layer}'s weights (0-based), a copy. */
    public float[] weights(int layer, int slot) {
        return weights[layer][slot].clone();
    }

    /** State slot {@code slot} of layer {@code layer}'s bias (0-based), a copy. */
    public float[] bias(int layer, int slot) {
        return bias[layer][slot].clone();
    }

    /**
     * Checks that this state fits {@code network} and {@code optimizer}.
     *
     * @throws IllegalArgumentException naming the field and the expected value otherwise
     */
    public void requireFits(Network network, Optimizer optimizer) {
        if (optimizer.kind() != kind) {
            throw new IllegalArgumentException("optimizerState.kind: expected " + optimizer.kind() + " (the optimizer's), found " + kind);
        }
        if (network.depth() != depth()) {
            throw new IllegalArgumentException("optimizerState: expected " + network.depth() + " layers (the network's), found " + depth());
        }
        for (int l = 0; l < depth(); l++) {
            Layer layer = network.layer(l);
            for (int s = 0; s < kind.slots(); s++) {
                if (weights[l][s].length != layer.inputs() * layer.outputs()) {
                    throw new IllegalArgumentException("optimizerState.weights[" + l + "][" + s + "]: expected "
                            + layer.inputs() * layer.outputs() + " numbers, found " + weights[l][s].length);
                }
                if (bias[l][s].length != layer.outputs()) {
                    throw new IllegalArgumentException("optimizerState.bias[" + l + "][" + s + "]: expected "
                            + layer.outputs() + " numbers, found " + bias[l][s].length);
                }
            }
        }
    }

    private static float[][][] copy(String field, float[][][] values, int slots) {
        float[][][] out = new float[values.length][slots][];
        for (int l = 0; l < values.length; l++) {
            Objects.requireNonNull(values[l], field + "[" + l + "]");
            if (values[l].length != slots) {
                throw new IllegalArgumentException(field + "[" + l + "]: expected " + slots + " state arrays, found " + values[l].length);
            }
            for (int s = 0; s < slots; s++) {
                float[] v = Objects.requireNonNull(values[l][s], field + "[" + l + "][" + s + "]");
                for (int k = 0; k < v.length; k++) {
                    if (!Float.isFinite(v[k])) {
                        throw new IllegalArgumentException(field + "[" + l + "][" + s + "][" + k + "]: expected a finite number, found " + v[k]);
                    }
                }
                out[l][s] = v.clone();
            }
        }
        return out;
    }
}

package dev.deltaprop.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One layer {@code l} of a network: {@code u^l_j = w^l_0j + Σ_i w^l_ij z^{l-1}_i},
 * {@code z^l_j = f(u^l_j)}.
 *
 * <p>Parameters are float32. {@code weights} is row-major with {@code inputs} rows and
 * {@code outputs} columns: element {@code i * outputs + j} is {@code w^l_ij}, the weight from
 * unit {@code i} of layer {@code l-1} to unit {@code j} of this layer (0-based here; the model
 * file keeps the derivation's 1-based rows, with the bias as row 0). {@code bias[j]} is
 * {@code w^l_0j}. A {@code Layer} is immutable: arrays are copied in and out.
 */
public final class Layer {
    private final int inputs;
    private final int outputs;
    private final Activation activation;
    private final float[] weights;
    private final float[] bias;

    /**
     * @param inputs     {@code n_{l-1}}, at least 1
     * @param outputs    {@code n_l}, at least 1
     * @param activation {@code f^l}
     * @param weights    {@code w^l}, {@code inputs × outputs}, row-major (copied)
     * @param bias       {@code b^l}, {@code outputs} numbers (copied)
     * @throws IllegalArgumentException naming the argument when a size is wrong or a number is not finite
     */
    public Layer(int inputs, int outputs, Activation activation, float[] weights, float[] bias) {
        if (inputs < 1) {
            throw new IllegalArgumentException("inputs: expected at least 1, found " + inputs);
        }
        if (outputs < 1) {
            throw new IllegalArgumentException("outputs: expected at least 1, found " + outputs);
        }
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(bias, "bias");
        Sizes.elements("inputs × outputs", inputs, outputs);
        if (weights.length != inputs * outputs) {
            throw new IllegalArgumentException("weights: expected " + inputs * outputs
                    + " numbers (" + inputs + " × " + outputs + "), found " + weights.length);
        }
        if (bias.length != outputs) {
            throw new IllegalArgumentException("bias: expected " + outputs + " numbers, found " + bias.length);
        }
        requireFinite("weights", weights);
        requireFinite("bias", bias);
        this.inputs = inputs;
        this.outputs = outputs;
        this.activation = activation;
        this.weights = weights.clone();
        this.bias = bias.clone();
    }

    private static void requireFinite(String field, float[] values) {
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new IllegalArgumentException(field + "[" + k + "]: expected a finite number, found " + values[k]);
            }
        }
    }

    /** {@code n_{l-1}}, the width of the layer's input. */
    public int inputs() {
        return inputs;
    }

    /** {@code n_l}, the number of units. */
    public int outputs() {
        return outputs;
    }

    /** {@code f^l}. */
    public Activation activation() {
        return activation;
    }

    /** A copy of {@code w^l}, row-major {@code inputs × outputs}. */
    public float[] weights() {
        return weights.clone();
    }

    /** A copy of {@code b^l}. */
    public float[] bias() {
        return bias.clone();
    }

    /** {@code w^l_ij}, 0-based: {@code i < inputs}, {@code j < outputs}. */
    public float weight(int i, int j) {
        Objects.checkIndex(i, inputs);
        Objects.checkIndex(j, outputs);
        return weights[i * outputs + j];
    }

    /** {@code w^l_0j = b^l_j}. */
    public float bias(int j) {
        return bias[j];
    }

    /** The number of parameters, {@code (inputs + 1) · outputs}. */
    public long parameterCount() {
        return (long) (inputs + 1) * outputs;
    }

    /** This layer with other parameters (same shape and activation). */
    public Layer withParameters(float[] weights, float[] bias) {
        return new Layer(inputs, outputs, activation, weights, bias);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Layer)) {
            return false;
        }
        Layer other = (Layer) o;
        return inputs == other.inputs && outputs == other.outputs && activation == other.activation
                && Arrays.equals(weights, other.weights) && Arrays.equals(bias, other.bias);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inputs, outputs, activation, Arrays.hashCode(weights), Arrays.hashCode(bias));
    }

    @Override
    public String toString() {
        return inputs + "→" + outputs + " " + activation;
    }
}

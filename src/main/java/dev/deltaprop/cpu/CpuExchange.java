package dev.deltaprop.cpu;

import dev.deltaprop.backend.Checks;

/**
 * The {@code cpu} backend's half of {@code GradientExchange}: the gradient sums it holds between a
 * shard's backward pass and the optimizer step, and that step applied to them. The sums are one flat
 * float array, layer by layer {@code S_W^l = Σ_b z^{l-1}_b ⊗ δ^l_b} ({@code n_{l-1} × n_l}, laid out
 * like {@code W^l}) then {@code S_b^l = Σ_b δ^l_b}; the update passes write them
 * ({@link Passes#stageGradient}), data-parallel training reads, sums and writes them back, and
 * {@link #apply} steps {@code W^l}, {@code b^l} and their state by the rule of the step, the
 * gradient being {@code g = S / B} (B the batch of all replicas together).
 *
 * <p>Made at each {@code load}, over that load's parameter and state arrays, which it steps in
 * place; the sums are the previous load's when the shape is the same. It allocates nothing after
 * construction.
 */
final class CpuExchange {
    private final float[][] weights;
    private final float[][] bias;
    private final float[][][] weightState;
    private final float[][][] biasState;
    /** The flat sums; {@code at[l-1]} is where layer {@code l}'s start. */
    private final float[] sums;
    private final int[] at;
    private final int[] widths;

    /**
     * @param widths      {@code n_0 … n_L}
     * @param weights     {@code weights[l-1]} is {@code W^l}; likewise {@code bias}
     * @param weightState {@code weightState[l-1][slot]}, the optimizer's state of {@code W^l}; likewise {@code biasState}
     */
    CpuExchange(int[] widths, float[][] weights, float[][] bias, float[][][] weightState, float[][][] biasState) {
        this(widths, weights, bias, weightState, biasState, null);
    }

    /**
     * As {@link #CpuExchange(int[], float[][], float[][], float[][][], float[][][])}, over {@code reuse}
     * for the sums when it has their length (a reload of the same shape), zeroed as a new array would be.
     */
    CpuExchange(int[] widths, float[][] weights, float[][] bias, float[][][] weightState, float[][][] biasState,
                float[] reuse) {
        this.widths = widths;
        this.weights = weights;
        this.bias = bias;
        this.weightState = weightState;
        this.biasState = biasState;
        int depth = widths.length - 1;
        at = new int[depth];
        int length = 0;
        for (int l = 0; l < depth; l++) {
            at[l] = length;
            length += (widths[l] + 1) * widths[l + 1];
        }
        if (reuse != null && reuse.length == length) {
            java.util.Arrays.fill(reuse, 0f);
            sums = reuse;
        } else {
            sums = new float[length];
        }
    }

    /** The flat sums, for the passes that write them. */
    float[] sums() {
        return sums;
    }

    /** Where layer {@code layer}'s sums start in {@link #sums()} ({@code 1 ≤ layer ≤ L}, unchecked). */
    int at(int layer) {
        return at[layer - 1];
    }

    int length() {
        return sums.length;
    }

    /** {@code (n_{l-1} + 1) · n_l}, after checking {@code 1 ≤ layer ≤ L}. */
    int layerCount(int layer) {
        if (layer < 1 || layer > weights.length) {
            throw new IllegalArgumentException("layer: expected 1 to " + weights.length + ", found " + layer);
        }
        return (widths[layer - 1] + 1) * widths[layer];
    }

    /** Layer {@code layer}'s sums into {@code target} from {@code targetOffset}. */
    void read(int layer, float[] target, int targetOffset) {
        int count = layerCount(layer);
        Checks.slice("target", target, targetOffset, count);
        System.arraycopy(sums, at[layer - 1], target, targetOffset, count);
    }

    /** Layer {@code layer}'s sums from {@code source} from {@code sourceOffset}. */
    void write(int layer, float[] source, int sourceOffset) {
        int count = layerCount(layer);
        Checks.slice("source", source, sourceOffset, count);
        System.arraycopy(source, sourceOffset, sums, at[layer - 1], count);
    }

    /** Every layer's sums into {@code target}. */
    void read(float[] target) {
        Checks.gradient("target", target, sums.length);
        System.arraycopy(sums, 0, target, 0, sums.length);
    }

    /** Every layer's sums from {@code source}. */
    void write(float[] source) {
        Checks.gradient("source", source, sums.length);
        System.arraycopy(source, 0, sums, 0, sums.length);
    }

    /**
     * The step set in {@code rule} on {@code W^layer} and {@code b^layer} from their held sums, on
     * the calling thread (it is elementwise, so the layers' order does not matter).
     */
    void apply(OptimizerStep rule, int layer) {
        int l = layer - 1;
        float[][] w = weightState[l];
        float[][] b = biasState[l];
        int count = weights[l].length;
        rule.weights(weights[l], slot(w, 0), slot(w, 1), 0, sums, at[l], count);
        for (int j = 0; j < bias[l].length; j++) {
            rule.bias(bias[l], slot(b, 0), slot(b, 1), j, sums[at[l] + count + j]);
        }
    }

    /** Slot {@code slot} of a parameter's state, or {@code null} where the rule has fewer. */
    static float[] slot(float[][] slots, int slot) {
        return slot < slots.length ? slots[slot] : null;
    }
}

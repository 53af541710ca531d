package dev.deltaprop.backend;

/**
 * What a backend offers to data-parallel training ({@link DataParallelBackend}): a training step
 * cut in two, so that the gradients of several replicas can be summed between the halves.
 *
 * <p>{@link #gradient} runs the forward pass and the backward pass on a shard of {@code b}
 * samples and keeps the <em>sums</em> (not the means) in the backend:
 * {@code S_W^l = Z^{l-1}ᵀ Δ^l} and {@code S_b^l = Σ_b Δ^l_b}; no parameter changes.
 * {@link #readGradient}/{@link #writeGradient} move those sums to and from the host, flat, layer
 * by layer: for {@code l = 1..L}, {@code S_W^l} ({@code n_{l-1} × n_l}, the layout of
 * {@code Layer.weights()}) then {@code S_b^l} ({@code n_l}), {@link #gradientLength()} floats
 * in all. {@link #apply} then takes the optimizer step of {@link Backend#step} with the
 * batch-mean gradient {@code g = S / B} of a whole batch of {@code B} samples, and advances
 * {@code t} by one. {@code gradient} then {@code apply(η, b)} with the sums untouched is one
 * {@code step} on that shard, up to float rounding.
 */
public interface GradientExchange extends Backend {

    /**
     * Forward and backward over samples {@code [offset, offset + batch)} of {@code x} and {@code d};
     * the gradient sums stay in the backend, the parameters and {@code t} do not change.
     *
     * @param x      inputs, batch-major, at least {@code (offset + batch) × n_0}
     * @param d      teachers, batch-major, at least {@code (offset + batch) × n_L}
     * @param offset the first sample, {@code ≥ 0}
     * @param batch  {@code b ≥ 1}
     * @return the shard's summed loss {@code Σ_b E_b} (not its mean)
     */
    double gradient(float[] x, float[] d, int offset, int batch);

    /** {@code Σ_l (n_{l-1} + 1) · n_l}: the length of the flat gradient. */
    int gradientLength();

    /** Copies the gradient sums of the last {@link #gradient} into {@code target} (of {@link #gradientLength()}). */
    void readGradient(float[] target);

    /** Replaces the gradient sums held in the backend with {@code source} (of {@link #gradientLength()}). */
    void writeGradient(float[] source);

    /**
     * One optimizer step with {@code g = S / totalBatch} from the sums held now, the optimizer
     * given to {@code load}; {@code t} advances by one.
     *
     * @param learningRate {@code η}, finite and {@code > 0}
     * @param totalBatch   {@code B ≥ 1}, the size of the whole batch the sums are over
     */
    void apply(float learningRate, int totalBatch);
}

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
 *
 * <p>The same work can also be driven <em>layer by layer</em>, so that a layer's sums can leave
 * the backend while it computes the next (earlier) layer: {@link #beginGradient} (forward and
 * output δ), then {@link #layerGradient} for {@code l = L, L−1, …, 1} ({@code Δ^l} from
 * {@code Δ^{l+1}} and the unchanged {@code W^{l+1}}, then layer {@code l}'s sums),
 * {@link #readGradient(int, float[], int)} and {@link #writeGradient(int, float[], int)} on one
 * layer's part of the flat gradient, and {@link #apply(int, float, int)} once per layer, in the
 * order {@code l = L, …, 1}. A layer's step changes {@code W^l}, which {@code Δ^{l−1}} reads, so
 * {@code apply(l, …)} may only come after {@code layerGradient(l − 1)}. Driven this way the
 * numbers are bitwise those of {@link #gradient}, {@link #readGradient(float[])},
 * {@link #writeGradient(float[])} and {@link #apply(float, int)}: the same launches on the same
 * data, only interleaved.
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

    /**
     * Forward pass and output δ over samples {@code [offset, offset + batch)}: the start of a
     * layer-by-layer {@link #gradient}; the checks are those of {@link #gradient}.
     */
    void beginGradient(float[] x, float[] d, int offset, int batch);

    /**
     * Layer {@code layer}'s part of the backward pass begun by {@link #beginGradient}: for
     * {@code layer < L}, {@code Δ^l = (Δ^{l+1} W^{l+1}ᵀ) ⊙ f'(U^l)} first; then its sums
     * {@code S_W^l}, {@code S_b^l}. Called for {@code layer = L, L−1, …, 1}, in that order.
     *
     * @throws IllegalStateException when no shard was begun or a layer is out of that order
     */
    void layerGradient(int layer);

    /** The summed loss {@code Σ_b E_b} of the shard begun last (its mean is this over {@code batch}). */
    double gradientLoss();

    /**
     * Copies layer {@code layer}'s sums ({@code (n_{l-1} + 1) · n_l} floats, {@code S_W^l} then
     * {@code S_b^l}) into {@code target[targetOffset..]}; at the offset where the flat gradient
     * holds that layer, this is that part of {@link #readGradient(float[])}.
     */
    void readGradient(int layer, float[] target, int targetOffset);

    /** Replaces layer {@code layer}'s sums with {@code source[sourceOffset..]}, as {@link #readGradient(int, float[], int)} lays them out. */
    void writeGradient(int layer, float[] source, int sourceOffset);

    /**
     * Layer {@code layer}'s part of {@link #apply(float, int)}: called for {@code layer = L, …, 1}
     * in that order, with the same {@code η} and {@code B} (those of {@code layer = L} count);
     * {@code t} advances with {@code layer = L}.
     */
    void apply(int layer, float learningRate, int totalBatch);
}

package dev.deltaprop.cpu;

/**
 * The innermost piece of every GEMM: one {@code MR × NR} tile of {@code C} accumulated over a
 * {@code kc}-long slice of the shared dimension, from packed operands,
 *
 * <pre>  tile[r·NR + j] (+)= Σ_{p<kc} A[p·MR + r] · B[p·NR + j]</pre>
 *
 * where {@code A} is a packed micro-panel of {@code MR} rows ({@code MR} consecutive values per
 * {@code p}) and {@code B} a packed micro-panel of {@code NR} columns. Each output is summed in
 * increasing {@code p}, by the same instruction sequence in every tile, so a result never depends
 * on which tile (and so which thread) computed it.
 */
interface MicroKernel {

    /** The instance one thread uses: itself when stateless, else a fresh copy with its own scratch. */
    default MicroKernel forThread() {
        return this;
    }

    /** Rows of the tile. */
    int mr();

    /** Columns of the tile. */
    int nr();

    /**
     * @param first true: start from zero; false: continue from the values in {@code tile}
     */
    void multiply(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] tile, boolean first);

    /**
     * As {@link #multiply}, reading {@code A} unpacked from {@code MR} rows of a row-major matrix:
     * {@code A(r, p) = a[aOffset + r·lda + p]}. Used where {@code A}'s rows are contiguous in
     * {@code p} (forward, δ), which saves packing {@code A} at all; results are identical to
     * {@link #multiply} on the packed copy.
     */
    void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] tile, boolean first);

    /**
     * As {@link #multiply}, reading {@code A} unpacked where its {@code MR} rows are adjacent for each
     * {@code p}: {@code A(r, p) = a[aOffset + p·ldp + r]} ({@code Zᵀ} of the update, {@code ldp = n_{l-1}}).
     */
    void multiplyColumns(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc, float[] tile, boolean first);

    /**
     * One sample through one layer's weights, for {@link Predictor}:
     * {@code out[j] = bias[j] + Σ_{i<k} x[xOffset + i] · w[i·n + j]} for {@code j < n}, summed in increasing {@code i}.
     */
    void rowTimesMatrix(float[] x, int xOffset, int k, float[] w, float[] bias, int n, float[] out);

    /** What it runs on, for {@code Backend.device()}: e.g. {@code Vector API 512-bit}. */
    String description();
}

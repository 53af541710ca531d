package dev.deltaprop.cpu;

/**
 * The innermost piece of every GEMM: one {@code MR × NR} tile of {@code C} accumulated over a
 * {@code kc}-long slice of the shared dimension, from packed operands,
 *
 * <pre>  to[toAt + r·toStride + j] = (first ? 0 : from[fromAt + r·fromStride + j]) + Σ_{p<kc} A[p·MR + r] · B[p·NR + j]</pre>
 *
 * for {@code r < MR}, {@code j < NR}, where {@code A} is a packed micro-panel of {@code MR} rows ({@code MR} consecutive values per
 * {@code p}) and {@code B} a packed micro-panel of {@code NR} columns. Each output is summed in
 * increasing {@code p}, by the same instruction sequence in every tile, so a result never depends
 * on which tile (and so which thread) computed it.
 */
interface MicroKernel {

    /** The instance one thread uses: itself when stateless, else a fresh copy with its own scratch. */
    default MicroKernel forThread() {
        return this;
    }

    /**
     * Whether {@link TileWarmUp} runs this kernel alone before its first product: the Vector API's
     * kernel, whose compiled code depends on what the JIT has seen before (see there).
     */
    default boolean warmsUpFirst() {
        return false;
    }

    /** Rows of the tile. */
    int mr();

    /** Columns of the tile. */
    int nr();

    /**
     * @param first true: start from zero ({@code from} is not read); false: continue from the sums in {@code from}
     * @param fromStride the row stride of the tile in {@code from}; {@code toStride} in {@code to} (each at least {@code NR})
     */
    void multiply(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] from, int fromAt, int fromStride,
                  float[] to, int toAt, int toStride, boolean first);

    /**
     * As {@link #multiply}, reading {@code A} in place from {@code MR} rows of a row-major matrix,
     * {@code A(r, p) = a[aOffset + r·lda + p]} (forward, δ); the same results as on the packed copy.
     * Used for narrow products, where packing {@code A} would cost as much as the product.
     */
    void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] from, int fromAt,
                      int fromStride, float[] to, int toAt, int toStride, boolean first);

    /**
     * As {@link #multiply}, reading {@code A} in place where its {@code MR} rows are adjacent for each
     * {@code p}, {@code A(r, p) = a[aOffset + p·ldp + r]} ({@code Zᵀ} of the update), for narrow products.
     */
    void multiplyColumns(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc, float[] from, int fromAt,
                         int fromStride, float[] to, int toAt, int toStride, boolean first);

    /**
     * One sample through one layer's weights, for {@link Predictor}:
     * {@code out[j] = bias[j] + Σ_{i<k} x[xOffset + i] · w[i·n + j]} for {@code j < n}, summed in increasing {@code i}.
     */
    void rowTimesMatrix(float[] x, int xOffset, int k, float[] w, float[] bias, int n, float[] out);

    /**
     * {@code to[toAt + j] = from[fromAt + j]} for {@code j < NR}: one row of a {@code B}
     * micro-panel, which {@link Packing} moves once per {@code p} and panel from a row-major
     * {@code B}. The Vector API kernel moves it in two vector loads and stores; a
     * {@code System.arraycopy} call per 128 bytes took twice as long (mnist's 784 × 512
     * {@code W}, one core of the Zen 5: 61 against 31 µs; docs/perf.md). Copies only: the bits are
     * the operand's.
     */
    default void copyPanelRow(float[] from, int fromAt, float[] to, int toAt) {
        System.arraycopy(from, fromAt, to, toAt, nr());
    }

    /** What it runs on, for {@code Backend.device()}: e.g. {@code Vector API 512-bit}. */
    String description();
}

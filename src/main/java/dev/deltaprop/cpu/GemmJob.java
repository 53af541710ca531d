package dev.deltaprop.cpu;

/**
 * One GEMM of a parallel phase, {@code C = A B} ({@code m × n}, depth {@code k}, operands by
 * strides as in {@link Gemm}), cut into chunks that the phase's threads claim: chunks of whole
 * column panels, or of whole row panels where the columns are too few to share. A thread that the
 * OS deschedules (this machine is shared) then delays only its current chunk, not a fixed share of
 * the phase. Which thread computes a chunk, and how many chunks there are, never changes a result:
 * every output is summed in the same order by the same kernel, and an epilogue sees whole
 * {@code MR}-row, {@code NR}-column tiles aligned to the panels in either split.
 */
final class GemmJob {
    /**
     * Chunks per thread: enough that a descheduled thread's share can be taken over, few enough
     * that each chunk still packs a {@code B} block worth reusing.
     */
    static final int CHUNKS_PER_THREAD = 4;

    private float[] a;
    private int aOffset, aRowStride, aColStride;
    private float[] b;
    private int bOffset, bRowStride, bColStride;
    private int m, n, k;
    private Epilogue epilogue;
    private int mr, nr;
    private boolean byColumns;
    private int chunks;
    /** What the job is, for {@link PhaseClock}. */
    String label;

    /** Sets the operands and cuts the output for {@code parts} threads of {@code kernel}'s tile. */
    void set(String label, float[] a, int aOffset, int aRowStride, int aColStride,
             float[] b, int bOffset, int bRowStride, int bColStride, int m, int n, int k,
             Epilogue epilogue, MicroKernel kernel, int parts) {
        this.label = label;
        this.a = a; this.aOffset = aOffset; this.aRowStride = aRowStride; this.aColStride = aColStride;
        this.b = b; this.bOffset = bOffset; this.bRowStride = bRowStride; this.bColStride = bColStride;
        this.m = m; this.n = n; this.k = k;
        this.epilogue = epilogue;
        this.mr = kernel.mr();
        this.nr = kernel.nr();
        int panelsN = (n + nr - 1) / nr;
        int panelsM = (m + mr - 1) / mr;
        this.byColumns = panelsN >= parts || panelsN >= panelsM;
        this.chunks = Math.min(byColumns ? panelsN : panelsM, CHUNKS_PER_THREAD * parts);
    }

    /**
     * True when each chunk holds whole columns, all rows, so that one thread visits a column's
     * tiles in increasing row order (what {@link ColumnSums} accumulates by); false when rows are split.
     */
    boolean byColumns() {
        return byColumns;
    }

    int chunks() {
        return chunks;
    }

    /** {@code m}: the output's rows. */
    int rows() {
        return m;
    }

    /** The micro-kernel's tile height, which every tile's and block's row is a multiple of. */
    int mr() {
        return mr;
    }

    /** The micro-kernel's tile width, which every tile's column is a multiple of. */
    int nr() {
        return nr;
    }

    /** Computes chunk {@code chunk} with {@code gemm} (the claiming thread's). */
    void run(Gemm gemm, int chunk) {
        if (byColumns) {
            gemm.multiply(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                    0, m, Passes.boundary(n, nr, chunk, chunks), Passes.boundary(n, nr, chunk + 1, chunks), n, k,
                    epilogue);
        } else {
            gemm.multiply(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                    Passes.boundary(m, mr, chunk, chunks), Passes.boundary(m, mr, chunk + 1, chunks), 0, n, k,
                    epilogue);
        }
    }
}

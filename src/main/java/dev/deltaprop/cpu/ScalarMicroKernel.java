package dev.deltaprop.cpu;

/**
 * The micro-kernel in plain Java, for JVMs without {@code jdk.incubator.vector}: a {@code 4 × 256}
 * tile whose inner loop C2 compiles to SIMD instructions (superword).
 *
 * <p>Why it looks the way it does (JDK 17's C2, measured): superword vectorises
 * {@code c[j] += a·b[j]} only when every array in the loop is indexed by the same expression;
 * {@code tile[t + j] += a·b[off + j]} with two different run-time offsets stays scalar (C2 cannot
 * rule out that the arrays alias), at 2–5 GFLOP/s. So each row of the tile is its own array, the
 * {@code B} row is first copied into {@code row} (one {@code arraycopy} per {@code p}), and all
 * five arrays are indexed by {@code j}: about 18 GFLOP/s per core. {@code NR = 256} because the
 * vectorised loop's entry and exit cost is paid per row and {@code p}; a 64-wide loop ran at 8.
 * Multiply and add are separate (Java does not contract {@code a*b+c}), in every tile alike.
 * Holds scratch arrays, so each thread gets its own instance ({@link #forThread()}).
 */
final class ScalarMicroKernel implements MicroKernel {
    static final int MR = 4;
    static final int NR = 256;

    private final float[] c0 = new float[NR];
    private final float[] c1 = new float[NR];
    private final float[] c2 = new float[NR];
    private final float[] c3 = new float[NR];
    private final float[] row = new float[NR];

    @Override
    public MicroKernel forThread() {
        return new ScalarMicroKernel();
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void multiply(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] from, int fromAt,
                         int fromStride, float[] to, int toAt, int toStride, boolean first) {
        start(from, fromAt, fromStride, first);
        for (int p = 0; p < kc; p++) {
            int ap = aOffset + p * MR;
            accumulate(a[ap], a[ap + 1], a[ap + 2], a[ap + 3], b, bOffset + p * NR);
        }
        finish(to, toAt, toStride);
    }

    @Override
    public void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] from, int fromAt,
                             int fromStride, float[] to, int toAt, int toStride, boolean first) {
        start(from, fromAt, fromStride, first);
        for (int p = 0; p < kc; p++) {
            int ap = aOffset + p;
            accumulate(a[ap], a[ap + lda], a[ap + 2 * lda], a[ap + 3 * lda], b, bOffset + p * NR);
        }
        finish(to, toAt, toStride);
    }

    @Override
    public void multiplyColumns(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc, float[] from,
                                int fromAt, int fromStride, float[] to, int toAt, int toStride, boolean first) {
        start(from, fromAt, fromStride, first);
        for (int p = 0; p < kc; p++) {
            int ap = aOffset + p * ldp;
            accumulate(a[ap], a[ap + 1], a[ap + 2], a[ap + 3], b, bOffset + p * NR);
        }
        finish(to, toAt, toStride);
    }

    private void start(float[] tile, int at, int ldc, boolean first) {
        if (first) {
            java.util.Arrays.fill(c0, 0f);
            java.util.Arrays.fill(c1, 0f);
            java.util.Arrays.fill(c2, 0f);
            java.util.Arrays.fill(c3, 0f);
        } else {
            System.arraycopy(tile, at, c0, 0, NR);
            System.arraycopy(tile, at + ldc, c1, 0, NR);
            System.arraycopy(tile, at + 2 * ldc, c2, 0, NR);
            System.arraycopy(tile, at + 3 * ldc, c3, 0, NR);
        }
    }

    /** {@code c_r[j] += a_r · B(p, j)} for the four rows, {@code B}'s row at {@code b[bRow ..]}. */
    private void accumulate(float a0, float a1, float a2, float a3, float[] b, int bRow) {
        float[] row = this.row;
        float[] c0 = this.c0;
        float[] c1 = this.c1;
        float[] c2 = this.c2;
        float[] c3 = this.c3;
        System.arraycopy(b, bRow, row, 0, NR);
        for (int j = 0; j < row.length; j++) {
            float bj = row[j];
            c0[j] += a0 * bj;
            c1[j] += a1 * bj;
            c2[j] += a2 * bj;
            c3[j] += a3 * bj;
        }
    }

    private void finish(float[] tile, int at, int ldc) {
        System.arraycopy(c0, 0, tile, at, NR);
        System.arraycopy(c1, 0, tile, at + ldc, NR);
        System.arraycopy(c2, 0, tile, at + 2 * ldc, NR);
        System.arraycopy(c3, 0, tile, at + 3 * ldc, NR);
    }

    @Override
    public void rowTimesMatrix(float[] x, int xOffset, int k, float[] w, float[] bias, int n, float[] out) {
        System.arraycopy(bias, 0, out, 0, n);
        for (int i = 0; i < k; i++) {
            float xi = x[xOffset + i];
            int start = i * n;
            for (int j = 0; j < n; j++) {
                out[j] += xi * w[start + j];
            }
        }
    }

    @Override
    public String description() {
        return "scalar loops (JIT-vectorised)";
    }
}

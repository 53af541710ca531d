package dev.deltaprop.cpu;

import java.util.Arrays;

/**
 * The micro-kernel in plain Java, for JVMs without {@code jdk.incubator.vector}: the inner loop
 * over the tile's {@code NR} columns is an {@code axpy} that C2 compiles to SIMD instructions
 * (superword), so the tile lives in L1 rather than in registers. {@code NR = 64}, {@code MR = 4}:
 * a longer inner loop amortises the vectorised loop's entry, four rows reuse each {@code B} row.
 * Multiply and add are separate (Java does not contract {@code a*b+c}), in every tile alike.
 */
final class ScalarMicroKernel implements MicroKernel {
    static final int MR = 4;
    static final int NR = 64;
    /**
     * The trip count of the inner loop, deliberately not a compile-time constant: C2 fully unrolls
     * a constant 64-trip loop into straight-line scalar code, which superword then cannot
     * vectorise (measured: 4 GFLOP/s instead of the vectorised loop's rate).
     */
    private final int columns = NR;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void multiply(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] tile, boolean first) {
        if (first) {
            Arrays.fill(tile, 0, MR * NR, 0f);
        }
        int columns = this.columns;
        for (int p = 0; p < kc; p++) {
            int bRow = bOffset + p * NR;
            int aRow = aOffset + p * MR;
            for (int r = 0; r < MR; r++) {
                float ar = a[aRow + r];
                int t = r * columns;
                for (int j = 0; j < columns; j++) {
                    tile[t + j] += ar * b[bRow + j];
                }
            }
        }
    }

    @Override
    public void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] tile,
                             boolean first) {
        if (first) {
            Arrays.fill(tile, 0, MR * NR, 0f);
        }
        int columns = this.columns;
        for (int p = 0; p < kc; p++) {
            int bRow = bOffset + p * NR;
            for (int r = 0; r < MR; r++) {
                float ar = a[aOffset + r * lda + p];
                int t = r * columns;
                for (int j = 0; j < columns; j++) {
                    tile[t + j] += ar * b[bRow + j];
                }
            }
        }
    }

    @Override
    public void rowTimesMatrix(float[] x, int xOffset, int k, float[] w, float[] bias, int n, float[] out) {
        System.arraycopy(bias, 0, out, 0, n);
        for (int i = 0; i < k; i++) {
            float xi = x[xOffset + i];
            int row = i * n;
            for (int j = 0; j < n; j++) {
                out[j] += xi * w[row + j];
            }
        }
    }

    @Override
    public String description() {
        return "scalar loops (JIT-vectorised)";
    }
}

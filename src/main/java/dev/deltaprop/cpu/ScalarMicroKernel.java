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
        for (int p = 0; p < kc; p++) {
            int bRow = bOffset + p * NR;
            int aRow = aOffset + p * MR;
            for (int r = 0; r < MR; r++) {
                float ar = a[aRow + r];
                int t = r * NR;
                for (int j = 0; j < NR; j++) {
                    tile[t + j] += ar * b[bRow + j];
                }
            }
        }
    }

    @Override
    public String description() {
        return "scalar loops (JIT-vectorised)";
    }
}

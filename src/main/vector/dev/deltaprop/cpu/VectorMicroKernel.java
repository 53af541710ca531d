package dev.deltaprop.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernel on the Vector API ({@code jdk.incubator.vector}): a {@code 6 × 2L} tile held
 * in twelve vector registers ({@code L} = lanes of the preferred species: 16 with AVX-512, 8 with
 * AVX2). Per {@code p}: two vector loads of the {@code B} row, six broadcasts of the {@code A}
 * column, twelve FMAs. Twelve independent accumulators cover the FMA latency (4 cycles) on two
 * FMA pipes, and the tile plus operands use 15 of the 32 (AVX-512) registers.
 *
 * <p>Compiled separately with {@code --add-modules jdk.incubator.vector} (see pom.xml) and
 * loaded by {@link MicroKernels} only when the module is in the boot layer.
 */
final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    static final int MR = 6;
    static final int NR = 2 * L;

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
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero; c01 = zero; c10 = zero; c11 = zero; c20 = zero; c21 = zero;
            c30 = zero; c31 = zero; c40 = zero; c41 = zero; c50 = zero; c51 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, tile, 0);
            c01 = FloatVector.fromArray(SPECIES, tile, L);
            c10 = FloatVector.fromArray(SPECIES, tile, NR);
            c11 = FloatVector.fromArray(SPECIES, tile, NR + L);
            c20 = FloatVector.fromArray(SPECIES, tile, 2 * NR);
            c21 = FloatVector.fromArray(SPECIES, tile, 2 * NR + L);
            c30 = FloatVector.fromArray(SPECIES, tile, 3 * NR);
            c31 = FloatVector.fromArray(SPECIES, tile, 3 * NR + L);
            c40 = FloatVector.fromArray(SPECIES, tile, 4 * NR);
            c41 = FloatVector.fromArray(SPECIES, tile, 4 * NR + L);
            c50 = FloatVector.fromArray(SPECIES, tile, 5 * NR);
            c51 = FloatVector.fromArray(SPECIES, tile, 5 * NR + L);
        }
        int ai = aOffset;
        int bi = bOffset;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    @Override
    public void multiplyColumns(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc, float[] tile,
                                boolean first) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero; c01 = zero; c10 = zero; c11 = zero; c20 = zero; c21 = zero;
            c30 = zero; c31 = zero; c40 = zero; c41 = zero; c50 = zero; c51 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, tile, 0);
            c01 = FloatVector.fromArray(SPECIES, tile, L);
            c10 = FloatVector.fromArray(SPECIES, tile, NR);
            c11 = FloatVector.fromArray(SPECIES, tile, NR + L);
            c20 = FloatVector.fromArray(SPECIES, tile, 2 * NR);
            c21 = FloatVector.fromArray(SPECIES, tile, 2 * NR + L);
            c30 = FloatVector.fromArray(SPECIES, tile, 3 * NR);
            c31 = FloatVector.fromArray(SPECIES, tile, 3 * NR + L);
            c40 = FloatVector.fromArray(SPECIES, tile, 4 * NR);
            c41 = FloatVector.fromArray(SPECIES, tile, 4 * NR + L);
            c50 = FloatVector.fromArray(SPECIES, tile, 5 * NR);
            c51 = FloatVector.fromArray(SPECIES, tile, 5 * NR + L);
        }
        int ai = aOffset;
        int bi = bOffset;
        for (int p = 0; p < kc; p++, ai += ldp, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    @Override
    public void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] tile,
                             boolean first) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero; c01 = zero; c10 = zero; c11 = zero; c20 = zero; c21 = zero;
            c30 = zero; c31 = zero; c40 = zero; c41 = zero; c50 = zero; c51 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, tile, 0);
            c01 = FloatVector.fromArray(SPECIES, tile, L);
            c10 = FloatVector.fromArray(SPECIES, tile, NR);
            c11 = FloatVector.fromArray(SPECIES, tile, NR + L);
            c20 = FloatVector.fromArray(SPECIES, tile, 2 * NR);
            c21 = FloatVector.fromArray(SPECIES, tile, 2 * NR + L);
            c30 = FloatVector.fromArray(SPECIES, tile, 3 * NR);
            c31 = FloatVector.fromArray(SPECIES, tile, 3 * NR + L);
            c40 = FloatVector.fromArray(SPECIES, tile, 4 * NR);
            c41 = FloatVector.fromArray(SPECIES, tile, 4 * NR + L);
            c50 = FloatVector.fromArray(SPECIES, tile, 5 * NR);
            c51 = FloatVector.fromArray(SPECIES, tile, 5 * NR + L);
        }
        // six row starts, each advanced by one per p: unit-stride indices the JIT can range-check once
        int r0 = aOffset;
        int r1 = r0 + lda;
        int r2 = r1 + lda;
        int r3 = r2 + lda;
        int r4 = r3 + lda;
        int r5 = r4 + lda;
        int bi = bOffset;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[r4 + p]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[r5 + p]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /**
     * Four vectors of columns at a time (four independent FMA chains), then one vector, then a
     * scalar tail with {@link Math#fma} so that every column is computed the same way.
     */
    @Override
    public void rowTimesMatrix(float[] x, int xOffset, int k, float[] w, float[] bias, int n, float[] out) {
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector s0 = FloatVector.fromArray(SPECIES, bias, j);
            FloatVector s1 = FloatVector.fromArray(SPECIES, bias, j + L);
            FloatVector s2 = FloatVector.fromArray(SPECIES, bias, j + 2 * L);
            FloatVector s3 = FloatVector.fromArray(SPECIES, bias, j + 3 * L);
            for (int i = 0, row = j; i < k; i++, row += n) {
                FloatVector xi = FloatVector.broadcast(SPECIES, x[xOffset + i]);
                s0 = xi.fma(FloatVector.fromArray(SPECIES, w, row), s0);
                s1 = xi.fma(FloatVector.fromArray(SPECIES, w, row + L), s1);
                s2 = xi.fma(FloatVector.fromArray(SPECIES, w, row + 2 * L), s2);
                s3 = xi.fma(FloatVector.fromArray(SPECIES, w, row + 3 * L), s3);
            }
            s0.intoArray(out, j);
            s1.intoArray(out, j + L);
            s2.intoArray(out, j + 2 * L);
            s3.intoArray(out, j + 3 * L);
        }
        for (; j + L <= n; j += L) {
            FloatVector s0 = FloatVector.fromArray(SPECIES, bias, j);
            for (int i = 0, row = j; i < k; i++, row += n) {
                s0 = FloatVector.broadcast(SPECIES, x[xOffset + i]).fma(FloatVector.fromArray(SPECIES, w, row), s0);
            }
            s0.intoArray(out, j);
        }
        for (; j < n; j++) {
            float sum = bias[j];
            for (int i = 0; i < k; i++) {
                sum = Math.fma(x[xOffset + i], w[i * n + j], sum);
            }
            out[j] = sum;
        }
    }

    @Override
    public String description() {
        return "Vector API " + SPECIES.vectorBitSize() + "-bit (jdk.incubator.vector)";
    }
}

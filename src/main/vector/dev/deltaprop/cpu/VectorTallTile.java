package dev.deltaprop.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorMicroKernel}'s tall tile, {@code 14 × 2L}, for 32 vector registers (AVX-512): 28
 * accumulators, the two {@code B} vectors and one broadcast. Per {@code p} 28 FMAs for two
 * vector loads and fourteen broadcasts; each output is summed in increasing {@code p} by one FMA
 * per step, as in the short tile, so the two tiles give the same bits. Three ways to read
 * {@code A}: packed, or in place (narrow products, {@link Gemm#NARROW_COLUMNS}) by rows or by
 * columns. Split from {@link VectorMicroKernel} only to keep each file readable.
 */
final class VectorTallTile {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final int NR = 2 * L;
    private static final int TALL = VectorMicroKernel.TALL;

    private VectorTallTile() {
    }

    /** From packed {@code A}: {@code A(r, p) = a[aOffset + p·TALL + r]}. */
    static void multiply(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] from,
                                     int fromAt, int fromStride, float[] to, int toAt, int toStride,
                                     boolean first) {
        FloatVector c00, c01, c10, c11;
        FloatVector c20, c21, c30, c31;
        FloatVector c40, c41, c50, c51;
        FloatVector c60, c61, c70, c71;
        FloatVector c80, c81, c90, c91;
        FloatVector c100, c101, c110, c111;
        FloatVector c120, c121, c130, c131;
        if (first) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero; c01 = zero; c10 = zero; c11 = zero;
            c20 = zero; c21 = zero; c30 = zero; c31 = zero;
            c40 = zero; c41 = zero; c50 = zero; c51 = zero;
            c60 = zero; c61 = zero; c70 = zero; c71 = zero;
            c80 = zero; c81 = zero; c90 = zero; c91 = zero;
            c100 = zero; c101 = zero; c110 = zero; c111 = zero;
            c120 = zero; c121 = zero; c130 = zero; c131 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, from, fromAt);
            c01 = FloatVector.fromArray(SPECIES, from, fromAt + L);
            c10 = FloatVector.fromArray(SPECIES, from, fromAt + fromStride);
            c11 = FloatVector.fromArray(SPECIES, from, fromAt + fromStride + L);
            c20 = FloatVector.fromArray(SPECIES, from, fromAt + 2 * fromStride);
            c21 = FloatVector.fromArray(SPECIES, from, fromAt + 2 * fromStride + L);
            c30 = FloatVector.fromArray(SPECIES, from, fromAt + 3 * fromStride);
            c31 = FloatVector.fromArray(SPECIES, from, fromAt + 3 * fromStride + L);
            c40 = FloatVector.fromArray(SPECIES, from, fromAt + 4 * fromStride);
            c41 = FloatVector.fromArray(SPECIES, from, fromAt + 4 * fromStride + L);
            c50 = FloatVector.fromArray(SPECIES, from, fromAt + 5 * fromStride);
            c51 = FloatVector.fromArray(SPECIES, from, fromAt + 5 * fromStride + L);
            c60 = FloatVector.fromArray(SPECIES, from, fromAt + 6 * fromStride);
            c61 = FloatVector.fromArray(SPECIES, from, fromAt + 6 * fromStride + L);
            c70 = FloatVector.fromArray(SPECIES, from, fromAt + 7 * fromStride);
            c71 = FloatVector.fromArray(SPECIES, from, fromAt + 7 * fromStride + L);
            c80 = FloatVector.fromArray(SPECIES, from, fromAt + 8 * fromStride);
            c81 = FloatVector.fromArray(SPECIES, from, fromAt + 8 * fromStride + L);
            c90 = FloatVector.fromArray(SPECIES, from, fromAt + 9 * fromStride);
            c91 = FloatVector.fromArray(SPECIES, from, fromAt + 9 * fromStride + L);
            c100 = FloatVector.fromArray(SPECIES, from, fromAt + 10 * fromStride);
            c101 = FloatVector.fromArray(SPECIES, from, fromAt + 10 * fromStride + L);
            c110 = FloatVector.fromArray(SPECIES, from, fromAt + 11 * fromStride);
            c111 = FloatVector.fromArray(SPECIES, from, fromAt + 11 * fromStride + L);
            c120 = FloatVector.fromArray(SPECIES, from, fromAt + 12 * fromStride);
            c121 = FloatVector.fromArray(SPECIES, from, fromAt + 12 * fromStride + L);
            c130 = FloatVector.fromArray(SPECIES, from, fromAt + 13 * fromStride);
            c131 = FloatVector.fromArray(SPECIES, from, fromAt + 13 * fromStride + L);
        }
        int ai = aOffset;
        int bi = bOffset;
        for (int p = 0; p < kc; p++, ai += TALL, bi += NR) {
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
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(SPECIES, a[ai + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(SPECIES, a[ai + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(SPECIES, a[ai + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(SPECIES, a[ai + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
            FloatVector a12 = FloatVector.broadcast(SPECIES, a[ai + 12]);
            c120 = a12.fma(b0, c120);
            c121 = a12.fma(b1, c121);
            FloatVector a13 = FloatVector.broadcast(SPECIES, a[ai + 13]);
            c130 = a13.fma(b0, c130);
            c131 = a13.fma(b1, c131);
        }
        c00.intoArray(to, toAt);
        c01.intoArray(to, toAt + L);
        c10.intoArray(to, toAt + toStride);
        c11.intoArray(to, toAt + toStride + L);
        c20.intoArray(to, toAt + 2 * toStride);
        c21.intoArray(to, toAt + 2 * toStride + L);
        c30.intoArray(to, toAt + 3 * toStride);
        c31.intoArray(to, toAt + 3 * toStride + L);
        c40.intoArray(to, toAt + 4 * toStride);
        c41.intoArray(to, toAt + 4 * toStride + L);
        c50.intoArray(to, toAt + 5 * toStride);
        c51.intoArray(to, toAt + 5 * toStride + L);
        c60.intoArray(to, toAt + 6 * toStride);
        c61.intoArray(to, toAt + 6 * toStride + L);
        c70.intoArray(to, toAt + 7 * toStride);
        c71.intoArray(to, toAt + 7 * toStride + L);
        c80.intoArray(to, toAt + 8 * toStride);
        c81.intoArray(to, toAt + 8 * toStride + L);
        c90.intoArray(to, toAt + 9 * toStride);
        c91.intoArray(to, toAt + 9 * toStride + L);
        c100.intoArray(to, toAt + 10 * toStride);
        c101.intoArray(to, toAt + 10 * toStride + L);
        c110.intoArray(to, toAt + 11 * toStride);
        c111.intoArray(to, toAt + 11 * toStride + L);
        c120.intoArray(to, toAt + 12 * toStride);
        c121.intoArray(to, toAt + 12 * toStride + L);
        c130.intoArray(to, toAt + 13 * toStride);
        c131.intoArray(to, toAt + 13 * toStride + L);
    }

    /** Reading {@code A(r, p) = a[aOffset + p·ldp + r]} in place. */
    static void multiplyColumns(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc, float[] from,
                                     int fromAt, int fromStride, float[] to, int toAt, int toStride,
                                     boolean first) {
        FloatVector c00, c01, c10, c11;
        FloatVector c20, c21, c30, c31;
        FloatVector c40, c41, c50, c51;
        FloatVector c60, c61, c70, c71;
        FloatVector c80, c81, c90, c91;
        FloatVector c100, c101, c110, c111;
        FloatVector c120, c121, c130, c131;
        if (first) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero; c01 = zero; c10 = zero; c11 = zero;
            c20 = zero; c21 = zero; c30 = zero; c31 = zero;
            c40 = zero; c41 = zero; c50 = zero; c51 = zero;
            c60 = zero; c61 = zero; c70 = zero; c71 = zero;
            c80 = zero; c81 = zero; c90 = zero; c91 = zero;
            c100 = zero; c101 = zero; c110 = zero; c111 = zero;
            c120 = zero; c121 = zero; c130 = zero; c131 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, from, fromAt);
            c01 = FloatVector.fromArray(SPECIES, from, fromAt + L);
            c10 = FloatVector.fromArray(SPECIES, from, fromAt + fromStride);
            c11 = FloatVector.fromArray(SPECIES, from, fromAt + fromStride + L);
            c20 = FloatVector.fromArray(SPECIES, from, fromAt + 2 * fromStride);
            c21 = FloatVector.fromArray(SPECIES, from, fromAt + 2 * fromStride + L);
            c30 = FloatVector.fromArray(SPECIES, from, fromAt + 3 * fromStride);
            c31 = FloatVector.fromArray(SPECIES, from, fromAt + 3 * fromStride + L);
            c40 = FloatVector.fromArray(SPECIES, from, fromAt + 4 * fromStride);
            c41 = FloatVector.fromArray(SPECIES, from, fromAt + 4 * fromStride + L);
            c50 = FloatVector.fromArray(SPECIES, from, fromAt + 5 * fromStride);
            c51 = FloatVector.fromArray(SPECIES, from, fromAt + 5 * fromStride + L);
            c60 = FloatVector.fromArray(SPECIES, from, fromAt + 6 * fromStride);
            c61 = FloatVector.fromArray(SPECIES, from, fromAt + 6 * fromStride + L);
            c70 = FloatVector.fromArray(SPECIES, from, fromAt + 7 * fromStride);
            c71 = FloatVector.fromArray(SPECIES, from, fromAt + 7 * fromStride + L);
            c80 = FloatVector.fromArray(SPECIES, from, fromAt + 8 * fromStride);
            c81 = FloatVector.fromArray(SPECIES, from, fromAt + 8 * fromStride + L);
            c90 = FloatVector.fromArray(SPECIES, from, fromAt + 9 * fromStride);
            c91 = FloatVector.fromArray(SPECIES, from, fromAt + 9 * fromStride + L);
            c100 = FloatVector.fromArray(SPECIES, from, fromAt + 10 * fromStride);
            c101 = FloatVector.fromArray(SPECIES, from, fromAt + 10 * fromStride + L);
            c110 = FloatVector.fromArray(SPECIES, from, fromAt + 11 * fromStride);
            c111 = FloatVector.fromArray(SPECIES, from, fromAt + 11 * fromStride + L);
            c120 = FloatVector.fromArray(SPECIES, from, fromAt + 12 * fromStride);
            c121 = FloatVector.fromArray(SPECIES, from, fromAt + 12 * fromStride + L);
            c130 = FloatVector.fromArray(SPECIES, from, fromAt + 13 * fromStride);
            c131 = FloatVector.fromArray(SPECIES, from, fromAt + 13 * fromStride + L);
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
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(SPECIES, a[ai + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(SPECIES, a[ai + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(SPECIES, a[ai + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(SPECIES, a[ai + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
            FloatVector a12 = FloatVector.broadcast(SPECIES, a[ai + 12]);
            c120 = a12.fma(b0, c120);
            c121 = a12.fma(b1, c121);
            FloatVector a13 = FloatVector.broadcast(SPECIES, a[ai + 13]);
            c130 = a13.fma(b0, c130);
            c131 = a13.fma(b1, c131);
        }
        c00.intoArray(to, toAt);
        c01.intoArray(to, toAt + L);
        c10.intoArray(to, toAt + toStride);
        c11.intoArray(to, toAt + toStride + L);
        c20.intoArray(to, toAt + 2 * toStride);
        c21.intoArray(to, toAt + 2 * toStride + L);
        c30.intoArray(to, toAt + 3 * toStride);
        c31.intoArray(to, toAt + 3 * toStride + L);
        c40.intoArray(to, toAt + 4 * toStride);
        c41.intoArray(to, toAt + 4 * toStride + L);
        c50.intoArray(to, toAt + 5 * toStride);
        c51.intoArray(to, toAt + 5 * toStride + L);
        c60.intoArray(to, toAt + 6 * toStride);
        c61.intoArray(to, toAt + 6 * toStride + L);
        c70.intoArray(to, toAt + 7 * toStride);
        c71.intoArray(to, toAt + 7 * toStride + L);
        c80.intoArray(to, toAt + 8 * toStride);
        c81.intoArray(to, toAt + 8 * toStride + L);
        c90.intoArray(to, toAt + 9 * toStride);
        c91.intoArray(to, toAt + 9 * toStride + L);
        c100.intoArray(to, toAt + 10 * toStride);
        c101.intoArray(to, toAt + 10 * toStride + L);
        c110.intoArray(to, toAt + 11 * toStride);
        c111.intoArray(to, toAt + 11 * toStride + L);
        c120.intoArray(to, toAt + 12 * toStride);
        c121.intoArray(to, toAt + 12 * toStride + L);
        c130.intoArray(to, toAt + 13 * toStride);
        c131.intoArray(to, toAt + 13 * toStride + L);
    }

    /** Reading {@code A(r, p) = a[aOffset + r·lda + p]} in place. */
    static void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] from,
                                     int fromAt, int fromStride, float[] to, int toAt, int toStride,
                                     boolean first) {
        FloatVector c00, c01, c10, c11;
        FloatVector c20, c21, c30, c31;
        FloatVector c40, c41, c50, c51;
        FloatVector c60, c61, c70, c71;
        FloatVector c80, c81, c90, c91;
        FloatVector c100, c101, c110, c111;
        FloatVector c120, c121, c130, c131;
        if (first) {
            FloatVector zero = FloatVector.zero(SPECIES);
            c00 = zero; c01 = zero; c10 = zero; c11 = zero;
            c20 = zero; c21 = zero; c30 = zero; c31 = zero;
            c40 = zero; c41 = zero; c50 = zero; c51 = zero;
            c60 = zero; c61 = zero; c70 = zero; c71 = zero;
            c80 = zero; c81 = zero; c90 = zero; c91 = zero;
            c100 = zero; c101 = zero; c110 = zero; c111 = zero;
            c120 = zero; c121 = zero; c130 = zero; c131 = zero;
        } else {
            c00 = FloatVector.fromArray(SPECIES, from, fromAt);
            c01 = FloatVector.fromArray(SPECIES, from, fromAt + L);
            c10 = FloatVector.fromArray(SPECIES, from, fromAt + fromStride);
            c11 = FloatVector.fromArray(SPECIES, from, fromAt + fromStride + L);
            c20 = FloatVector.fromArray(SPECIES, from, fromAt + 2 * fromStride);
            c21 = FloatVector.fromArray(SPECIES, from, fromAt + 2 * fromStride + L);
            c30 = FloatVector.fromArray(SPECIES, from, fromAt + 3 * fromStride);
            c31 = FloatVector.fromArray(SPECIES, from, fromAt + 3 * fromStride + L);
            c40 = FloatVector.fromArray(SPECIES, from, fromAt + 4 * fromStride);
            c41 = FloatVector.fromArray(SPECIES, from, fromAt + 4 * fromStride + L);
            c50 = FloatVector.fromArray(SPECIES, from, fromAt + 5 * fromStride);
            c51 = FloatVector.fromArray(SPECIES, from, fromAt + 5 * fromStride + L);
            c60 = FloatVector.fromArray(SPECIES, from, fromAt + 6 * fromStride);
            c61 = FloatVector.fromArray(SPECIES, from, fromAt + 6 * fromStride + L);
            c70 = FloatVector.fromArray(SPECIES, from, fromAt + 7 * fromStride);
            c71 = FloatVector.fromArray(SPECIES, from, fromAt + 7 * fromStride + L);
            c80 = FloatVector.fromArray(SPECIES, from, fromAt + 8 * fromStride);
            c81 = FloatVector.fromArray(SPECIES, from, fromAt + 8 * fromStride + L);
            c90 = FloatVector.fromArray(SPECIES, from, fromAt + 9 * fromStride);
            c91 = FloatVector.fromArray(SPECIES, from, fromAt + 9 * fromStride + L);
            c100 = FloatVector.fromArray(SPECIES, from, fromAt + 10 * fromStride);
            c101 = FloatVector.fromArray(SPECIES, from, fromAt + 10 * fromStride + L);
            c110 = FloatVector.fromArray(SPECIES, from, fromAt + 11 * fromStride);
            c111 = FloatVector.fromArray(SPECIES, from, fromAt + 11 * fromStride + L);
            c120 = FloatVector.fromArray(SPECIES, from, fromAt + 12 * fromStride);
            c121 = FloatVector.fromArray(SPECIES, from, fromAt + 12 * fromStride + L);
            c130 = FloatVector.fromArray(SPECIES, from, fromAt + 13 * fromStride);
            c131 = FloatVector.fromArray(SPECIES, from, fromAt + 13 * fromStride + L);
        }
        // fourteen row starts advanced by one per p: unit-stride indices the JIT range-checks once
        int r0 = aOffset;
        int r1 = r0 + lda;
        int r2 = r1 + lda;
        int r3 = r2 + lda;
        int r4 = r3 + lda;
        int r5 = r4 + lda;
        int r6 = r5 + lda;
        int r7 = r6 + lda;
        int r8 = r7 + lda;
        int r9 = r8 + lda;
        int r10 = r9 + lda;
        int r11 = r10 + lda;
        int r12 = r11 + lda;
        int r13 = r12 + lda;
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
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[r6 + p]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[r7 + p]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(SPECIES, a[r8 + p]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(SPECIES, a[r9 + p]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(SPECIES, a[r10 + p]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(SPECIES, a[r11 + p]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
            FloatVector a12 = FloatVector.broadcast(SPECIES, a[r12 + p]);
            c120 = a12.fma(b0, c120);
            c121 = a12.fma(b1, c121);
            FloatVector a13 = FloatVector.broadcast(SPECIES, a[r13 + p]);
            c130 = a13.fma(b0, c130);
            c131 = a13.fma(b1, c131);
        }
        c00.intoArray(to, toAt);
        c01.intoArray(to, toAt + L);
        c10.intoArray(to, toAt + toStride);
        c11.intoArray(to, toAt + toStride + L);
        c20.intoArray(to, toAt + 2 * toStride);
        c21.intoArray(to, toAt + 2 * toStride + L);
        c30.intoArray(to, toAt + 3 * toStride);
        c31.intoArray(to, toAt + 3 * toStride + L);
        c40.intoArray(to, toAt + 4 * toStride);
        c41.intoArray(to, toAt + 4 * toStride + L);
        c50.intoArray(to, toAt + 5 * toStride);
        c51.intoArray(to, toAt + 5 * toStride + L);
        c60.intoArray(to, toAt + 6 * toStride);
        c61.intoArray(to, toAt + 6 * toStride + L);
        c70.intoArray(to, toAt + 7 * toStride);
        c71.intoArray(to, toAt + 7 * toStride + L);
        c80.intoArray(to, toAt + 8 * toStride);
        c81.intoArray(to, toAt + 8 * toStride + L);
        c90.intoArray(to, toAt + 9 * toStride);
        c91.intoArray(to, toAt + 9 * toStride + L);
        c100.intoArray(to, toAt + 10 * toStride);
        c101.intoArray(to, toAt + 10 * toStride + L);
        c110.intoArray(to, toAt + 11 * toStride);
        c111.intoArray(to, toAt + 11 * toStride + L);
        c120.intoArray(to, toAt + 12 * toStride);
        c121.intoArray(to, toAt + 12 * toStride + L);
        c130.intoArray(to, toAt + 13 * toStride);
        c131.intoArray(to, toAt + 13 * toStride + L);
    }
}

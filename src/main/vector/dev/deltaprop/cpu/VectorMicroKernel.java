package dev.deltaprop.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernel on the Vector API ({@code jdk.incubator.vector}): an {@code MR × 2L} tile held
 * in {@code 2·MR} vector registers ({@code L} = lanes of the preferred species: 16 with AVX-512,
 * 8 with AVX2). Per {@code p}: two vector loads of the {@code B} row, {@code MR} broadcasts of the
 * {@code A} column, {@code 2·MR} FMAs.
 *
 * <p>{@code MR} follows the register file. With 512-bit vectors (AVX-512: 32 registers) the tile
 * is {@code 14 × 32}: 28 accumulators, the two {@code B} vectors and one broadcast use 31
 * registers, and each {@code p} does 28 FMAs for 16 loads, so the loads no longer compete with
 * the FMAs (measured on this project's AVX-512 machine, one core, the kernel alone with {@code A}
 * streaming from L2: 6 × 32 reached 142, 12 × 32 165, 14 × 32 176 GFLOP/s; docs/perf-cpu.md).
 * Narrower vectors (AVX2: 16 registers) keep the {@code 6 × 2L} tile: 12 accumulators, two
 * {@code B} vectors and one broadcast are 15 registers. So do JDKs after 17 with AVX-512
 * ({@link #defaultRows}: JDK 25 compiles the tall tile to run at two thirds of the short one). Either way twelve or more independent
 * accumulators cover the FMA latency (4 cycles) on two FMA pipes.
 *
 * <p>Compiled separately with {@code --add-modules jdk.incubator.vector} (see pom.xml) and
 * loaded by {@link MicroKernels} only when the module is in the boot layer.
 */
final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    static final int NR = 2 * L;
    /** The tall tile's rows, for 32 vector registers. */
    static final int TALL = 14;
    /** The short tile's rows, for 16 vector registers. */
    static final int SHORT = 6;

    /**
     * The accumulators a tile starts from when {@code first}: the kernels always load theirs, and
     * have no {@code first} branch. With the branch, the JIT compiled a kernel for the side its
     * profile had seen, deoptimised it at the other side's first use (JFR: {@code unstable_if}) and
     * ran it uncompiled until a recompile: the Vector API's Java fallback, which boxes every vector
     * and is two orders of magnitude slower. Seen in {@code CpuPerf shapes} on a loaded machine
     * (docs/perf.md). Starting from a loaded {@code +0} or from a zero register gives the same bits.
     */
    private static final float[] ZEROS = new float[TALL * NR];

    private final int mr;

    /** The tile for this JVM ({@link #defaultRows}). */
    VectorMicroKernel() {
        this(defaultRows(Runtime.version().feature(), SPECIES.vectorBitSize()));
    }

    /**
     * {@link #TALL} rows with 512-bit vectors on JDK 17, else {@link #SHORT}. The tall tile needs
     * 31 of the 32 vector registers, and only JDK 17's C2 was measured to compile it at the short
     * tile's speed or better: JDK 25's ran it at two thirds of the short one (Zen 5, one core,
     * FamilyPerf on wide's 512×2048×2048: 110–114 against 167–174 GFLOP/s, where JDK 17 ran 173–177
     * and 170–172; docs/perf.md). JDKs between were not measured; {@code -Ddeltaprop.cpu.tile}
     * chooses ({@link MicroKernels#tileRows}).
     */
    static int defaultRows(int jdkFeature, int vectorBits) {
        return vectorBits >= 512 && jdkFeature <= 17 ? TALL : SHORT;
    }

    /** @param mr {@link #TALL} or {@link #SHORT} (tests run both on one machine) */
    VectorMicroKernel(int mr) {
        if (mr != TALL && mr != SHORT) {
            throw new IllegalArgumentException("mr: expected " + SHORT + " or " + TALL + ", found " + mr);
        }
        this.mr = mr;
    }

    @Override
    public int mr() {
        return mr;
    }

    @Override
    public boolean warmsUpFirst() {
        return true;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void copyPanelRow(float[] from, int fromAt, float[] to, int toAt) {
        FloatVector.fromArray(SPECIES, from, fromAt).intoArray(to, toAt);
        FloatVector.fromArray(SPECIES, from, fromAt + L).intoArray(to, toAt + L);
    }

    @Override
    public void multiply(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] from, int fromAt,
                         int fromStride, float[] to, int toAt, int toStride, boolean first) {
        if (first) {
            from = ZEROS; fromAt = 0; fromStride = NR;
        }
        if (mr == TALL) {
            VectorTallTile.multiply(a, aOffset, b, bOffset, kc, from, fromAt, fromStride, to, toAt, toStride);
        } else {
            multiplyShort(a, aOffset, b, bOffset, kc, from, fromAt, fromStride, to, toAt, toStride);
        }
    }

    @Override
    public void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] from, int fromAt,
                             int fromStride, float[] to, int toAt, int toStride, boolean first) {
        if (first) {
            from = ZEROS; fromAt = 0; fromStride = NR;
        }
        if (mr == TALL) {
            VectorTallTile.multiplyRows(a, aOffset, lda, b, bOffset, kc, from, fromAt, fromStride, to, toAt, toStride);
            return;
        }
        multiplyRowsShort(a, aOffset, lda, b, bOffset, kc, from, fromAt, fromStride, to, toAt, toStride);
    }

    @Override
    public void multiplyColumns(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc, float[] from,
                                int fromAt, int fromStride, float[] to, int toAt, int toStride, boolean first) {
        if (first) {
            from = ZEROS; fromAt = 0; fromStride = NR;
        }
        if (mr == TALL) {
            VectorTallTile.multiplyColumns(a, aOffset, ldp, b, bOffset, kc, from, fromAt, fromStride, to, toAt, toStride);
            return;
        }
        multiplyColumnsShort(a, aOffset, ldp, b, bOffset, kc, from, fromAt, fromStride, to, toAt, toStride);
    }

    /** The short tile reading {@code A(r, p) = a[aOffset + p·ldp + r]} in place. */
    private static void multiplyColumnsShort(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc,
            float[] from, int fromAt, int fromStride, float[] to, int toAt, int toStride) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
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
        int ai = aOffset;
        int bi = bOffset;
        // the loop runs on one index to its end (see multiplyShort): here bi, whose end is inside the
        // packed B panel, since ai's (aOffset + ldp·kc) could pass Integer.MAX_VALUE for a large ldp
        for (int bEnd = bOffset + NR * kc; bi < bEnd; ai += ldp, bi += NR) {
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
    }

    /** The short tile reading {@code A(r, p) = a[aOffset + r·lda + p]} in place. */
    private static void multiplyRowsShort(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc,
            float[] from, int fromAt, int fromStride, float[] to, int toAt, int toStride) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
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
        // row r's element p is a[r0 + d_r] with r0 advanced by one per p and d_r = r·lda fixed:
        // the loop runs on r0 to its end (see multiplyShort: 82-90 against 77-80 GFLOP/s with a counter p)
        int d1 = lda;
        int d2 = 2 * lda;
        int d3 = 3 * lda;
        int d4 = 4 * lda;
        int d5 = 5 * lda;
        int bi = bOffset;
        for (int r0 = aOffset, end = aOffset + kc; r0 < end; r0++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[r0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[r0 + d1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[r0 + d2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[r0 + d3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[r0 + d4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[r0 + d5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
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
    }

    /** The {@code 6 × 2L} tile. */
    private static void multiplyShort(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] from,
                                      int fromAt, int fromStride, float[] to, int toAt, int toStride) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
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
        int ai = aOffset;
        int bi = bOffset;
        // The loop runs on one index to its end, not on a counter p beside ai and bi: on Zen 3 (AVX2)
        // C2 compiled the counter form to 70-72 GFLOP/s and this form to 90-95 on one core, the
        // kernel alone (docs/perf.md, "cpu on an AVX2 machine"). Same FMAs in the same order.
        for (int end = aOffset + SHORT * kc; ai < end; ai += SHORT, bi += NR) {
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

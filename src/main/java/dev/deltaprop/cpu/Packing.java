package dev.deltaprop.cpu;

/**
 * {@link Gemm}'s packing: a slice of {@code B} into {@code NR}-column micro-panels, a panel of
 * {@code A} into {@code MR} rows interleaved per {@code p}, whatever the strides. Copies only: the
 * packed values are the operands' own, so packing never changes a product's bits.
 */
final class Packing {
    private Packing() {
    }

    /**
     * {@code packed[(j/NR)·panelStride + p·NR + j%NR] = B(pc+p, jc+j)} for {@code p < kc}, zero
     * beyond column {@code ncBlock}.
     */
    static void packB(float[] b, int bOffset, int bRowStride, int bColStride, int pc, int kc, int jc, int ncBlock,
                      float[] packedB, int panelStride, int nr) {
        for (int jr = 0; jr < ncBlock; jr += nr) {
            int cols = Math.min(nr, ncBlock - jr);
            int panel = jr / nr * panelStride;
            int source = bOffset + pc * bRowStride + (jc + jr) * bColStride;
            if (bColStride == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, source + p * bRowStride, packedB, panel + p * nr, cols);
                }
            } else {
                // Wᵀ of the δ pass: eight source rows walked along p together, each step writing
                // eight adjacent floats of the micro-panel. One row at a time wrote one float per
                // 128-byte row of the panel (64 KiB at KC = 512, past L1) and was 2–3× slower
                // (wide's 2048×2048 W, one core: 5.5–9.5 ms against 2.5–2.7); more rows than eight
                // a power-of-two stride apart fall into one L1 set, past its eight ways.
                int j = 0;
                for (; j + 8 <= cols; j += 8) {
                    int r0 = source + j * bColStride;
                    int r1 = r0 + bColStride;
                    int r2 = r1 + bColStride;
                    int r3 = r2 + bColStride;
                    int r4 = r3 + bColStride;
                    int r5 = r4 + bColStride;
                    int r6 = r5 + bColStride;
                    int r7 = r6 + bColStride;
                    for (int p = 0, from = 0, to = panel + j; p < kc; p++, from += bRowStride, to += nr) {
                        packedB[to] = b[r0 + from];
                        packedB[to + 1] = b[r1 + from];
                        packedB[to + 2] = b[r2 + from];
                        packedB[to + 3] = b[r3 + from];
                        packedB[to + 4] = b[r4 + from];
                        packedB[to + 5] = b[r5 + from];
                        packedB[to + 6] = b[r6 + from];
                        packedB[to + 7] = b[r7 + from];
                    }
                }
                for (; j < cols; j++) {
                    int row = source + j * bColStride;
                    for (int p = 0; p < kc; p++) {
                        packedB[panel + p * nr + j] = b[row + p * bRowStride];
                    }
                }
            }
            if (cols < nr) {
                for (int p = 0; p < kc; p++) {
                    for (int j = cols; j < nr; j++) {
                        packedB[panel + p * nr + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * One panel: {@code packedA[at + p·MR + r] = A(row + r, pc + p)} for {@code p < kc},
     * {@code r < rows}, zero for {@code rows ≤ r < MR}.
     */
    static void packA(float[] a, int aOffset, int aRowStride, int aColStride, int row, int rows, int pc, int kc,
                              float[] packed, int at, int mr) {
        int source = aOffset + row * aRowStride + pc * aColStride;
        if (aRowStride == 1) {
            // Zᵀ of the update: the panel's rows are adjacent in memory, read them together
            for (int p = 0; p < kc; p++) {
                System.arraycopy(a, source + p * aColStride, packed, at + p * mr, rows);
            }
        } else {
            // seven rows walked along p together, each step writing seven adjacent floats (as
            // packB's Wᵀ: one row at a time wrote one float per MR-float row of the panel); seven
            // rows a power-of-two stride apart still fit the eight ways of one L1 set
            int r = 0;
            for (; r + 7 <= rows; r += 7) {
                int r0 = source + r * aRowStride;
                int r1 = r0 + aRowStride;
                int r2 = r1 + aRowStride;
                int r3 = r2 + aRowStride;
                int r4 = r3 + aRowStride;
                int r5 = r4 + aRowStride;
                int r6 = r5 + aRowStride;
                for (int p = 0, from = 0, to = at + r; p < kc; p++, from += aColStride, to += mr) {
                    packed[to] = a[r0 + from];
                    packed[to + 1] = a[r1 + from];
                    packed[to + 2] = a[r2 + from];
                    packed[to + 3] = a[r3 + from];
                    packed[to + 4] = a[r4 + from];
                    packed[to + 5] = a[r5 + from];
                    packed[to + 6] = a[r6 + from];
                }
            }
            for (; r < rows; r++) {
                for (int p = 0, from = source + r * aRowStride, to = at + r; p < kc; p++, from += aColStride, to += mr) {
                    packed[to] = a[from];
                }
            }
        }
        if (rows < mr) {
            for (int p = 0; p < kc; p++) {
                java.util.Arrays.fill(packed, at + p * mr + rows, at + (p + 1) * mr, 0f);
            }
        }
    }
}

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
     * beyond column {@code ncBlock}, {@code NR} the kernel's ({@link MicroKernel#nr}), whose
     * {@link MicroKernel#copyPanelRow} moves a row-major {@code B}'s whole panel rows.
     */
    static void packB(float[] b, int bOffset, int bRowStride, int bColStride, int pc, int kc, int jc, int ncBlock,
                      float[] packedB, int panelStride, MicroKernel kernel) {
        int nr = kernel.nr();
        if (bColStride == 1) {
            packRowsB(b, bOffset, bRowStride, pc, kc, jc, ncBlock, packedB, panelStride, kernel);
            return;
        }
        for (int jr = 0; jr < ncBlock; jr += nr) {
            int cols = Math.min(nr, ncBlock - jr);
            int panel = jr / nr * panelStride;
            int source = bOffset + pc * bRowStride + (jc + jr) * bColStride;
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
            zeroPadding(packedB, panel, kc, nr, cols);
        }
    }

    /** Panels {@link #packRowsB} fills together: one row's run of {@code B} is this many panels wide. */
    static final int PANELS_PER_ROW_RUN = 8;

    /**
     * {@link #packB} of a row-major {@code B} (the forward's {@code W}, the update's {@code δ}), row
     * by row across up to {@link #PANELS_PER_ROW_RUN} panels: each row of {@code B} is read as one
     * run of {@code 8·NR} floats (1 KiB at NR = 32) before the next row, a row stride further on.
     * Panel by panel, each step read {@code NR} floats and jumped a row: with {@code wide}'s 8 KiB rows
     * every read was a new page, out of reach of the prefetchers, and packing took a tenth of the
     * forward GEMM. More panels per run would write more streams, a panel stride (64 KiB) apart,
     * than one L1 set has ways. A whole panel row moves by the kernel's {@link MicroKernel#copyPanelRow}
     * (two vector moves at NR = 2L), the partial last one by {@code System.arraycopy}.
     */
    private static void packRowsB(float[] b, int bOffset, int bRowStride, int pc, int kc, int jc, int ncBlock,
                                  float[] packedB, int panelStride, MicroKernel kernel) {
        int nr = kernel.nr();
        int runWidth = PANELS_PER_ROW_RUN * nr;
        for (int j0 = 0; j0 < ncBlock; j0 += runWidth) {
            int j1 = Math.min(ncBlock, j0 + runWidth);
            int whole = j0 + (j1 - j0) / nr * nr; // the run's whole panels end here
            int firstPanel = j0 / nr * panelStride;
            for (int p = 0, source = bOffset + pc * bRowStride + jc; p < kc; p++, source += bRowStride) {
                int jr = j0;
                int panel = firstPanel + p * nr;
                for (; jr < whole; jr += nr, panel += panelStride) {
                    kernel.copyPanelRow(b, source + jr, packedB, panel);
                }
                if (jr < j1) {
                    System.arraycopy(b, source + jr, packedB, panel, j1 - jr);
                }
            }
            int last = (j1 - 1) / nr * nr; // the run's last panel, partial where ncBlock ends in it
            zeroPadding(packedB, last / nr * panelStride, kc, nr, j1 - last);
        }
    }

    /**
     * {@link #packA} of the consecutive panels that hold rows {@code [row, row + rows)}, panel
     * {@code i} at {@code at + i·panelStride} (the last partial, zero-padded). Where those rows are
     * adjacent in memory for each {@code p} ({@code Zᵀ} of the update, {@code aRowStride == 1}) it
     * reads each {@code p}'s run of them once across all the panels: panel by panel, each step read
     * {@code MR} floats and jumped a whole row of {@code Z} ({@code wide}'s 8 KiB), the pattern that
     * made {@link #packRowsB} necessary. Otherwise it packs panel by panel.
     */
    static void packPanelsA(float[] a, int aOffset, int aRowStride, int aColStride, int row, int rows, int pc, int kc,
                            float[] packed, int at, int panelStride, int mr) {
        int panels = (rows + mr - 1) / mr;
        if (aRowStride != 1 || panels == 1) {
            for (int i = 0; i < panels; i++) {
                packA(a, aOffset, aRowStride, aColStride, row + i * mr, Math.min(mr, rows - i * mr), pc, kc, packed,
                        at + i * panelStride, mr);
            }
            return;
        }
        for (int p = 0, source = aOffset + row + pc * aColStride; p < kc; p++, source += aColStride) {
            for (int r = 0, to = at + p * mr; r < rows; r += mr, to += panelStride) {
                System.arraycopy(a, source + r, packed, to, Math.min(mr, rows - r));
            }
        }
        zeroPadding(packed, at + (panels - 1) * panelStride, kc, mr, rows - (panels - 1) * mr);
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
        zeroPadding(packed, at, kc, mr, rows);
    }

    /**
     * A partial panel's padding: in each of its {@code kc} steps of {@code width} values, those past
     * the first {@code used} are zero (read by the micro-kernel, so they must add nothing).
     */
    private static void zeroPadding(float[] packed, int panel, int kc, int width, int used) {
        if (used < width) {
            for (int p = 0, at = panel; p < kc; p++, at += width) {
                java.util.Arrays.fill(packed, at + used, at + width, 0f);
            }
        }
    }
}

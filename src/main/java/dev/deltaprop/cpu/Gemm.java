package dev.deltaprop.cpu;

/**
 * One thread's cache-blocked, packed GEMM over a rectangle of the output,
 *
 * <pre>  C(r, j) = Σ_{p<K} A(r, p) · B(p, j),   m0 ≤ r < m1, n0 ≤ j < n1</pre>
 *
 * with {@code A(r, p) = a[aOffset + r·aRowStride + p·aColStride]} and
 * {@code B(p, j) = b[bOffset + p·bRowStride + j·bColStride]}: the strides express the three shapes
 * of DESIGN §1 without copying (NN forward: {@code Z W}; NT δ: {@code Δ Wᵀ}; TN update:
 * {@code Zᵀ Δ}). Each finished tile goes through an {@link Epilogue} (bias and {@code f}, or
 * {@code ⊙ f'}, or the SGD step), so no pass over the output follows the GEMM.
 *
 * <p>Blocking (Goto/BLIS): the {@code K} dimension in slices of {@link #KC} so that a packed
 * {@code KC × NR} micro-panel of {@code B} (32 KiB) stays in L1 while every {@code MR}-row panel of
 * the {@code MC × KC} block of {@code A} (L2) streams past it; {@code B} in blocks of {@code NC}
 * columns. {@code A} is read in place wherever its layout allows — rows contiguous in {@code p}
 * (forward, δ: {@link MicroKernel#multiplyRows}) or a panel's rows adjacent for each {@code p}
 * (update: {@link MicroKernel#multiplyColumns}) — and packed only for a partial edge panel:
 * packing cost a full copy of {@code A} per chunk, about 15% of {@code mnist}'s first forward
 * layer and a third of the update once chunks were claimed dynamically. Packing pads partial panels with zeros, so the micro-kernel always runs full tiles and
 * only the epilogue looks at the edges. Between {@code K} slices the partial sums wait in
 * {@code partial} (the epilogue's output array, or a scratch array), and every output is summed
 * in increasing {@code p}: the split of the output among threads never changes a result.
 *
 * <p>A {@code Gemm} owns its packing buffers and is confined to one thread; nothing is allocated per call.
 */
final class Gemm {
    /** Depth of a {@code K} slice: {@code KC × NR × 4} bytes of {@code B} (32 KiB at NR = 32) fit L1 (48 KiB). */
    static final int KC = 256;
    /** Rows of {@code A} per block, in micro-panels: 20 panels ({@code 120 × 256 × 4} = 120 KiB at MR = 6) sit in L2. */
    private static final int MC_PANELS = 20;
    /** Columns of {@code B} per block, about 1024. */
    private static final int NC_TARGET = 1024;

    private final MicroKernel kernel;
    private final int mr;
    private final int nr;
    private final int mc;
    private final int nc;
    private final float[] packedA;
    private final float[] packedB;
    private final float[] tile;

    Gemm(MicroKernel kernel) {
        this.kernel = kernel.forThread();
        this.mr = kernel.mr();
        this.nr = kernel.nr();
        this.mc = MC_PANELS * mr;
        this.nc = Math.max(nr, NC_TARGET / nr * nr);
        this.packedA = new float[mc * KC];
        this.packedB = new float[KC * nc];
        this.tile = new float[mr * nr];
    }

    MicroKernel kernel() {
        return kernel;
    }

    /**
     * {@code C = A B} over rows {@code [m0, m1)} and columns {@code [n0, n1)}, each finished tile
     * handed to {@code epilogue}; {@code partial} (leading dimension {@code ldPartial}) holds the
     * sums between {@code K} slices and must not alias an operand.
     */
    void multiply(float[] a, int aOffset, int aRowStride, int aColStride,
                  float[] b, int bOffset, int bRowStride, int bColStride,
                  int m0, int m1, int n0, int n1, int k,
                  float[] partial, int ldPartial, Epilogue epilogue) {
        if (m0 >= m1 || n0 >= n1) {
            return;
        }
        for (int jc = n0; jc < n1; jc += nc) {
            int ncBlock = Math.min(nc, n1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean first = pc == 0;
                boolean last = pc + kc == k;
                packB(b, bOffset, bRowStride, bColStride, pc, kc, jc, ncBlock);
                for (int ic = m0; ic < m1; ic += mc) {
                    int mcBlock = Math.min(mc, m1 - ic);
                    // rows contiguous in p (forward, δ): full panels read A in place, only a
                    // partial last panel is packed (its padding rows must read as zeros)
                    boolean direct = aColStride == 1;
                    // Zᵀ of the update: a panel's rows are adjacent for each p, also read in place
                    boolean directColumns = !direct && aRowStride == 1;
                    int fullRows = mcBlock / mr * mr;
                    if (directColumns) {
                        if (fullRows < mcBlock) {
                            packA(a, aOffset, aRowStride, aColStride, ic + fullRows, mcBlock - fullRows, pc, kc);
                        }
                    } else if (!direct) {
                        packA(a, aOffset, aRowStride, aColStride, ic, mcBlock, pc, kc);
                    } else if (fullRows < mcBlock) {
                        packA(a, aOffset, aRowStride, aColStride, ic + fullRows, mcBlock - fullRows, pc, kc);
                    }
                    for (int jr = 0; jr < ncBlock; jr += nr) {
                        int cols = Math.min(nr, ncBlock - jr);
                        int bPanel = jr * kc;
                        for (int ir = 0; ir < mcBlock; ir += mr) {
                            int rows = Math.min(mr, mcBlock - ir);
                            int row = ic + ir;
                            int column = jc + jr;
                            if (!first) {
                                loadTile(partial, ldPartial, row, column, rows, cols);
                            }
                            if (directColumns) {
                                if (rows == mr) {
                                    kernel.multiplyColumns(a, aOffset + row + pc * aColStride, aColStride, packedB,
                                            bPanel, kc, tile, first);
                                } else {
                                    kernel.multiply(packedA, 0, packedB, bPanel, kc, tile, first);
                                }
                            } else if (!direct) {
                                kernel.multiply(packedA, ir * kc, packedB, bPanel, kc, tile, first);
                            } else if (rows == mr) {
                                kernel.multiplyRows(a, aOffset + row * aRowStride + pc, aRowStride, packedB, bPanel, kc,
                                        tile, first);
                            } else {
                                kernel.multiply(packedA, 0, packedB, bPanel, kc, tile, first);
                            }
                            if (last) {
                                epilogue.apply(tile, nr, row, column, rows, cols);
                            } else {
                                storeTile(partial, ldPartial, row, column, rows, cols);
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code packedB[(j/NR)·kc·NR + p·NR + j%NR] = B(pc+p, jc+j)}, zero beyond column {@code ncBlock}. */
    private void packB(float[] b, int bOffset, int bRowStride, int bColStride, int pc, int kc, int jc, int ncBlock) {
        for (int jr = 0; jr < ncBlock; jr += nr) {
            int cols = Math.min(nr, ncBlock - jr);
            int panel = jr * kc;
            int source = bOffset + pc * bRowStride + (jc + jr) * bColStride;
            if (bColStride == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, source + p * bRowStride, packedB, panel + p * nr, cols);
                }
            } else {
                // Wᵀ of the δ pass: walk each source row along p. Walking p outside would touch NR
                // rows a power-of-two stride apart per step, which fall into two L1 sets and thrash.
                for (int j = 0; j < cols; j++) {
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

    /** {@code packedA[(r/MR)·kc·MR + p·MR + r%MR] = A(ic+r, pc+p)}, zero beyond row {@code mcBlock}. */
    private void packA(float[] a, int aOffset, int aRowStride, int aColStride, int ic, int mcBlock, int pc, int kc) {
        for (int ir = 0; ir < mcBlock; ir += mr) {
            int rows = Math.min(mr, mcBlock - ir);
            int panel = ir * kc;
            int source = aOffset + (ic + ir) * aRowStride + pc * aColStride;
            if (aRowStride == 1) {
                // Zᵀ of the update: the panel's rows are adjacent in memory, read them together
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, source + p * aColStride, packedA, panel + p * mr, rows);
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    for (int p = 0; p < kc; p++) {
                        packedA[panel + p * mr + r] = a[source + r * aRowStride + p * aColStride];
                    }
                }
            }
            for (int r = rows; r < mr; r++) {
                for (int p = 0; p < kc; p++) {
                    packedA[panel + p * mr + r] = 0f;
                }
            }
        }
    }

    private void loadTile(float[] partial, int ld, int row, int column, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(partial, (row + r) * ld + column, tile, r * nr, cols);
        }
    }

    private void storeTile(float[] partial, int ld, int row, int column, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * nr, partial, (row + r) * ld + column, cols);
        }
    }
}

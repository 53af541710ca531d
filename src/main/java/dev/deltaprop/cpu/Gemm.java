package dev.deltaprop.cpu;

/**
 * One thread's cache-blocked, packed GEMM over a rectangle of the output,
 *
 * <pre>  C(r, j) = Σ_{p<K} A(r, p) · B(p, j),   m0 ≤ r < m1, n0 ≤ j < n1</pre>
 *
 * with {@code A(r, p) = a[aOffset + r·aRowStride + p·aColStride]} and
 * {@code B(p, j) = b[bOffset + p·bRowStride + j·bColStride]}: the strides express the three shapes
 * of DESIGN §1 without copying (NN forward: {@code Z W}; NT δ: {@code Δ Wᵀ}; TN update:
 * {@code Zᵀ Δ}). Each finished {@code MR × NR} tile, aligned to the panels, goes through an
 * {@link Epilogue} (bias and {@code f}, or {@code ⊙ f'}, or the optimizer step) while it is in
 * registers' reach, so no pass over the output follows.
 *
 * <p>Blocking (Goto/BLIS): the {@code K} dimension in slices of {@link #KC}, so that a packed
 * {@code KC × NR} micro-panel of {@code B} (64 KiB at NR = 32) is reused, from L1 and L2, while the {@code MR}-row
 * micro-panels of an {@code MC × KC} block of {@code A} (L2) stream past it; {@code B} in blocks
 * of {@code NC} columns, packed once per block and slice.
 *
 * <p>{@code A} is packed (but for narrow products, {@link #NARROW_COLUMNS}), {@code MR} rows interleaved per {@code p}, so the micro-kernel
 * reads one contiguous stream whatever the layout (reading {@code A} in place from {@code MR}
 * rows a power-of-two stride apart was 8–12% slower on one core, and needs {@code MR} index
 * registers). The packed panels are kept for the whole product: a thread that computes several
 * column chunks of one GEMM ({@code Passes} splits the output so) packs each panel of {@code A}
 * once, not once per chunk, which on {@code wide}'s layers was up to a third of the GEMM. A
 * product starts with {@link #newProduct}; the panels live in a buffer that grows to the largest
 * product this thread has seen, then never again. Packing pads partial panels with zeros, so the
 * micro-kernel always runs full tiles and only the epilogue looks at the edges.
 *
 * <p>Between {@code K} slices the partial sums wait in a buffer of this thread's; the last slice
 * writes the finished tile to a scratch tile for the epilogue, or, for an epilogue that
 * {@linkplain Epilogue#takesBlocks takes blocks}, into a row-major {@code MC × NC} block handed
 * over when all its tiles are done. Every output is summed in increasing {@code p} by the same
 * instructions: the split of the output among threads never changes a result.
 *
 * <p>A {@code Gemm} is confined to one thread; nothing is allocated per call once its buffers
 * have grown to the shapes it runs.
 */
final class Gemm {
    /**
     * Depth of a {@code K} slice. A {@code KC × NR} micro-panel of {@code B} is 64 KiB at NR = 32:
     * more than L1 (32 KiB on the AMD EPYC Zen 4 of docs/perf.md, 48 KiB on the Sapphire Rapids),
     * so it streams from L2 beside {@code A}, which the micro-kernel sustains (the kernel alone, one
     * core of the EPYC: 113 GFLOP/s at KC = 128, 109 at 256, 117 at 512). What a deeper slice
     * saves is the partial sums' round trip between slices: the update's {@code K} is the batch
     * (512 on {@code wide}, 256 on {@code mnist}), which now takes one slice (TN 2048×2048×512,
     * one core: 91 → 99 GFLOP/s).
     */
    static final int KC = 512;
    /** Rows of {@code A} per block, about: {@code 112 × 512 × 4} = 224 KiB at MR = 14, well inside L2 (1 MiB). */
    static final int MC_TARGET = 120;
    /** Columns of {@code B} per block, about 1024: {@code 512 × 1024 × 4} = 2 MiB of packed {@code B} (L3). */
    private static final int NC_TARGET = 1024;

    /**
     * Products at most this wide read {@code A} in place ({@link MicroKernel#multiplyRows}): packing
     * {@code A} costs as much as the few column panels it serves (measured, one core: {@code tiny}'s
     * 1024×64×1 forward 43 µs in place, 80 µs packed; {@code mnist}'s 256×10×512 93 against 150,
     * with the 6-row tile in place).
     */
    static final int NARROW_COLUMNS = 64;

    private final MicroKernel kernel;
    /** Whether this GEMM's first product has asked {@link TileWarmUp} to compile the tile first. */
    private boolean warmedUp;
    /** The partial last panel of a narrow product's {@code A}, packed (its padding rows must read as zeros). */
    private final float[] edgeA;
    private final int mr;
    private final int nr;
    private final int kcMax;
    private final int mc;
    private final int nc;
    /** {@code B}'s packed block, and which slice and columns of which {@code B} it holds. */
    private final PackedBlock packedB;
    /** The partial sums of the current column block between {@code K} slices, tile after tile. */
    private float[] sums = new float[0];
    /** The finished tile the epilogue reads. */
    private final float[] tile;
    /** The finished {@code MC × NC} block, row-major, for an epilogue that {@link Epilogue#takesBlocks}. */
    private float[] block = new float[0];
    /** The packed panels of this product's {@code A}: panel {@code q}, slice {@code s} at {@code (q·slices + s)·MR·KC}. */
    private float[] packedA = new float[0];
    /** {@code stamp[q·slices + s] == product}: that panel and slice is packed for the current product. */
    private int[] stamp = new int[0];
    private int product = 1;
    /** The {@code A} the current product packs, and how it is read; a call with another starts a new product. */
    private float[] productA;
    private int productOffset;
    private int productRowStride;
    private int productColStride;
    private int productK = -1;

    Gemm(MicroKernel kernel) {
        this(kernel, KC, MC_TARGET, NC_TARGET);
    }

    /** With other blocking, for measuring ({@code GemmPerf}). */
    Gemm(MicroKernel kernel, int kc, int mcTarget, int ncTarget) {
        this.kernel = kernel.forThread();
        this.edgeA = new float[kernel.mr() * kc];
        this.mr = kernel.mr();
        this.nr = kernel.nr();
        this.kcMax = kc;
        this.mc = Math.max(1, mcTarget / mr) * mr;
        this.nc = Math.max(nr, ncTarget / nr * nr);
        this.tile = new float[mr * nr];
        this.packedB = new PackedBlock(kcMax * this.nc);
    }

    MicroKernel kernel() {
        return kernel;
    }

    /**
     * Forgets the packed panels of {@code A} and the packed block of {@code B}: the next
     * {@link #multiply} packs afresh. Call it before each product whose {@code A} or {@code B} may
     * have changed since the last call (a new phase).
     */
    void newProduct() {
        product++;
        productK = -1;
        if (product == Integer.MAX_VALUE) { // after 2³¹ products: stamps from the first could match again
            java.util.Arrays.fill(stamp, 0);
            packedB.forget();
            product = 1;
        }
    }

    /**
     * {@code C = A B} over rows {@code [m0, m1)} and columns {@code [n0, n1)}, each finished tile
     * handed to {@code epilogue}. Panels of {@code A} packed by an earlier call since
     * {@link #newProduct} are reused when {@code A}, its offset, strides and {@code k} are the same
     * (and {@code B}'s packed block when the last call packed the same rows and columns of it);
     * so {@code m0} is a multiple of {@code MR}, and within one product {@code m1} is too or is
     * always the same (the rows of a partial last panel).
     */
    void multiply(float[] a, int aOffset, int aRowStride, int aColStride,
                  float[] b, int bOffset, int bRowStride, int bColStride,
                  int m0, int m1, int n0, int n1, int k, Epilogue epilogue) {
        multiply(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, m0, m1, n0, n1, n1 - n0, k,
                epilogue);
    }

    /**
     * {@link #multiply} of the columns {@code [n0, n1)} of a product {@code columns} wide: whether
     * {@code A} is read in place ({@link #NARROW_COLUMNS}) follows the product's width, not the
     * chunk's. A chunk of a wide product packs {@code A} once for all its chunks; read in place,
     * the 64-column chunks that two threads cut {@code mnist}'s 512-wide layers into ran slower
     * than one thread's 128-column chunks.
     */
    void multiply(float[] a, int aOffset, int aRowStride, int aColStride,
                  float[] b, int bOffset, int bRowStride, int bColStride,
                  int m0, int m1, int n0, int n1, int columns, int k, Epilogue epilogue) {
        run(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, null, m0, m1, n0, n1, columns, k,
                epilogue);
    }

    /**
     * {@link #multiply} with {@code B} packed beforehand by {@link #packWhole} ({@code k × n}):
     * for a {@code B} that many products read unchanged ({@link Predictor}'s weights), which then
     * is packed once rather than once per call. {@code n0} is a multiple of {@code NR}.
     */
    void multiplyPacked(float[] a, int aOffset, int aRowStride, int aColStride, float[] packedWholeB,
                        int m0, int m1, int n0, int n1, int k, Epilogue epilogue) {
        if (n0 % nr != 0) {
            throw new IllegalArgumentException("n0: expected a multiple of NR = " + nr + ", found " + n0);
        }
        run(a, aOffset, aRowStride, aColStride, null, 0, 0, 0, packedWholeB, m0, m1, n0, n1, n1 - n0, k, epilogue);
    }

    /**
     * The whole of a row-major {@code k × n} {@code B} packed as {@link #multiplyPacked} reads it:
     * column panel {@code q} of {@code NR} columns (zero-padded) at {@code q·k·NR}, its row
     * {@code p} at {@code + p·NR}: the bytes a per-call packing puts into its buffers, all at once.
     */
    float[] packWhole(float[] b, int k, int n) {
        float[] packed = new float[(n + nr - 1) / nr * k * nr];
        Packing.packB(b, 0, n, 1, 0, k, 0, n, packed, k * nr, kernel);
        return packed;
    }

    private void run(float[] a, int aOffset, int aRowStride, int aColStride,
                     float[] b, int bOffset, int bRowStride, int bColStride, float[] packedWholeB,
                     int m0, int m1, int n0, int n1, int columns, int k, Epilogue epilogue) {
        if (m0 >= m1 || n0 >= n1) {
            return;
        }
        if (m0 % mr != 0) {
            throw new IllegalArgumentException("m0: expected a multiple of MR = " + mr + ", found " + m0);
        }
        if (!warmedUp) { // once per JVM and tile, before the first product's vector code (not at construction: devices opens backends)
            warmedUp = true;
            if (kernel.warmsUpFirst()) {
                TileWarmUp.once(kernel);
            }
        }
        if (columns <= NARROW_COLUMNS && (aColStride == 1 || aRowStride == 1)) {
            multiplyInPlace(a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride, packedWholeB,
                    m0, m1, n0, n1, k, epilogue);
            return;
        }
        int slices = (k + kcMax - 1) / kcMax;
        // a panel slice's room: KC deep, or K where the product is shallower (the update's K is
        // the batch: mnist's 256 in KC-deep rooms spread its packed A over twice the L2 it needs)
        int slotSize = mr * Math.min(kcMax, k);
        reserve(a, aOffset, aRowStride, aColStride, k, (m1 + mr - 1) / mr, slices, slotSize);
        // the sums between K slices lie tile after tile (each tile contiguous; in place in C, 14 rows
        // a whole row of C apart, they cost a fifth), down each column of tiles, in the order the
        // kernel loop below visits them: one stream, not one jump of a row of tiles per tile
        int ldc = (Math.min(nc, n1 - n0) + nr - 1) / nr * nr;
        int tileSize = mr * nr;
        int panelsDown = (m1 - m0 + mr - 1) / mr;
        int sumsNeeded = slices > 1 ? panelsDown * (ldc / nr) * tileSize : 0;
        if (sums.length < sumsNeeded) {
            sums = new float[sumsNeeded]; // grows to the largest product this thread has run, then never again
        }
        boolean blocks = epilogue.takesBlocks();
        if (blocks && block.length < mc * ldc) {
            block = new float[mc * ldc]; // as sums: grows to the widest block, then never again
        }
        for (int jc = n0; jc < n1; jc += nc) {
            int ncBlock = Math.min(nc, n1 - jc);
            for (int s = 0; s < slices; s++) {
                int pc = s * kcMax;
                int kc = Math.min(kcMax, k - pc);
                boolean first = s == 0;
                boolean last = s == slices - 1;
                float[] bPacked = packedWholeB;
                if (packedWholeB == null) {
                    bPacked = packedB.of(b, bOffset, bRowStride, bColStride, pc, kc, jc, ncBlock, product, kernel);
                }
                for (int ic = m0; ic < m1; ic += mc) {
                    int mcBlock = Math.min(mc, m1 - ic);
                    // m0 is a multiple of MR (whole panels per chunk), so row / MR names the panel
                    // the block's panels not yet packed for this product, a run at a time (one
                    // call: Zᵀ's rows are then read in runs across the panels, Packing.packPanelsA)
                    for (int ir = 0; ir < mcBlock; ) {
                        int row = ic + ir;
                        int slot = row / mr * slices + s;
                        if (stamp[slot] == product) {
                            ir += mr;
                            continue;
                        }
                        int end = ir;
                        for (int next = slot; end < mcBlock && stamp[next] != product; end += mr, next += slices) {
                            stamp[next] = product; // the next panel's slot for this slice is slices on
                        }
                        Packing.packPanelsA(a, aOffset, aRowStride, aColStride, row, Math.min(end, mcBlock) - ir, pc, kc,
                                packedA, slot * slotSize, slices * slotSize, mr);
                        ir = end;
                    }
                    // the B micro-panel is reused (L1, L2) while the block's A panels stream past it
                    for (int jr = 0; jr < ncBlock; jr += nr) {
                        int bPanel = packedWholeB == null ? jr * kc : (jc + jr) / nr * k * nr + pc * nr;
                        for (int ir = 0; ir < mcBlock; ir += mr) {
                            int row = ic + ir;
                            int aPanel = (row / mr * slices + s) * slotSize;
                            int at = (jr / nr * panelsDown + (row - m0) / mr) * tileSize;
                            if (last && blocks) {
                                kernel.multiply(packedA, aPanel, bPacked, bPanel, kc, sums, at, nr, block, ir * ldc + jr,
                                        ldc, first);
                            } else if (last) {
                                kernel.multiply(packedA, aPanel, bPacked, bPanel, kc, sums, at, nr, tile, 0, nr, first);
                                epilogue.apply(tile, nr, row, jc + jr, Math.min(mr, mcBlock - ir), Math.min(nr, ncBlock - jr));
                            } else {
                                kernel.multiply(packedA, aPanel, bPacked, bPanel, kc, sums, at, nr, sums, at, nr, first);
                            }
                        }
                    }
                    if (last && blocks) {
                        epilogue.apply(block, ldc, ic, jc, mcBlock, ncBlock);
                    }
                }
            }
        }
    }

    /**
     * {@link #multiply} for a narrow product ({@link #NARROW_COLUMNS}): the same blocking, the
     * full panels of {@code A} read where they lie; only a partial last panel is packed.
     */
    private void multiplyInPlace(float[] a, int aOffset, int aRowStride, int aColStride,
                                 float[] b, int bOffset, int bRowStride, int bColStride, float[] packedWholeB,
                                 int m0, int m1, int n0, int n1, int k, Epilogue epilogue) {
        int slices = (k + kcMax - 1) / kcMax;
        int ldc = (n1 - n0 + nr - 1) / nr * nr; // n1 - n0 ≤ NARROW_COLUMNS ≤ NC: one column block
        int tileSize = mr * nr;
        int panelsDown = (m1 - m0 + mr - 1) / mr;
        int sumsNeeded = slices > 1 ? panelsDown * (ldc / nr) * tileSize : 0;
        if (sums.length < sumsNeeded) {
            sums = new float[sumsNeeded];
        }
        boolean rowsInPlace = aColStride == 1;
        for (int s = 0; s < slices; s++) {
            int pc = s * kcMax;
            int kc = Math.min(kcMax, k - pc);
            boolean first = s == 0;
            boolean last = s == slices - 1;
            float[] bPacked = packedWholeB;
            if (packedWholeB == null) {
                bPacked = packedB.of(b, bOffset, bRowStride, bColStride, pc, kc, n0, n1 - n0, product, kernel);
            }
            for (int ic = m0; ic < m1; ic += mc) {
                int mcBlock = Math.min(mc, m1 - ic);
                int fullRows = mcBlock / mr * mr;
                if (fullRows < mcBlock) {
                    Packing.packA(a, aOffset, aRowStride, aColStride, ic + fullRows, mcBlock - fullRows, pc, kc, edgeA, 0, mr);
                }
                for (int jr = 0; jr < n1 - n0; jr += nr) {
                    int bPanel = packedWholeB == null ? jr * kc : (n0 + jr) / nr * k * nr + pc * nr;
                    for (int ir = 0; ir < mcBlock; ir += mr) {
                        int row = ic + ir;
                        int at = (jr / nr * panelsDown + (row - m0) / mr) * tileSize;
                        float[] to = last ? tile : sums;
                        int toAt = last ? 0 : at;
                        int toStride = nr;
                        if (ir >= fullRows) {
                            kernel.multiply(edgeA, 0, bPacked, bPanel, kc, sums, at, nr, to, toAt, toStride, first);
                        } else if (rowsInPlace) {
                            kernel.multiplyRows(a, aOffset + row * aRowStride + pc, aRowStride, bPacked, bPanel, kc,
                                    sums, at, nr, to, toAt, toStride, first);
                        } else {
                            kernel.multiplyColumns(a, aOffset + row + pc * aColStride, aColStride, bPacked, bPanel, kc,
                                    sums, at, nr, to, toAt, toStride, first);
                        }
                        if (last) {
                            epilogue.apply(tile, nr, row, n0 + jr, Math.min(mr, mcBlock - ir), Math.min(nr, n1 - n0 - jr));
                        }
                    }
                }
            }
        }
    }

    /**
     * Makes room for {@code panels} packed panels of {@code slices} slices of {@code slotSize}
     * floats each, and starts a new product if this {@code A} is not the current one. Growing keeps
     * what is packed: a panel's place depends on {@code slices} and {@code slotSize} only, which
     * {@code k} fixes within a product.
     */
    private void reserve(float[] a, int aOffset, int aRowStride, int aColStride, int k, int panels, int slices,
                         int slotSize) {
        if (a != productA || aOffset != productOffset || aRowStride != productRowStride
                || aColStride != productColStride || k != productK) {
            newProduct();
            productA = a;
            productOffset = aOffset;
            productRowStride = aRowStride;
            productColStride = aColStride;
            productK = k;
        }
        int slots = panels * slices;
        if (stamp.length < slots) {
            stamp = java.util.Arrays.copyOf(stamp, slots);
        }
        if (packedA.length < slots * slotSize) {
            packedA = java.util.Arrays.copyOf(packedA, slots * slotSize);
        }
    }
}

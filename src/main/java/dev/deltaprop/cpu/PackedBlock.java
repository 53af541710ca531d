package dev.deltaprop.cpu;

/**
 * {@link Gemm}'s packed block of {@code B} ({@code KC × NC}), and what it holds: {@code B}, how it
 * is read, the slice and the columns, and the product that packed them. A later call of the same
 * product for the same slice and columns reuses it: {@code B} does not change within a product (a
 * phase's jobs never write what another reads), and the row chunks of a narrow product all read
 * the whole of {@code B} ({@code mnist}'s 256 × 10 output layer packed the same 512 × 10 {@code W}
 * with its padding once per chunk, a third of that phase). Confined to its {@code Gemm}'s thread.
 */
final class PackedBlock {
    private final int size;
    /**
     * Made at the first product that packs {@code B} per call: a {@code Gemm} that only runs
     * {@link Gemm#multiplyPacked} ({@link Predictor}'s) never needs its 2 MiB.
     */
    private float[] packed;
    private float[] source;
    private int offset, rowStride, colStride, slice, depth, column, columns;
    /** The product that packed it; 0, no product's number, when it holds nothing. */
    private int product;

    /** @param size floats: {@code KC · NC} */
    PackedBlock(int size) {
        this.size = size;
    }

    /**
     * The block holding {@code B}'s rows {@code [pc, pc + kc)} and columns {@code [jc, jc + ncBlock)}
     * ({@link Packing#packB} for {@code kernel}), packed now unless {@code product} packed just those last.
     */
    float[] of(float[] b, int bOffset, int bRowStride, int bColStride, int pc, int kc, int jc, int ncBlock,
               int product, MicroKernel kernel) {
        if (packed == null) {
            packed = new float[size]; // once per thread; never again after
        }
        if (this.product != product || source != b || offset != bOffset || rowStride != bRowStride
                || colStride != bColStride || slice != pc || depth != kc || column != jc || columns != ncBlock) {
            Packing.packB(b, bOffset, bRowStride, bColStride, pc, kc, jc, ncBlock, packed, kc * kernel.nr(), kernel);
            this.product = product;
            source = b;
            offset = bOffset;
            rowStride = bRowStride;
            colStride = bColStride;
            slice = pc;
            depth = kc;
            column = jc;
            columns = ncBlock;
        }
        return packed;
    }

    /** Forgets what it holds, for a product counter that starts over. */
    void forget() {
        product = 0;
    }
}

package dev.deltaprop.cpu;

/**
 * What a GEMM does with a finished tile of sums {@code s}, fused so that no extra pass over the
 * output follows: the forward pass adds the bias and applies {@code f}, the δ pass multiplies by
 * {@code f'}, the update takes the SGD step. Set up by the caller before a phase, then read-only
 * while the threads run it.
 */
interface Epilogue {

    /**
     * @param tile   {@code tile[r·stride + j]} is the sum for output {@code (row + r, column + j)}
     * @param rows   valid rows of the tile (the rest is padding)
     * @param cols   valid columns of the tile
     */
    void apply(float[] tile, int stride, int row, int column, int rows, int cols);

    /**
     * True when {@link #apply} also takes a finished block of whole tiles, up to {@code MC} rows
     * (starting at a multiple of {@code MR}) by up to {@code NC} columns (starting at a multiple of
     * {@code NR}), which it then walks row by row: an epilogue that reads or writes a matrix as big
     * as the output (the update's {@code W}) meets its rows in order, where tile by tile it touches
     * {@code MR} rows a whole row apart per tile, too many streams for the hardware prefetcher
     * (measured: docs/perf.md, "cpu GEMM families against OpenBLAS").
     */
    default boolean takesBlocks() {
        return false;
    }
}

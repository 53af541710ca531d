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
}

/*
 * tiles.h — the one size shared by the one-dimensional kernels: REDUCE, the work-group size of
 * the loss reductions (delta_output.h), the split-K reductions (split_k.h), the row passes
 * (forward_softmax.h) and the gather (gather.h), a power of two, given with -D by TileProfile.
 * Every GEMM runs on the warp-tiled core (warp_gemm.h) with the tile classes of gemm_classes.h.
 */
#ifndef DELTAPROP_TILES_H
#define DELTAPROP_TILES_H

#ifndef REDUCE
#define REDUCE 256
#endif

#endif

/*
 * gemm_classes.h — the tile classes of the warp-tiled core (warp_gemm.h), and forward,
 * delta_hidden and update instantiated for each: forward_gemm_small / _large,
 * delta_hidden_gemm_small / _large, update_gemm_small / _large. The engine picks the class per
 * shape (GemmPlan); both are in every program, so a program serves every layer. update.h needs
 * optimizer.h included before this file.
 *
 * Macros (given with -D, chosen per device by TileProfile; defaults below suit a GPU):
 *   SMALL_TM SMALL_TN SMALL_TK SMALL_WM SMALL_WN   the small class: 64×64 tiles, 4×4 per item
 *   LARGE_TM LARGE_TN LARGE_TK LARGE_WM LARGE_WN   the large class: 128×128 tiles, 8×8 per item
 *   LANES_N                                        lanes of a warp along N (warp_gemm.h)
 * each meaning what G_TM … G_WN mean in warp_gemm.h.
 */
#ifndef SMALL_TM
#define SMALL_TM 64
#endif
#ifndef SMALL_TN
#define SMALL_TN 64
#endif
#ifndef SMALL_TK
#define SMALL_TK 16
#endif
#ifndef SMALL_WM
#define SMALL_WM 4
#endif
#ifndef SMALL_WN
#define SMALL_WN 4
#endif
#ifndef LARGE_TM
#define LARGE_TM 128
#endif
#ifndef LARGE_TN
#define LARGE_TN 128
#endif
#ifndef LARGE_TK
#define LARGE_TK 16
#endif
#ifndef LARGE_WM
#define LARGE_WM 8
#endif
#ifndef LARGE_WN
#define LARGE_WN 8
#endif

#define GEMM_CLASS small
#define G_TM SMALL_TM
#define G_TN SMALL_TN
#define G_TK SMALL_TK
#define G_WM SMALL_WM
#define G_WN SMALL_WN
#include "warp_gemm.h"
#include "forward.h"
#include "delta_hidden.h"
#include "update.h"
#undef GEMM_CLASS
#undef G_TM
#undef G_TN
#undef G_TK
#undef G_WM
#undef G_WN

#define GEMM_CLASS large
#define G_TM LARGE_TM
#define G_TN LARGE_TN
#define G_TK LARGE_TK
#define G_WM LARGE_WM
#define G_WN LARGE_WN
#include "warp_gemm.h"
#include "forward.h"
#include "delta_hidden.h"
#include "update.h"
#undef GEMM_CLASS
#undef G_TM
#undef G_TN
#undef G_TK
#undef G_WM
#undef G_WN

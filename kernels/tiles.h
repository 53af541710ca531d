/*
 * tiles.h — the tiled GEMM core shared by forward, delta_hidden and update: C = A · B with
 * A logically M×K and B logically K×N, each read from memory either row-major or transposed.
 *
 * Work split: a work-group owns a TM×TN tile of C and walks K in steps of TK; at each step
 * its work-items copy the TM×TK slice of A and the TK×TN slice of B into local memory
 * (zero-filled outside the matrices, so any M, N, K works without host padding), then each
 * work-item multiplies them into a WM×WN block of C held in registers: rows
 * ty·WM .. ty·WM+WM-1 and columns tx·WN .. tx·WN+WN-1 of the tile, where (tx, ty) is its
 * local id. A group therefore has (TN/WN) × (TM/WM) work-items.
 *
 * Macros (given with -D, chosen per device by TileProfile; defaults below suit a GPU):
 *   TM, TN  rows and columns of C per work-group
 *   TK      the K step: depth of the local-memory slices
 *   WM, WN  rows and columns of C per work-item (the register tile)
 *   VW      vector width of global loads, 1 or 4; a load is wide only where the leading
 *           dimension is a multiple of 4 and the 4 floats lie inside the matrix
 *   REDUCE  the work-group size of the one-dimensional kernels (the loss reductions of
 *           delta_output.h, gather.h), a power of two
 * Constraints: WM divides TM, WN divides TN, and TM, TN, TK are multiples of VW.
 *
 * Local layout: both slices are stored k-major (a_tile[k·TM + m], b_tile[k·TN + n]) so that
 * the inner loop reads WM and WN consecutive floats per k.
 */
#ifndef DELTAPROP_TILES_H
#define DELTAPROP_TILES_H

#ifndef TM
#define TM 64
#endif
#ifndef TN
#define TN 64
#endif
#ifndef TK
#define TK 16
#endif
#ifndef WM
#define WM 4
#endif
#ifndef WN
#define WN 4
#endif
#ifndef VW
#define VW 4
#endif
#ifndef REDUCE
#define REDUCE 256
#endif

#define GROUP_COLUMNS (TN / WN)
#define GROUP_ROWS (TM / WM)
#define GROUP_ITEMS (GROUP_COLUMNS * GROUP_ROWS)

/*
 * Copies the block src[outer0 .. outer0+OUTER) × [inner0 .. inner0+INNER) of a row-major
 * matrix (outer_max rows, inner_max columns, leading dimension ld) into dst, either in the same
 * layout (dst[o·INNER + i], transpose = 0) or transposed (dst[i·OUTER + o], transpose = 1).
 * Reads run along the inner index so that neighbouring work-items read neighbouring floats.
 */
DEVICE_FN void load_tile(GLOBAL const float* RESTRICT src, int ld, int outer0, int inner0,
                         int outer_max, int inner_max, LOCAL_PTR float* dst,
                         const int OUTER, const int INNER, const int transpose)
{
    const int item = LOCAL_ID(1) * GROUP_COLUMNS + LOCAL_ID(0);
#if VW == 4
    if ((ld & 3) == 0) {
        /* aligned rows: inner0 is a multiple of 4 (tiles are), so src + o·ld + i is 16-byte aligned */
        for (int e = item; e < OUTER * INNER / 4; e += GROUP_ITEMS) {
            const int o = e / (INNER / 4);
            const int i = (e % (INNER / 4)) * 4;
            const int go = outer0 + o;
            const int gi = inner0 + i;
            float4 v;
            if (go < outer_max && gi + 3 < inner_max) {
                v = *((GLOBAL const float4*) (src + (long) go * ld + gi));
            } else {
                GLOBAL const float* row = src + (long) go * ld;
                const int inside = go < outer_max;
                v.x = inside && gi < inner_max ? row[gi] : 0.0f;
                v.y = inside && gi + 1 < inner_max ? row[gi + 1] : 0.0f;
                v.z = inside && gi + 2 < inner_max ? row[gi + 2] : 0.0f;
                v.w = 0.0f; /* this branch runs only when row go or column gi + 3 is outside */
            }
            if (transpose) {
                dst[i * OUTER + o] = v.x;
                dst[(i + 1) * OUTER + o] = v.y;
                dst[(i + 2) * OUTER + o] = v.z;
                dst[(i + 3) * OUTER + o] = v.w;
            } else {
                dst[o * INNER + i] = v.x;
                dst[o * INNER + i + 1] = v.y;
                dst[o * INNER + i + 2] = v.z;
                dst[o * INNER + i + 3] = v.w;
            }
        }
        return;
    }
#endif
    for (int e = item; e < OUTER * INNER; e += GROUP_ITEMS) {
        const int o = e / INNER;
        const int i = e % INNER;
        const int go = outer0 + o;
        const int gi = inner0 + i;
        const float v = go < outer_max && gi < inner_max ? src[(long) go * ld + gi] : 0.0f;
        if (transpose) {
            dst[i * OUTER + o] = v;
        } else {
            dst[o * INNER + i] = v;
        }
    }
}

/* acc[m·WN + n] += Σ_k a_tile[k][ty·WM + m] · b_tile[k][tx·WN + n] over one K step. */
DEVICE_FN void multiply_tile(LOCAL_PTR const float* a_tile, LOCAL_PTR const float* b_tile, float* acc)
{
    const int row = LOCAL_ID(1) * WM;
    const int column = LOCAL_ID(0) * WN;
#pragma unroll
    for (int k = 0; k < TK; ++k) {
        float a[WM];
        float b[WN];
#pragma unroll
        for (int m = 0; m < WM; ++m) {
            a[m] = a_tile[k * TM + row + m];
        }
#pragma unroll
        for (int n = 0; n < WN; ++n) {
            b[n] = b_tile[k * TN + column + n];
        }
#pragma unroll
        for (int m = 0; m < WM; ++m) {
#pragma unroll
            for (int n = 0; n < WN; ++n) {
                acc[m * WN + n] += a[m] * b[n];
            }
        }
    }
}

#endif

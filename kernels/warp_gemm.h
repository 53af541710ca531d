/*
 * warp_gemm.h — the warp-tiled, double-buffered GEMM core of forward, delta_hidden and update:
 *
 *     acc = Σ_{k_begin ≤ k < k_end} A(m, k) · B(k, n)    over one group's G_TM × G_TN tile of C
 *
 * A is logically M×K and B K×N; each is read from memory either k-major (element (k, x) at
 * src[k·ld + x], x the M or N index) or x-major (at src[x·ld + k]). [k_begin, k_end) is the
 * group's share of K: all of it, or one split of a split-K launch (split_k.h reduces those).
 *
 * This file is included once per tile class (gemm_classes.h) with the class's macros set:
 *   GEMM_CLASS          the suffix of every name it defines (small, large)
 *   G_TM, G_TN          rows and columns of C per work-group
 *   G_TK                the K step: depth of the slices staged in local memory
 *   G_WM, G_WN          rows and columns of C per work-item, multiples of 4
 * and the macro LANES_N shared by both: the lanes of a 32-wide warp that sit side by side
 * along N (LANES_M = 32 / LANES_N along M).
 *
 * Work split. A group of G_ITEMS = (G_TM/G_WM)·(G_TN/G_WN) work-items, 1-D, is cut into warps of
 * 32 consecutive items (on a CPU device a "warp" is only an index range). A warp owns a
 * G_WARP_TM × G_WARP_TN block of the tile (LANES_M·G_WM × LANES_N·G_WN); warps fill the tile
 * row by row. Inside a warp, a lane owns (G_WM/4) × (G_WN/4) sub-blocks of 4×4 floats, spread
 * one warp-width apart: sub-block (sm, sn) covers rows sm·4·LANES_M + lane_m·4 .. +3 and columns
 * sn·4·LANES_N + lane_n·4 .. +3 of the warp's block. So at each k a lane reads G_WM/4 + G_WN/4
 * float4s from local memory for G_WM·G_WN multiply-adds, and the lanes of a warp read
 * consecutive float4s (LANES_M distinct ones of A, LANES_N of B, the rest broadcast).
 *
 * Pipeline (register prefetch + two local buffers, one barrier per K step): the items fetch
 * slice 0 into registers and store it; then for each slice t they fetch slice t+1 from global
 * memory into registers (its loads in flight while they compute), multiply slice t out of local
 * buffer t mod 2, store the registers into buffer (t+1) mod 2 and meet at one barrier. Buffer
 * (t+1) mod 2 was last read in step t-1, which the barrier ending step t-1 closed.
 *
 * Local layout: both slices k-major, as float4s: a[k][m/4] with G_TM/4 + 1 float4s per k row,
 * b[k][n/4] with G_TN/4 + 1. The extra float4 (16 bytes) of padding is what makes the stores of
 * an x-major operand conflict-free: there the 8 lanes of a 128-byte store phase hold 8
 * consecutive k of one float4 column, whose rows start 4·(G_TM/4 + 1) ≡ 4 (mod 32) banks apart
 * when G_TM is a multiple of 32, so they cover all 32 banks once (unpadded, every row would
 * start on the same bank: 8-way).
 * k-major stores and every read are consecutive float4s of one row: conflict-free either way.
 *
 * Global loads. A k-major operand is read as float4s along x (32 consecutive float4s per warp)
 * where its leading dimension is a multiple of 4 and the 4 floats lie inside the matrix, else
 * float by float; an x-major operand is read float by float, consecutive lanes taking
 * consecutive k of one row (coalesced), and transposed into a float4 of 4 rows in registers.
 * Outside the matrices (and past k_end) the slices are zero-filled, so any M, N, K works.
 *
 * A row of ones. With a_ones set (uniform across the launch; a literal 0 in forward and
 * delta_hidden, where the test folds away), A has one more row than memory holds: row m_max, 1
 * at every k inside [k_begin, k_end).
 * Row m_max of C is then Σ_k B(k, n), the column sums of B, accumulated by the same multiply-adds
 * in the same order as every other row. update.h uses it for the bias gradient Σ_b δ_bj: no
 * separate pass over Δ and no extra accumulator in the K loop.
 */
#ifndef DELTAPROP_WARP_GEMM_ONCE
#define DELTAPROP_WARP_GEMM_ONCE

#ifndef LANES_N
#define LANES_N 8
#endif
#define WARP_LANES 32
#define LANES_M (WARP_LANES / LANES_N)

/* CLASSED(forward_gemm) is forward_gemm_small or forward_gemm_large: one name per tile class */
#define CLASSED_PASTE_(name, suffix) name##_##suffix
#define CLASSED_(name, suffix) CLASSED_PASTE_(name, suffix)
#define CLASSED(name) CLASSED_(name, GEMM_CLASS)

/* v.x, v.y, v.z or v.w; i is a constant wherever it is called (unrolled loops), so this folds away */
DEVICE_FN float component(float4 v, int i)
{
    return i == 0 ? v.x : i == 1 ? v.y : i == 2 ? v.z : v.w;
}

/* (x, y, z, w): OpenCL's (float4) (…) literal and CUDA's make_float4 in one spelling */
DEVICE_FN float4 four(float x, float y, float z, float w)
{
    float4 v;
    v.x = x;
    v.y = y;
    v.z = z;
    v.w = w;
    return v;
}

/*
 * Stores v to row[column .. column+3], the part that lies before `columns`: one 16-byte store
 * where the row is a multiple of 4 floats long (so row + column is 16-byte aligned: tiles start
 * at multiples of 4) and all 4 are inside, else float by float.
 */
DEVICE_FN void store_row4(GLOBAL float* RESTRICT row, int column, int columns, float4 v)
{
    if ((columns & 3) == 0 && column + 3 < columns) {
        *((GLOBAL float4*) (row + column)) = v;
        return;
    }
    if (column < columns) {
        row[column] = v.x;
    }
    if (column + 1 < columns) {
        row[column + 1] = v.y;
    }
    if (column + 2 < columns) {
        row[column + 2] = v.z;
    }
    if (column + 3 < columns) {
        row[column + 3] = v.w;
    }
}

/* row[column .. column+3] as store_row4 writes them; 0 outside */
DEVICE_FN float4 load_row4(GLOBAL const float* RESTRICT row, int column, int columns)
{
    if ((columns & 3) == 0 && column + 3 < columns) {
        return *((GLOBAL const float4*) (row + column));
    }
    float4 v;
    v.x = column < columns ? row[column] : 0.0f;
    v.y = column + 1 < columns ? row[column + 1] : 0.0f;
    v.z = column + 2 < columns ? row[column + 2] : 0.0f;
    v.w = column + 3 < columns ? row[column + 3] : 0.0f;
    return v;
}

#endif /* DELTAPROP_WARP_GEMM_ONCE */

/* ---- the class's derived sizes (redefined for each class) ---------------------------------- */
#undef G_ITEMS
#undef G_WARP_TM
#undef G_WARP_TN
#undef G_WARPS_N
#undef G_A_STRIDE
#undef G_B_STRIDE
#undef G_SLICE_A
#undef G_SLICE_B
#undef G_A_LOADS
#undef G_B_LOADS
#undef G_MIN_GROUPS
#define G_ITEMS ((G_TM / G_WM) * (G_TN / G_WN))
#define G_WARP_TM (LANES_M * G_WM)
#define G_WARP_TN (LANES_N * G_WN)
#define G_WARPS_N (G_TN / G_WARP_TN)
/* float4s per k row of a local slice: the tile's width plus one float4 of padding (see above) */
#define G_A_STRIDE (G_TM / 4 + 1)
#define G_B_STRIDE (G_TN / 4 + 1)
#define G_SLICE_A (G_TK * G_A_STRIDE)
#define G_SLICE_B (G_TK * G_B_STRIDE)
/* float4s of a slice each item fetches (TileProfile checks that they divide evenly) */
#define G_A_LOADS (G_TK * G_TM / 4 / G_ITEMS)
#define G_B_LOADS (G_TK * G_TN / 4 / G_ITEMS)
/*
 * Groups per compute unit for LAUNCH_BOUNDS, which caps registers at 65536 / (G_ITEMS · groups):
 * 512 items in all (at most 128 registers) where an item holds 64 or more sums, 1024 (at most
 * 64 registers, twice the occupancy) for smaller blocks, whose 16 sums leave room for it.
 */
#define G_MIN_GROUPS (G_WM * G_WN >= 64 ? (G_ITEMS >= 512 ? 1 : 512 / G_ITEMS) : (G_ITEMS >= 1024 ? 1 : 1024 / G_ITEMS))

/*
 * This item's share of one slice of an operand — X_TILE values of x from x0, G_TK of k from k0
 * (nothing at or past x_max or k_end) — into LOADS float4s of registers; see the header for
 * which item fetches what.
 */
DEVICE_FN void CLASSED(fetch_slice)(GLOBAL const float* RESTRICT src, int ld, const int k_major, int x0, int x_max,
                                    int ones, int k0, int k_end, float4* regs, const int X_TILE, const int LOADS)
{
    const int item = LOCAL_ID(0);
#pragma unroll
    for (int r = 0; r < LOADS; ++r) {
        const int e = item + r * G_ITEMS;
        const int k = k_major ? e / (X_TILE / 4) : e % G_TK;
        const int x = 4 * (k_major ? e % (X_TILE / 4) : e / G_TK);
        const int gk = k0 + k;
        const int gx = x0 + x;
        const int inside = gk < k_end;
        float4 v;
        if (k_major) {
            GLOBAL const float* row = src + (long) gk * ld;
            if (inside && (ld & 3) == 0 && gx + 3 < x_max) {
                v = *((GLOBAL const float4*) (row + gx));
            } else {
                v.x = inside && gx < x_max ? row[gx] : 0.0f;
                v.y = inside && gx + 1 < x_max ? row[gx + 1] : 0.0f;
                v.z = inside && gx + 2 < x_max ? row[gx + 2] : 0.0f;
                v.w = inside && gx + 3 < x_max ? row[gx + 3] : 0.0f;
            }
        } else {
            GLOBAL const float* column = src + (long) gx * ld + gk;
            v.x = inside && gx < x_max ? column[0] : 0.0f;
            v.y = inside && gx + 1 < x_max ? column[ld] : 0.0f;
            v.z = inside && gx + 2 < x_max ? column[2 * (long) ld] : 0.0f;
            v.w = inside && gx + 3 < x_max ? column[3 * (long) ld] : 0.0f;
        }
        if (ones && inside) {
            /* the row of ones just past the matrix (see the header) */
            v.x = gx == x_max ? 1.0f : v.x;
            v.y = gx + 1 == x_max ? 1.0f : v.y;
            v.z = gx + 2 == x_max ? 1.0f : v.z;
            v.w = gx + 3 == x_max ? 1.0f : v.w;
        }
        regs[r] = v;
    }
}

/* The registers fetch_slice filled, into a local slice (k-major float4s, STRIDE per k row). */
DEVICE_FN void CLASSED(store_slice)(const float4* regs, const int k_major, LOCAL_PTR float4* slice,
                                    const int X_TILE, const int STRIDE, const int LOADS)
{
    const int item = LOCAL_ID(0);
#pragma unroll
    for (int r = 0; r < LOADS; ++r) {
        const int e = item + r * G_ITEMS;
        const int k = k_major ? e / (X_TILE / 4) : e % G_TK;
        const int xq = k_major ? e % (X_TILE / 4) : e / G_TK;
        slice[k * STRIDE + xq] = regs[r];
    }
}

/* acc[r·G_WN + c] += Σ_k a(k, row r) · b(k, column c) over one slice, rows and columns as the header maps them. */
DEVICE_FN void CLASSED(multiply_slices)(LOCAL_PTR const float4* a_slice, LOCAL_PTR const float4* b_slice, float* acc)
{
    const int warp = LOCAL_ID(0) / WARP_LANES;
    const int lane = LOCAL_ID(0) % WARP_LANES;
    const int a_first = (warp / G_WARPS_N) * (G_WARP_TM / 4) + lane / LANES_N;
    const int b_first = (warp % G_WARPS_N) * (G_WARP_TN / 4) + lane % LANES_N;
#pragma unroll
    for (int k = 0; k < G_TK; ++k) {
        float4 a[G_WM / 4];
        float4 b[G_WN / 4];
#pragma unroll
        for (int sm = 0; sm < G_WM / 4; ++sm) {
            a[sm] = a_slice[k * G_A_STRIDE + a_first + sm * LANES_M];
        }
#pragma unroll
        for (int sn = 0; sn < G_WN / 4; ++sn) {
            b[sn] = b_slice[k * G_B_STRIDE + b_first + sn * LANES_N];
        }
#pragma unroll
        for (int r = 0; r < G_WM; ++r) {
            const float ar = component(a[r / 4], r % 4);
#pragma unroll
            for (int c = 0; c < G_WN; ++c) {
                acc[r * G_WN + c] += ar * component(b[c / 4], c % 4);
            }
        }
    }
}

/* The first row of C this item owns in sub-block row r / 4 (its rows are this + r % 4). */
DEVICE_FN int CLASSED(item_row)(int m0, int r)
{
    const int warp = LOCAL_ID(0) / WARP_LANES;
    const int lane = LOCAL_ID(0) % WARP_LANES;
    return m0 + (warp / G_WARPS_N) * G_WARP_TM + (r / 4) * (4 * LANES_M) + (lane / LANES_N) * 4 + r % 4;
}

/* The first of the 4 columns of C this item owns in sub-block column sn. */
DEVICE_FN int CLASSED(item_column)(int n0, int sn)
{
    const int warp = LOCAL_ID(0) / WARP_LANES;
    const int lane = LOCAL_ID(0) % WARP_LANES;
    return n0 + (warp % G_WARPS_N) * G_WARP_TN + sn * (4 * LANES_N) + (lane % LANES_N) * 4;
}

/*
 * acc = the group's tile of A·B over [k_begin, k_end), through the pipeline of the header; acc
 * holds G_WM·G_WN floats, zeroed here. a_slices and b_slices are the group's two local buffers
 * of each operand (2·G_SLICE_A and 2·G_SLICE_B float4s). Every item of the group must call it.
 * a_ones: A has a row of ones at m_max (see the header), 0 or 1, the same for the whole group.
 */
DEVICE_FN void CLASSED(gemm_slices)(GLOBAL const float* RESTRICT a, int lda, const int a_k_major, int m0, int m_max,
                                    int a_ones, GLOBAL const float* RESTRICT b, int ldb, const int b_k_major, int n0, int n_max,
                                    int k_begin, int k_end, LOCAL_PTR float4* a_slices, LOCAL_PTR float4* b_slices,
                                    float* acc)
{
#pragma unroll
    for (int e = 0; e < G_WM * G_WN; ++e) {
        acc[e] = 0.0f;
    }
    if (k_begin >= k_end) {
        return; /* uniform across the group: an empty split contributes zeros */
    }
    float4 a_next[G_A_LOADS];
    float4 b_next[G_B_LOADS];
    CLASSED(fetch_slice)(a, lda, a_k_major, m0, m_max, a_ones, k_begin, k_end, a_next, G_TM, G_A_LOADS);
    CLASSED(fetch_slice)(b, ldb, b_k_major, n0, n_max, 0, k_begin, k_end, b_next, G_TN, G_B_LOADS);
    CLASSED(store_slice)(a_next, a_k_major, a_slices, G_TM, G_A_STRIDE, G_A_LOADS);
    CLASSED(store_slice)(b_next, b_k_major, b_slices, G_TN, G_B_STRIDE, G_B_LOADS);
    BARRIER();
    int buffer = 0;
    for (int k0 = k_begin; k0 < k_end; k0 += G_TK) {
        const int more = k0 + G_TK < k_end;
        if (more) {
            CLASSED(fetch_slice)(a, lda, a_k_major, m0, m_max, a_ones, k0 + G_TK, k_end, a_next, G_TM, G_A_LOADS);
            CLASSED(fetch_slice)(b, ldb, b_k_major, n0, n_max, 0, k0 + G_TK, k_end, b_next, G_TN, G_B_LOADS);
        }
        CLASSED(multiply_slices)(a_slices + buffer * G_SLICE_A, b_slices + buffer * G_SLICE_B, acc);
        if (more) {
            CLASSED(store_slice)(a_next, a_k_major, a_slices + (1 - buffer) * G_SLICE_A, G_TM, G_A_STRIDE, G_A_LOADS);
            CLASSED(store_slice)(b_next, b_k_major, b_slices + (1 - buffer) * G_SLICE_B, G_TN, G_B_STRIDE, G_B_LOADS);
        }
        /* one barrier: the stores above are visible before the next multiply reads them, and
           this multiply's reads are done before the step after next overwrites its buffer */
        BARRIER();
        buffer = 1 - buffer;
    }
}

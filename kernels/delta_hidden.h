/*
 * delta_hidden.h — a hidden layer's error signal, as one GEMM with f' fused in its epilogue:
 *
 *     Δ^l = (Δ^{l+1} · W^{l+1}ᵀ) ⊙ f'(U^l, Z^l)
 *
 * Δ^{l+1} is batch × n_next, W^{l+1} is n × n_next (row-major, read transposed), so this is an
 * NT GEMM with M = batch, N = n, K = n_next. It must run before W^{l+1} is updated.
 *
 * Included once per tile class (gemm_classes.h): delta_hidden_gemm_small, _large.
 * Work split (warp_gemm.h): a work-group owns a G_TM×G_TN tile of Δ^l and the K range
 * [GROUP_ID(2)·k_split, +k_split), a work-item a G_WM×G_WN block. With one split the epilogue
 * multiplies by f'(u, z) read from what forward kept; with several, each split stores its raw
 * sums to partials[split][batch][n] and delta_hidden_reduce (split_k.h) finishes them.
 * Grid: ceil(n/G_TN) × ceil(batch/G_TM) × splits groups of G_ITEMS items (1-D).
 * Macros: the class's G_TM G_TN G_TK G_WM G_WN, and LANES_N.
 */

KERNEL void LAUNCH_BOUNDS(G_ITEMS, G_MIN_GROUPS)
CLASSED(delta_hidden_gemm)(GLOBAL const float* RESTRICT delta_next, GLOBAL const float* RESTRICT weights_next,
                           GLOBAL const float* RESTRICT u, GLOBAL const float* RESTRICT z,
                           GLOBAL float* RESTRICT delta, GLOBAL float* RESTRICT partials,
                           int batch, int n, int n_next, int activation, int k_split)
{
    LOCAL float4 a_slices[2 * G_SLICE_A];
    LOCAL float4 b_slices[2 * G_SLICE_B];
    float acc[G_WM * G_WN];
    const int m0 = GROUP_ID(1) * G_TM;
    const int n0 = GROUP_ID(0) * G_TN;
    const int k_begin = GROUP_ID(2) * k_split;
    const int k_end = min(n_next, k_begin + k_split);
    /* A(m, k) = delta_next[m·n_next + k] and B(k, j) = weights_next[j·n_next + k]: both x-major */
    CLASSED(gemm_slices)(delta_next, n_next, 0, m0, batch, 0, weights_next, n_next, 0, n0, n, k_begin, k_end,
                         a_slices, b_slices, acc);

    const int split = NUM_GROUPS(2) > 1;
    GLOBAL float* partial = partials + (long) GROUP_ID(2) * batch * n;
#pragma unroll
    for (int r = 0; r < G_WM; ++r) {
        const int row = CLASSED(item_row)(m0, r);
        if (row < batch) {
#pragma unroll
            for (int sn = 0; sn < G_WN / 4; ++sn) {
                const int column = CLASSED(item_column)(n0, sn);
                const int at = r * G_WN + sn * 4;
                if (split) {
                    store_row4(partial + (long) row * n, column, n,
                               four(acc[at], acc[at + 1], acc[at + 2], acc[at + 3]));
                } else {
                    const float4 ur = load_row4(u + (long) row * n, column, n);
                    const float4 zr = load_row4(z + (long) row * n, column, n);
                    store_row4(delta + (long) row * n, column, n,
                               four(acc[at] * derivative(activation, ur.x, zr.x),
                                    acc[at + 1] * derivative(activation, ur.y, zr.y),
                                    acc[at + 2] * derivative(activation, ur.z, zr.z),
                                    acc[at + 3] * derivative(activation, ur.w, zr.w)));
                }
            }
        }
    }
}

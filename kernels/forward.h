/*
 * forward.h — the forward pass of one layer, fused:
 *
 *     U^l = Z^{l-1} · W^l + 1·b^lᵀ,   Z^l = f(U^l)
 *
 * Z^{l-1} is batch × n_in, W^l is n_in × n_out, both row-major (an NN GEMM with M = batch,
 * N = n_out, K = n_in). Both U and Z are written, because f' is evaluated from them in the
 * backward pass (from z for sigmoid and tanh, from u for the others).
 *
 * Included once per tile class (gemm_classes.h): forward_gemm_small, forward_gemm_large.
 * Work split (warp_gemm.h): a work-group owns a G_TM×G_TN tile of U and Z and the K range
 * [GROUP_ID(2)·k_split, +k_split); a work-item a G_WM×G_WN block of it in registers.
 * With one split (NUM_GROUPS(2) = 1) the epilogue adds the bias, applies f and stores U and Z;
 * with several, each split stores its raw sums to partials[split][batch][n_out] and
 * forward_reduce (split_k.h) finishes them in a fixed order.
 * Grid: ceil(n_out/G_TN) × ceil(batch/G_TM) × splits groups of G_ITEMS items (1-D).
 * Macros: the class's G_TM G_TN G_TK G_WM G_WN, and LANES_N.
 */

KERNEL void LAUNCH_BOUNDS(G_ITEMS, G_MIN_GROUPS)
CLASSED(forward_gemm)(GLOBAL const float* RESTRICT z_prev, GLOBAL const float* RESTRICT weights,
                      GLOBAL const float* RESTRICT bias, GLOBAL float* RESTRICT u, GLOBAL float* RESTRICT z,
                      GLOBAL float* RESTRICT partials, int batch, int n_in, int n_out, int activation, int k_split)
{
    LOCAL float4 a_slices[2 * G_SLICE_A];
    LOCAL float4 b_slices[2 * G_SLICE_B];
    float acc[G_WM * G_WN];
    const int m0 = GROUP_ID(1) * G_TM;
    const int n0 = GROUP_ID(0) * G_TN;
    const int k_begin = GROUP_ID(2) * k_split;
    const int k_end = min(n_in, k_begin + k_split);
    /* A(m, k) = z_prev[m·n_in + k]: x-major; B(k, n) = weights[k·n_out + n]: k-major */
    CLASSED(gemm_slices)(z_prev, n_in, 0, m0, batch, 0, weights, n_out, 1, n0, n_out, k_begin, k_end,
                         a_slices, b_slices, acc);

    const int split = NUM_GROUPS(2) > 1;
    GLOBAL float* partial = partials + (long) GROUP_ID(2) * batch * n_out;
#pragma unroll
    for (int r = 0; r < G_WM; ++r) {
        const int row = CLASSED(item_row)(m0, r);
        if (row < batch) {
#pragma unroll
            for (int sn = 0; sn < G_WN / 4; ++sn) {
                const int column = CLASSED(item_column)(n0, sn);
                const int at = r * G_WN + sn * 4;
                if (split) {
                    store_row4(partial + (long) row * n_out, column, n_out,
                               four(acc[at], acc[at + 1], acc[at + 2], acc[at + 3]));
                } else {
                    const float4 b = load_row4(bias, column, n_out);
                    const float4 sum = four(acc[at] + b.x, acc[at + 1] + b.y, acc[at + 2] + b.z, acc[at + 3] + b.w);
                    store_row4(u + (long) row * n_out, column, n_out, sum);
                    store_row4(z + (long) row * n_out, column, n_out,
                               four(activate(activation, sum.x), activate(activation, sum.y),
                                    activate(activation, sum.z), activate(activation, sum.w)));
                }
            }
        }
    }
}

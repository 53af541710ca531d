/*
 * update.h — a layer's gradient as one GEMM, with the optimizer step fused in its epilogue:
 *
 *     G^l = (1/B) · Z^{l-1}ᵀ · Δ^l,      g_b^l = (1/B) · Σ_b Δ^l_b,
 *     then every weight and bias takes optimizer_step (optimizer.h) with its g,
 *     e.g. for sgd  W^l ← W^l − η G^l,  b^l ← b^l − η g_b^l
 *
 * Z^{l-1} is batch × n_in and Δ^l batch × n_out, both read k-major (K = batch), so this is a TN
 * GEMM with M = n_in + 1, N = n_out: A is Z^{l-1}ᵀ with a row of ones below it (warp_gemm.h's
 * a_ones), so row n_in of the result is Σ_b δ_bj, the bias gradient, made by the same
 * multiply-adds as the weights' — no bias sum inside the K loop and no pass of its own. The
 * result is laid out as S = [S_W; S_b], (n_in + 1) × n_out, the flat gradient of
 * backend/GradientExchange.
 *
 * bias_row = 0 leaves the bias out (M = n_in; row n_in of partials is not written): the host
 * asks for that only for a split launch whose n_in is a multiple of the tile height, where the
 * ones row would cost a whole extra row of tiles, and the reduce then sums Σ_b δ_bj itself
 * (split_k.h). GemmPlan's Javadoc has the rule and the measurement behind it.
 *
 * Included once per tile class (gemm_classes.h): update_gemm_small, update_gemm_large.
 * Work split (warp_gemm.h): a work-group owns a G_TM×G_TN tile of S and the batch range
 * [GROUP_ID(2)·k_split, +k_split); a work-item a G_WM×G_WN block in registers. Epilogue:
 *   step = 1 (one split): every parameter of the tile takes optimizer_step with
 *            g = S · inverse_batch, reading and writing it and its state once; the gradient
 *            never reaches memory. w_state0, w_state1 (n_in × n_out), b_state0, b_state1
 *            (n_out) are the optimizer's state (slots a rule lacks are never touched);
 *   step = 0: the raw sums S go to partials[GROUP_ID(2)][n_in + 1][n_out]: the splits of a
 *            split-K launch (update_reduce or gradient_reduce in split_k.h finish them in a
 *            fixed order), or, unsplit, the gradient sums of data-parallel training, which
 *            update_reduce steps after the exchange.
 * Grid: ceil(n_out/G_TN) × ceil((n_in+bias_row)/G_TM) × splits groups of G_ITEMS items (1-D).
 * Macros: the class's G_TM G_TN G_TK G_WM G_WN, LANES_N; OPTIMIZER_RULE, optional (optimizer.h).
 */

KERNEL void LAUNCH_BOUNDS(G_ITEMS, G_MIN_GROUPS)
CLASSED(update_gemm)(GLOBAL const float* RESTRICT z_prev, GLOBAL const float* RESTRICT delta,
                     GLOBAL float* RESTRICT weights, GLOBAL float* RESTRICT bias,
                     GLOBAL float* RESTRICT w_state0, GLOBAL float* RESTRICT w_state1,
                     GLOBAL float* RESTRICT b_state0, GLOBAL float* RESTRICT b_state1,
                     GLOBAL float* RESTRICT partials, int batch, int n_in, int n_out, int bias_row, int k_split, int step,
                     float inverse_batch, int rule, GLOBAL const float* RESTRICT step_scalars, float momentum, float beta1, float beta2,
                     float epsilon, float weight_decay)
{
    LOCAL float4 a_slices[2 * G_SLICE_A];
    LOCAL float4 b_slices[2 * G_SLICE_B];
    float acc[G_WM * G_WN];
    const int m0 = GROUP_ID(1) * G_TM;
    const int n0 = GROUP_ID(0) * G_TN;
    const int k_begin = GROUP_ID(2) * k_split;
    const int k_end = min(batch, k_begin + k_split);
    /* A(i, b) = z_prev[b·n_in + i] with ones at i = n_in; B(b, j) = delta[b·n_out + j]: both k-major */
    CLASSED(gemm_slices)(z_prev, n_in, 1, m0, n_in, bias_row, delta, n_out, 1, n0, n_out, k_begin, k_end,
                         a_slices, b_slices, acc);

    if (!step) {
        GLOBAL float* partial = partials + (long) GROUP_ID(2) * (n_in + 1) * n_out;
#pragma unroll
        for (int r = 0; r < G_WM; ++r) {
            const int row = CLASSED(item_row)(m0, r);
            if (row < n_in + bias_row) {
#pragma unroll
                for (int sn = 0; sn < G_WN / 4; ++sn) {
                    const int at = r * G_WN + sn * 4;
                    store_row4(partial + (long) row * n_out, CLASSED(item_column)(n0, sn), n_out,
                               four(acc[at], acc[at + 1], acc[at + 2], acc[at + 3]));
                }
            }
        }
        return;
    }

    const optimizer_args o = optimizer_args_of(rule, step_scalars, momentum, beta1, beta2, epsilon, weight_decay);
#pragma unroll
    for (int r = 0; r < G_WM; ++r) {
        const int row = CLASSED(item_row)(m0, r);
        /* row n_in is the bias: its parameters and state are the bias's, at the column's index */
        const int is_bias = row == n_in;
        GLOBAL float* RESTRICT p = is_bias ? bias : weights;
        GLOBAL float* RESTRICT s0 = is_bias ? b_state0 : w_state0;
        GLOBAL float* RESTRICT s1 = is_bias ? b_state1 : w_state1;
        const long row_at = is_bias ? 0 : (long) row * n_out;
        if (row < n_in + bias_row) {
#pragma unroll
            for (int sn = 0; sn < G_WN / 4; ++sn) {
                const int column = CLASSED(item_column)(n0, sn);
#pragma unroll
                for (int c = 0; c < 4; ++c) {
                    if (column + c < n_out) {
                        const long at = row_at + column + c;
                        p[at] = optimizer_step(o, p[at], acc[r * G_WN + sn * 4 + c] * inverse_batch, s0, s1, at);
                    }
                }
            }
        }
    }
}

/*
 * update.h — the optimizer step of one layer, as one GEMM with the step fused in its epilogue:
 *
 *     G^l = (1/B) · Z^{l-1}ᵀ · Δ^l,      g_b^l = (1/B) · Σ_b Δ^l_b,
 *     then every weight and bias takes optimizer_step (optimizer.h) with its g,
 *     e.g. for sgd  W^l ← W^l − η G^l,  b^l ← b^l − η g_b^l
 *
 * Z^{l-1} is batch × n_in (read transposed), Δ^l is batch × n_out, so this is a TN GEMM with
 * M = n_in, N = n_out, K = batch; inverse_batch = 1/B. The gradient exists only in registers:
 * the epilogue reads each parameter and its optimizer state once and writes them once.
 * w_state0, w_state1 (n_in × n_out) and b_state0, b_state1 (n_out) are the optimizer's state
 * for the weights and the bias (see optimizer.h; slots a rule lacks are never touched).
 *
 * Work split (tiles.h): a work-group owns a TM×TN tile of W^l, a work-item a WM×WN block.
 * The groups of the first row of tiles also own the bias of their TN columns: their items with
 * ty = 0 sum the Δ slices already in local memory, so the bias step needs no launch of its own.
 * Grid: ceil(n_out/TN) × ceil(n_in/TM) groups of (TN/WN) × (TM/WM) items.
 * Macros: TM TN TK WM WN VW (tiles.h); OPTIMIZER_RULE, optional (optimizer.h).
 */

KERNEL void update_gemm(GLOBAL const float* RESTRICT z_prev, GLOBAL const float* RESTRICT delta,
                        GLOBAL float* RESTRICT weights, GLOBAL float* RESTRICT bias,
                        GLOBAL float* RESTRICT w_state0, GLOBAL float* RESTRICT w_state1,
                        GLOBAL float* RESTRICT b_state0, GLOBAL float* RESTRICT b_state1,
                        int batch, int n_in, int n_out, float inverse_batch, int rule, float learning_rate,
                        float momentum, float beta1, float beta2, float epsilon, float weight_decay,
                        float step_size, float root_correction)
{
    LOCAL float a_tile[TK * TM];
    LOCAL float b_tile[TK * TN];
    float acc[WM * WN];
    float bias_sum[WN];
#pragma unroll
    for (int e = 0; e < WM * WN; ++e) {
        acc[e] = 0.0f;
    }
#pragma unroll
    for (int n = 0; n < WN; ++n) {
        bias_sum[n] = 0.0f;
    }
    const int row0 = GROUP_ID(1) * TM;
    const int column0 = GROUP_ID(0) * TN;
    const int owns_bias = GROUP_ID(1) == 0 && LOCAL_ID(1) == 0;

    for (int k0 = 0; k0 < batch; k0 += TK) {
        /* A(i, b) = z_prev[b·n_in + i]: already k-major in memory */
        load_tile(z_prev, n_in, k0, row0, batch, n_in, a_tile, TK, TM, 0);
        /* B(b, j) = delta[b·n_out + j] */
        load_tile(delta, n_out, k0, column0, batch, n_out, b_tile, TK, TN, 0);
        BARRIER();
        multiply_tile(a_tile, b_tile, acc);
        if (owns_bias) {
            for (int k = 0; k < TK; ++k) {
#pragma unroll
                for (int n = 0; n < WN; ++n) {
                    bias_sum[n] += b_tile[k * TN + LOCAL_ID(0) * WN + n];
                }
            }
        }
        BARRIER();
    }

    optimizer_args o;
    o.rule = rule;
    o.learning_rate = learning_rate;
    o.momentum = momentum;
    o.beta1 = beta1;
    o.beta2 = beta2;
    o.epsilon = epsilon;
    o.weight_decay = weight_decay;
    o.step_size = step_size;
    o.root_correction = root_correction;
    const int row = row0 + LOCAL_ID(1) * WM;
    const int column = column0 + LOCAL_ID(0) * WN;
#pragma unroll
    for (int m = 0; m < WM; ++m) {
#pragma unroll
        for (int n = 0; n < WN; ++n) {
            if (row + m < n_in && column + n < n_out) {
                const long at = (long) (row + m) * n_out + column + n;
                weights[at] = optimizer_step(o, weights[at], acc[m * WN + n] * inverse_batch, w_state0, w_state1, at);
            }
        }
    }
    if (owns_bias) {
#pragma unroll
        for (int n = 0; n < WN; ++n) {
            if (column + n < n_out) {
                const long at = column + n;
                bias[at] = optimizer_step(o, bias[at], bias_sum[n] * inverse_batch, b_state0, b_state1, at);
            }
        }
    }
}

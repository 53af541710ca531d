/*
 * split_k.h — the second launch of a split-K GEMM: the partial sums of the S splits added in
 * split order (0, 1, …, S−1, never atomics, so a result is bitwise the same on every run),
 * then the family's epilogue:
 *
 *     forward_reduce:       U = Σ_s P_s + 1·bᵀ,   Z = f(U)
 *     delta_hidden_reduce:  Δ = (Σ_s P_s) ⊙ f'(U, Z)
 *     update_reduce:        S = Σ_s P_s,  every weight and bias takes optimizer_step (optimizer.h)
 *                           with g = S · inverse_batch, once
 *     gradient_reduce:      S = Σ_s P_s, stored (the gradient sums of data-parallel training)
 *     gradient_total:       S_0 ← ((S_0 + P_0) + P_1) + …, the other replicas' sums P_r (copied next
 *                           to each other from peer devices, in replica order) added onto the
 *                           first replica's own, in that order
 *
 * P_s = partials[s·rows·columns ..] is split s's rows × columns block (row-major), written by
 * forward_gemm_* / delta_hidden_gemm_* / update_gemm_* launched with S groups along dimension 2.
 * For the update, rows = n_in + 1: P_s is [S_W; S_b] of update.h, so element k < n_in·n_out is
 * weight k and the last n_out are the bias. update_reduce with S = 1 over the exchanged sums is
 * data-parallel training's step: the same rule on the same g as update_gemm's epilogue.
 * bias_from_delta (update_gemm ran with bias_row = 0): S_b is not in the partials; the bias's
 * item j sums its column of Δ (batch × n_out) in row order instead, and gradient_reduce does the
 * same, so the two paths still agree bit for bit.
 * Work split: one work-item per element of the result, REDUCE items per group (1-D).
 * Grid: ceil(rows·columns / REDUCE) groups. Macros: REDUCE (tiles.h); OPTIMIZER_RULE, optional.
 */

/* Σ_b delta[b·n_out + j] in row order: a bias gradient the update GEMM left out */
DEVICE_FN float column_sum(GLOBAL const float* RESTRICT delta, int batch, int n_out, int j)
{
    float sum = 0.0f;
    for (int b = 0; b < batch; ++b) {
        sum += delta[(long) b * n_out + j];
    }
    return sum;
}

/* Σ_s partials[s·count + k] in split order: the one order every reduce adds in */
DEVICE_FN float split_sum(GLOBAL const float* RESTRICT partials, long count, long k, int splits)
{
    float sum = 0.0f;
    for (int s = 0; s < splits; ++s) {
        sum += partials[s * count + k];
    }
    return sum;
}

KERNEL void forward_reduce(GLOBAL const float* RESTRICT partials, GLOBAL const float* RESTRICT bias,
                           GLOBAL float* RESTRICT u, GLOBAL float* RESTRICT z, int rows, int columns, int splits,
                           int activation)
{
    const long count = (long) rows * columns;
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    if (k < count) {
        const float sum = split_sum(partials, count, k, splits) + bias[(int) (k % columns)];
        u[k] = sum;
        z[k] = activate(activation, sum);
    }
}

KERNEL void delta_hidden_reduce(GLOBAL const float* RESTRICT partials, GLOBAL const float* RESTRICT u,
                                GLOBAL const float* RESTRICT z, GLOBAL float* RESTRICT delta, int rows, int columns,
                                int splits, int activation)
{
    const long count = (long) rows * columns;
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    if (k < count) {
        delta[k] = split_sum(partials, count, k, splits) * derivative(activation, u[k], z[k]);
    }
}

KERNEL void update_reduce(GLOBAL const float* RESTRICT partials, GLOBAL float* RESTRICT weights,
                          GLOBAL float* RESTRICT bias, GLOBAL float* RESTRICT w_state0,
                          GLOBAL float* RESTRICT w_state1, GLOBAL float* RESTRICT b_state0,
                          GLOBAL float* RESTRICT b_state1, GLOBAL const float* RESTRICT delta, int batch,
                          int bias_from_delta, int n_in, int n_out, int splits, float inverse_batch,
                          int rule, GLOBAL const float* RESTRICT step_scalars, float momentum, float beta1, float beta2, float epsilon,
                          float weight_decay)
{
    const optimizer_args o = optimizer_args_of(rule, step_scalars, momentum, beta1, beta2, epsilon, weight_decay);
    const long weights_count = (long) n_in * n_out;
    const long count = weights_count + n_out;
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    if (k < weights_count) {
        weights[k] = optimizer_step(o, weights[k], split_sum(partials, count, k, splits) * inverse_batch, w_state0,
                                    w_state1, k);
    } else if (k < count) {
        const long j = k - weights_count;
        const float sum = bias_from_delta ? column_sum(delta, batch, n_out, (int) j) : split_sum(partials, count, k, splits);
        bias[j] = optimizer_step(o, bias[j], sum * inverse_batch, b_state0, b_state1, j);
    }
}

KERNEL void gradient_reduce(GLOBAL const float* RESTRICT partials, GLOBAL float* RESTRICT sums,
                            GLOBAL const float* RESTRICT delta, int batch, int bias_from_delta, int rows, int columns,
                            int splits)
{
    const long count = (long) rows * columns;
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    const long weights_count = count - columns;
    if (k < count) {
        sums[k] = bias_from_delta && k >= weights_count ? column_sum(delta, batch, columns, (int) (k - weights_count))
                                                        : split_sum(partials, count, k, splits);
    }
}

/* gradient_total: count = (n_in + 1) · n_out, P_r = parts[r·count ..], part_count = replicas − 1 */
KERNEL void gradient_total(GLOBAL float* RESTRICT total, GLOBAL const float* RESTRICT parts, int count, int part_count)
{
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    if (k < count) {
        float sum = total[k];
        for (int s = 0; s < part_count; ++s) {
            sum += parts[(long) s * count + k];
        }
        total[k] = sum;
    }
}

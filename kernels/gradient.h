/*
 * gradient.h — a training step's update cut in two, for data-parallel training across devices
 * (backend/DataParallelBackend): each device computes its shard's gradient sums, the host adds
 * the devices' sums, and every device applies the same optimizer step to the total.
 *
 * gradient_sums (one layer, nothing stepped), into one buffer of (n_in + 1) × n_out floats:
 *
 *     sums[i][j]    = Σ_b z^{l-1}_bi δ^l_bj      for i < n_in      (S_W = Z^{l-1}ᵀ Δ^l)
 *     sums[n_in][j] = Σ_b δ^l_bj                                   (S_b, the bias row)
 *
 * so the layer's flat gradient is S_W then S_b, the layout GradientExchange reads and writes.
 * It is update_gemm's GEMM (update.h: the same tiles, the same order of the sums, the bias
 * summed by the first row of groups from the Δ slices in local memory) with a store for an
 * epilogue, so one device's step and the sums of a one-shard "split" agree bit for bit.
 * Grid: ceil(n_out/TN) × ceil(n_in/TM) groups of (TN/WN) × (TM/WM) items. Macros: TM TN TK WM WN VW (tiles.h).
 *
 * optimizer_apply (one layer): every weight and bias takes optimizer_step (optimizer.h) with
 * g = sums · inverse_batch (inverse_batch = 1/B of the whole batch), its state at its own index —
 * the same rule update_gemm applies in its epilogue, so one device's step and N devices' steps
 * differ only in the order of the sums.
 * Grid: ceil((n_in+1)·n_out / REDUCE) groups of REDUCE items. Macros: REDUCE (tiles.h).
 */

KERNEL void gradient_sums(GLOBAL const float* RESTRICT z_prev, GLOBAL const float* RESTRICT delta,
                          GLOBAL float* RESTRICT sums, int batch, int n_in, int n_out)
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

    const int row = row0 + LOCAL_ID(1) * WM;
    const int column = column0 + LOCAL_ID(0) * WN;
#pragma unroll
    for (int m = 0; m < WM; ++m) {
#pragma unroll
        for (int n = 0; n < WN; ++n) {
            if (row + m < n_in && column + n < n_out) {
                sums[(long) (row + m) * n_out + column + n] = acc[m * WN + n];
            }
        }
    }
    if (owns_bias) {
#pragma unroll
        for (int n = 0; n < WN; ++n) {
            if (column + n < n_out) {
                sums[(long) n_in * n_out + column + n] = bias_sum[n];
            }
        }
    }
}

KERNEL void optimizer_apply(GLOBAL float* RESTRICT weights, GLOBAL float* RESTRICT bias,
                            GLOBAL const float* RESTRICT sums,
                            GLOBAL float* RESTRICT w_state0, GLOBAL float* RESTRICT w_state1,
                            GLOBAL float* RESTRICT b_state0, GLOBAL float* RESTRICT b_state1,
                            int n_in, int n_out, float inverse_batch, int rule, float learning_rate,
                            float momentum, float beta1, float beta2, float epsilon, float weight_decay,
                            float step_size, float root_correction)
{
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
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    const long count = (long) n_in * n_out;
    if (k < count) {
        weights[k] = optimizer_step(o, weights[k], sums[k] * inverse_batch, w_state0, w_state1, k);
    } else if (k < count + n_out) {
        const long j = k - count;
        bias[j] = optimizer_step(o, bias[j], sums[k] * inverse_batch, b_state0, b_state1, j);
    }
}

/*
 * gradient_total (one layer, device to device), for replicas whose devices reach each other's
 * memory (CUDA peer copies): the other replicas' sums, copied next to each other in replica order,
 * added onto the first replica's in that order, in float:
 *
 *     total[k] = ((total[k] + parts[0·count + k]) + parts[1·count + k]) + …   for k < count
 *
 * so the sum never depends on which replica finished first.
 * Work split: one work-item per element. Grid: ceil(count / REDUCE) groups of REDUCE items.
 */
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

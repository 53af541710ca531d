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
 * One work-item per sum, summing its column of the batch in order; items of a group take
 * neighbouring j, so the δ reads coalesce and the z read is one broadcast per row. This is the
 * plain form (no tiles): the first version of multi-device training does not share update.h's
 * tiled GEMM, which another issue is reworking.
 * Grid: ceil(n_out/GX) × ceil((n_in+1)/GY) groups of GX × GY items, any GX, GY.
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
    const int j = GROUP_ID(0) * LOCAL_SIZE(0) + LOCAL_ID(0);
    const int i = GROUP_ID(1) * LOCAL_SIZE(1) + LOCAL_ID(1);
    if (j >= n_out || i > n_in) {
        return;
    }
    float acc = 0.0f;
    if (i < n_in) {
        for (int b = 0; b < batch; ++b) {
            acc += z_prev[(long) b * n_in + i] * delta[(long) b * n_out + j];
        }
    } else {
        for (int b = 0; b < batch; ++b) {
            acc += delta[(long) b * n_out + j];
        }
    }
    sums[(long) i * n_out + j] = acc;
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

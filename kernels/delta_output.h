/*
 * delta_output.h — the output layer's error signal and the batch loss, reduced on the device:
 *
 *     Δ^L = (Y − D) ⊙ f'(U^L),      loss = (1/B) Σ_b Σ_j ½ (y_bj − d_bj)²
 *
 * delta_output_elementwise: Y, D, U and Δ are batch × n_out, treated as one flat array of
 * count = batch · n_out. Each work-item walks the array with a stride of the whole grid
 * (so the grid can stay small), writes δ, and sums its ½ e²; the work-group reduces those
 * sums in local memory and writes one partial sum per group.
 * delta_output_loss: one work-group adds the partial sums and scales by 1/B.
 * Grid: any number of groups ≤ the partial buffer's length, REDUCE items each; then 1 × REDUCE.
 * Macros: REDUCE, the work-group size of both kernels, a power of two.
 */

/* Tree sum of REDUCE values in local memory; the result is in sums[0] for every item. */
DEVICE_FN float reduce_group(LOCAL_PTR float* sums, float value)
{
    const int item = LOCAL_ID(0);
    sums[item] = value;
    BARRIER();
    for (int span = REDUCE / 2; span > 0; span /= 2) {
        if (item < span) {
            sums[item] += sums[item + span];
        }
        BARRIER();
    }
    return sums[0];
}

KERNEL void delta_output_elementwise(GLOBAL const float* RESTRICT y, GLOBAL const float* RESTRICT d,
                                     GLOBAL const float* RESTRICT u, GLOBAL float* RESTRICT delta,
                                     GLOBAL float* RESTRICT partial_loss, int count, int activation)
{
    LOCAL float sums[REDUCE];
    float loss = 0.0f;
    const int stride = NUM_GROUPS(0) * REDUCE;
    for (int k = GROUP_ID(0) * REDUCE + LOCAL_ID(0); k < count; k += stride) {
        const float error = y[k] - d[k];
        loss += 0.5f * error * error;
        delta[k] = error * derivative(activation, u[k], y[k]);
    }
    const float total = reduce_group(sums, loss);
    if (LOCAL_ID(0) == 0) {
        partial_loss[GROUP_ID(0)] = total;
    }
}

KERNEL void delta_output_loss(GLOBAL const float* RESTRICT partial_loss, GLOBAL float* RESTRICT loss,
                              int partials, float scale)
{
    LOCAL float sums[REDUCE];
    float sum = 0.0f;
    for (int k = LOCAL_ID(0); k < partials; k += REDUCE) {
        sum += partial_loss[k];
    }
    const float total = reduce_group(sums, sum);
    if (LOCAL_ID(0) == 0) {
        loss[0] = total * scale;
    }
}

/*
 * delta_output.h — the output layer's error signal and the batch loss, reduced on the device
 * (DESIGN §1, §1b). Per sample b, with E_b its loss and loss = (1/B) Σ_b E_b:
 *
 *   squared error             δ = (y − d) ⊙ f'(u)    E_b = Σ_j ½ (y_j − d_j)²
 *   cross entropy, sigmoid    δ = y − d              E_b = Σ_j softplus(u_j) − d_j u_j
 *   cross entropy, softmax    y = softmax(u), δ = y − d
 *                             E_b = −Σ_j d_j log y_j = Σ_j d_j ((m − u_j) + log Σ_k e^{u_k − m}),
 *                             m = max_k u_k  (with Σ_j d_j = 1: log Σ e^{u−m} + m − Σ_j d_j u_j)
 *
 * Both cross-entropy losses are computed from u in their stable forms, never from log y, so a
 * confident wrong answer (|u| ~ 1e4) gives a large finite loss and a finite δ.
 *
 * delta_output_elementwise (squared error, or cross entropy with a sigmoid): Y, D, U and Δ are
 * batch × n_out, treated as one flat array of count = batch · n_out. Each work-item walks the
 * array with a stride of the whole grid (so the grid can stay small), writes δ and sums its
 * losses; the work-group reduces those sums in local memory and writes one partial per group.
 * delta_output_softmax (cross entropy with a softmax): the forward GEMM's tile does not own a
 * whole row, so this pass does the softmax itself. One work-item per sample row (grid-strided):
 * it normalises the row into Y (softmax_row, activation.h), writes δ = y − d and sums E_b. One
 * item per row keeps the launch count of a step at 3L + 1 and suits the narrow outputs of a
 * classifier (n_L = 10 for MNIST); a very wide softmax would want a work-group per row.
 * delta_output_loss: one work-group adds the partial sums and scales by 1/B; a lazy step's loss
 * is also appended to the loss record (record_loss, loss_record.h; record_capacity 0: not).
 * Grid: any number of groups ≤ the partial buffer's length, REDUCE items each; then 1 × REDUCE.
 * Macros: REDUCE, the work-group size of these kernels, a power of two.
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
                                     GLOBAL float* RESTRICT partial_loss, int count, int activation,
                                     int cross_entropy)
{
    LOCAL float sums[REDUCE];
    float loss = 0.0f;
    const int stride = NUM_GROUPS(0) * REDUCE;
    for (int k = GROUP_ID(0) * REDUCE + LOCAL_ID(0); k < count; k += stride) {
        const float error = y[k] - d[k];
        if (cross_entropy) {
            /* sigmoid output: −d log y − (1−d) log(1−y) = softplus(u) − d u, and δ = y − d */
            loss += softplus(u[k]) - d[k] * u[k];
            delta[k] = error;
        } else {
            loss += 0.5f * error * error;
            delta[k] = error * derivative(activation, u[k], y[k]);
        }
    }
    const float total = reduce_group(sums, loss);
    if (LOCAL_ID(0) == 0) {
        partial_loss[GROUP_ID(0)] = total;
    }
}

KERNEL void delta_output_softmax(GLOBAL const float* RESTRICT u, GLOBAL const float* RESTRICT d,
                                  GLOBAL float* RESTRICT y, GLOBAL float* RESTRICT delta,
                                  GLOBAL float* RESTRICT partial_loss, int batch, int n)
{
    LOCAL float sums[REDUCE];
    float loss = 0.0f;
    const int stride = NUM_GROUPS(0) * REDUCE;
    for (int b = GROUP_ID(0) * REDUCE + LOCAL_ID(0); b < batch; b += stride) {
        const long row = (long) b * n;
        float max;
        const float log_sum = softmax_row(u + row, y + row, n, &max);
        for (int j = 0; j < n; ++j) {
            delta[row + j] = y[row + j] - d[row + j];
            loss += d[row + j] * ((max - u[row + j]) + log_sum);
        }
    }
    const float total = reduce_group(sums, loss);
    if (LOCAL_ID(0) == 0) {
        partial_loss[GROUP_ID(0)] = total;
    }
}

KERNEL void delta_output_loss(GLOBAL const float* RESTRICT partial_loss, GLOBAL float* RESTRICT loss,
                              int partials, float scale, int record_capacity)
{
    LOCAL float sums[REDUCE];
    float sum = 0.0f;
    for (int k = LOCAL_ID(0); k < partials; k += REDUCE) {
        sum += partial_loss[k];
    }
    const float total = reduce_group(sums, sum);
    if (LOCAL_ID(0) == 0) {
        record_loss(loss, total * scale, record_capacity);
    }
}

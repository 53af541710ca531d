/*
 * fused_mlp.h — a whole training step of a small MLP (every width n_l ≤ FUSED_WIDTH, depth
 * L ≤ FUSED_DEPTH, Σ_l n_l ≤ FUSED_UNITS, input included) in two launches, instead of the
 * layer-by-layer path's 3L + 1 (issue 13 item 5; the design of NVlabs/tiny-cuda-nn's fully fused
 * MLP: a small network's step is bound by launches and global round trips, not by arithmetic).
 *
 * Why two launches, and which two. A step needs the batch-mean gradient of every parameter
 * before any parameter may change (δ^{l-1} is formed from W^l before its update), and the
 * gradient is a sum over the whole batch, which many work-groups share. Without atomics (whose
 * order, and so whose float sum, changes from run to run) the groups' shares must be added in a
 * fixed order after every group has finished: that needs a grid-wide barrier, which the portable
 * subset (OpenCL 1.2 / CUDA without cooperative launch) does not have, so the launch boundary is
 * that barrier. Hence:
 *
 *   launch 1, fused_mlp_gradients: forward, output δ + loss and backward, fused. Work-group g
 *     takes the chunks g, g + G, g + 2G, … of FUSED_CHUNK samples each (G groups). For a chunk it
 *     keeps U^l and Z^l of every layer and Δ^l of the current and next layer in local memory
 *     (nothing but the batch and the teacher is read from global memory, and nothing batch-sized
 *     is written to it), and adds the chunk's Σ_b z^{l-1}_{b,i} δ^l_{b,j} and Σ_b δ^l_{b,j}
 *     into its own row of partials, P floats at partials[g·P …] in the packed order
 *     W^1, b^1, W^2, b^2, …. Each partial is written by one work-item, chunk after chunk, in the
 *     same order every run. The group's loss Σ_b E_b goes to partials[G·P + g].
 *   launch 2, fused_mlp_update: one work-item per parameter adds the G partials in order
 *     k = 0..G−1, scales by 1/B and takes optimizer_step (optimizer.h — the rule written once,
 *     shared with update_gemm), so the optimizer runs in the same pass as the reduction; item P
 *     adds the G loss partials into loss[0] = (1/B) Σ E_b (and, for a lazy step, the loss record:
 *     loss_record.h).
 *
 * So "one launch for the forward pass and one for backward + update" becomes "one launch for
 * forward + backward of each chunk, one for the reduction + update": still two per step, and
 * bitwise reproducible (the order of every sum depends only on the batch size).
 *
 * Losses (DESIGN §1b, as delta_output.h): squared error δ = (y − d) ⊙ f'(u); cross entropy
 * with a sigmoid δ = y − d, E_b = Σ softplus(u) − d u; with a softmax y = softmax(u) per row,
 * δ = y − d, E_b = Σ d ((m − u) + log Σ e^{u−m}). Every activation of activation.h.
 *
 * Grid: launch 1: G groups of FUSED_GROUP items (1 ≤ G ≤ ceil(B / FUSED_CHUNK)); launch 2:
 * ceil((P + 1) / FUSED_GROUP) groups of FUSED_GROUP. Parameters of layers past `depth` are any
 * buffer: never touched. The limits below are fixed here (not -D) and mirrored by
 * dev.deltaprop.device.FusedMlp, which refuses a network past them (the engine then takes the
 * layer-by-layer path). Local memory: (2·CHUNK·UNITS + 2·CHUNK·WIDTH + 2·CHUNK + GROUP) floats
 * = 41,536 bytes, under CUDA's 48 KiB of static shared memory.
 */
#ifndef DELTAPROP_FUSED_MLP_H
#define DELTAPROP_FUSED_MLP_H

#define FUSED_WIDTH 128
#define FUSED_DEPTH 4
#define FUSED_UNITS 512
#define FUSED_CHUNK 8
#define FUSED_GROUP 128

/* the argument of layer l (1..FUSED_DEPTH) among four */
#define FUSED_PICK(l, p1, p2, p3, p4) ((l) == 1 ? (p1) : (l) == 2 ? (p2) : (l) == 3 ? (p3) : (p4))

KERNEL void fused_mlp_gradients(GLOBAL const float* RESTRICT x, GLOBAL const float* RESTRICT d,
                                GLOBAL const float* w1, GLOBAL const float* w2, GLOBAL const float* w3,
                                GLOBAL const float* w4, GLOBAL const float* b1, GLOBAL const float* b2,
                                GLOBAL const float* b3, GLOBAL const float* b4, GLOBAL float* RESTRICT partials,
                                int batch, int params, int depth, int n0, int n1, int n2, int n3, int n4,
                                int f1, int f2, int f3, int f4, int cross_entropy)
{
    LOCAL float z_local[FUSED_CHUNK * FUSED_UNITS];
    LOCAL float u_local[FUSED_CHUNK * FUSED_UNITS];
    LOCAL float delta_local[2 * FUSED_CHUNK * FUSED_WIDTH];
    LOCAL float row_max[FUSED_CHUNK];
    LOCAL float row_log_sum[FUSED_CHUNK];
    LOCAL float sums[FUSED_GROUP];
    int n[FUSED_DEPTH + 1];
    int f[FUSED_DEPTH + 1];
    int zoff[FUSED_DEPTH + 1]; /* layer l's rows in z_local/u_local, CHUNK·Σ_{k<l} n_k */
    int poff[FUSED_DEPTH + 1]; /* layer l's W then b in a row of partials */
    n[0] = n0; n[1] = n1; n[2] = n2; n[3] = n3; n[4] = n4;
    f[0] = ACT_IDENTITY; f[1] = f1; f[2] = f2; f[3] = f3; f[4] = f4;
    zoff[0] = 0;
    poff[0] = 0;
    poff[1] = 0;
    for (int l = 1; l <= FUSED_DEPTH; ++l) {
        zoff[l] = zoff[l - 1] + FUSED_CHUNK * n[l - 1];
        if (l < FUSED_DEPTH) {
            poff[l + 1] = poff[l] + n[l - 1] * n[l] + n[l];
        }
    }
    const int item = LOCAL_ID(0);
    const int groups = NUM_GROUPS(0);
    const int chunks = (batch + FUSED_CHUNK - 1) / FUSED_CHUNK;
    GLOBAL float* mine = partials + (long) GROUP_ID(0) * params;
    const int last = depth;
    float loss = 0.0f;
    int first = 1;

    for (int chunk = GROUP_ID(0); chunk < chunks; chunk += groups) {
        const int b0 = chunk * FUSED_CHUNK;
        const int rows = min(FUSED_CHUNK, batch - b0);
        for (int e = item; e < rows * n[0]; e += FUSED_GROUP) {
            z_local[e] = x[(long) b0 * n[0] + e];
        }
        BARRIER();

        /* forward: U^l = Z^{l-1} W^l + b^l, Z^l = f(U^l), one (sample, unit) per item */
        for (int l = 1; l <= last; ++l) {
            GLOBAL const float* w = FUSED_PICK(l, w1, w2, w3, w4);
            GLOBAL const float* b = FUSED_PICK(l, b1, b2, b3, b4);
            const int in = n[l - 1];
            const int out = n[l];
            for (int e = item; e < rows * out; e += FUSED_GROUP) {
                const int s = e / out;
                const int j = e - s * out;
                float sum = b[j];
                for (int i = 0; i < in; ++i) {
                    sum += z_local[zoff[l - 1] + s * in + i] * w[i * out + j];
                }
                u_local[zoff[l] + e] = sum;
                z_local[zoff[l] + e] = activate(f[l], sum);
            }
            BARRIER();
        }

        /* a softmax output: each row normalised with its max subtracted (activation.h's softmax_row) */
        const int nl = n[last];
        const int zl = zoff[last];
        if (f[last] == ACT_SOFTMAX) {
            for (int s = item; s < rows; s += FUSED_GROUP) {
                float m = u_local[zl + s * nl];
                for (int j = 1; j < nl; ++j) {
                    m = fmax(m, u_local[zl + s * nl + j]);
                }
                float total = 0.0f;
                for (int j = 0; j < nl; ++j) {
                    const float e = exp(u_local[zl + s * nl + j] - m);
                    z_local[zl + s * nl + j] = e;
                    total += e;
                }
                const float inverse = 1.0f / total;
                for (int j = 0; j < nl; ++j) {
                    z_local[zl + s * nl + j] *= inverse;
                }
                row_max[s] = m;
                row_log_sum[s] = log(total);
            }
            BARRIER();
        }

        /* output δ and the loss, as delta_output.h */
        for (int e = item; e < rows * nl; e += FUSED_GROUP) {
            const float target = d[(long) b0 * nl + e];
            const float y = z_local[zl + e];
            const float u = u_local[zl + e];
            const float error = y - target;
            float delta;
            if (f[last] == ACT_SOFTMAX) {
                const int s = e / nl;
                loss += target * ((row_max[s] - u) + row_log_sum[s]);
                delta = error;
            } else if (cross_entropy) {
                loss += softplus(u) - target * u;
                delta = error;
            } else {
                loss += 0.5f * error * error;
                delta = error * derivative(f[last], u, y);
            }
            delta_local[e] = delta;
        }
        BARRIER();

        /* backward: this chunk's share of ∂W^l, ∂b^l, then Δ^{l-1} = (Δ^l W^lᵀ) ⊙ f'(U^{l-1}) */
        int current = 0;
        for (int l = last; l >= 1; --l) {
            const int in = n[l - 1];
            const int out = n[l];
            const int zi = zoff[l - 1];
            for (int p = item; p < in * out; p += FUSED_GROUP) {
                const int i = p / out;
                const int j = p - i * out;
                float g = 0.0f;
                for (int s = 0; s < rows; ++s) {
                    g += z_local[zi + s * in + i] * delta_local[current + s * out + j];
                }
                const int at = poff[l] + p;
                mine[at] = first ? g : mine[at] + g;
            }
            for (int j = item; j < out; j += FUSED_GROUP) {
                float g = 0.0f;
                for (int s = 0; s < rows; ++s) {
                    g += delta_local[current + s * out + j];
                }
                const int at = poff[l] + in * out + j;
                mine[at] = first ? g : mine[at] + g;
            }
            const int next = FUSED_CHUNK * FUSED_WIDTH - current;
            if (l > 1) {
                GLOBAL const float* w = FUSED_PICK(l, w1, w2, w3, w4);
                for (int e = item; e < rows * in; e += FUSED_GROUP) {
                    const int s = e / in;
                    const int i = e - s * in;
                    float sum = 0.0f;
                    for (int j = 0; j < out; ++j) {
                        sum += delta_local[current + s * out + j] * w[i * out + j];
                    }
                    delta_local[next + e] = sum * derivative(f[l - 1], u_local[zi + e], z_local[zi + e]);
                }
            }
            BARRIER();
            current = next;
        }
        first = 0;
    }

    /* the group's loss: a tree sum in a fixed order (FUSED_GROUP is a power of two) */
    sums[item] = loss;
    BARRIER();
    for (int span = FUSED_GROUP / 2; span > 0; span /= 2) {
        if (item < span) {
            sums[item] += sums[item + span];
        }
        BARRIER();
    }
    if (item == 0) {
        partials[(long) groups * params + GROUP_ID(0)] = sums[0];
    }
}

KERNEL void fused_mlp_update(GLOBAL const float* RESTRICT partials, GLOBAL float* RESTRICT loss,
                             GLOBAL float* w1, GLOBAL float* w2, GLOBAL float* w3, GLOBAL float* w4,
                             GLOBAL float* b1, GLOBAL float* b2, GLOBAL float* b3, GLOBAL float* b4,
                             GLOBAL float* ws0_1, GLOBAL float* ws0_2, GLOBAL float* ws0_3, GLOBAL float* ws0_4,
                             GLOBAL float* ws1_1, GLOBAL float* ws1_2, GLOBAL float* ws1_3, GLOBAL float* ws1_4,
                             GLOBAL float* bs0_1, GLOBAL float* bs0_2, GLOBAL float* bs0_3, GLOBAL float* bs0_4,
                             GLOBAL float* bs1_1, GLOBAL float* bs1_2, GLOBAL float* bs1_3, GLOBAL float* bs1_4,
                             int groups, int params, int depth, int n0, int n1, int n2, int n3, int n4,
                             float inverse_batch, int rule, GLOBAL const float* RESTRICT step_scalars, float momentum, float beta1,
                             float beta2, float epsilon, float weight_decay, int record_capacity)
{
    const int p = GROUP_ID(0) * LOCAL_SIZE(0) + LOCAL_ID(0);
    if (p == params) {
        float total = 0.0f;
        for (int k = 0; k < groups; ++k) {
            total += partials[(long) groups * params + k];
        }
        record_loss(loss, total * inverse_batch, record_capacity);
        return;
    }
    if (p > params) {
        return;
    }
    int n[FUSED_DEPTH + 1];
    n[0] = n0; n[1] = n1; n[2] = n2; n[3] = n3; n[4] = n4;
    /* which layer holds packed parameter p, and where in it */
    int l = 1;
    int at = p;
    while (l < depth && at >= n[l - 1] * n[l] + n[l]) {
        at -= n[l - 1] * n[l] + n[l];
        ++l;
    }
    float g = 0.0f;
    for (int k = 0; k < groups; ++k) {
        g += partials[(long) k * params + p];
    }
    g *= inverse_batch;

    const optimizer_args o = optimizer_args_of(rule, step_scalars, momentum, beta1, beta2, epsilon, weight_decay);
    const int weights = n[l - 1] * n[l];
    if (at < weights) {
        GLOBAL float* w = FUSED_PICK(l, w1, w2, w3, w4);
        w[at] = optimizer_step(o, w[at], g, FUSED_PICK(l, ws0_1, ws0_2, ws0_3, ws0_4),
                               FUSED_PICK(l, ws1_1, ws1_2, ws1_3, ws1_4), at);
    } else {
        GLOBAL float* b = FUSED_PICK(l, b1, b2, b3, b4);
        at -= weights;
        b[at] = optimizer_step(o, b[at], g, FUSED_PICK(l, bs0_1, bs0_2, bs0_3, bs0_4),
                               FUSED_PICK(l, bs1_1, bs1_2, bs1_3, bs1_4), at);
    }
}

#endif

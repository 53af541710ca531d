/*
 * split_k.h — the second launch of a split-K GEMM: the partial sums of the S splits added in
 * split order (0, 1, …, S−1, never atomics, so a result is bitwise the same on every run),
 * then the family's epilogue:
 *
 *     forward_reduce:       U = Σ_s P_s + 1·bᵀ,   Z = f(U)
 *     delta_hidden_reduce:  Δ = (Σ_s P_s) ⊙ f'(U, Z)
 *
 * P_s = partials[s·rows·columns ..] is split s's rows × columns block (row-major), written by
 * forward_gemm_* / delta_hidden_gemm_* launched with S groups along dimension 2.
 * Work split: one work-item per element of the result, REDUCE items per group (1-D).
 * Grid: ceil(rows·columns / REDUCE) groups. Macros: REDUCE (delta_output.h).
 */

KERNEL void forward_reduce(GLOBAL const float* RESTRICT partials, GLOBAL const float* RESTRICT bias,
                           GLOBAL float* RESTRICT u, GLOBAL float* RESTRICT z, int rows, int columns, int splits,
                           int activation)
{
    const long count = (long) rows * columns;
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    if (k < count) {
        float sum = 0.0f;
        for (int s = 0; s < splits; ++s) {
            sum += partials[s * count + k];
        }
        sum += bias[(int) (k % columns)];
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
        float sum = 0.0f;
        for (int s = 0; s < splits; ++s) {
            sum += partials[s * count + k];
        }
        delta[k] = sum * derivative(activation, u[k], z[k]);
    }
}

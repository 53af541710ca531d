/*
 * delta_hidden.h — a hidden layer's error signal, as one GEMM with f' fused in its epilogue:
 *
 *     Δ^l = (Δ^{l+1} · W^{l+1}ᵀ) ⊙ f'(U^l, Z^l)
 *
 * Δ^{l+1} is batch × n_next, W^{l+1} is n × n_next (row-major, read transposed), so this is an
 * NT GEMM with M = batch, N = n, K = n_next. It must run before W^{l+1} is updated.
 *
 * Work split (tiles.h): a work-group owns a TM×TN tile of Δ^l, a work-item a WM×WN block;
 * the epilogue multiplies by f'(u, z) read from what forward kept.
 * Grid: ceil(n/TN) × ceil(batch/TM) groups of (TN/WN) × (TM/WM) items.
 * Macros: TM TN TK WM WN VW (tiles.h).
 */

KERNEL void delta_hidden_gemm(GLOBAL const float* RESTRICT delta_next, GLOBAL const float* RESTRICT weights_next,
                              GLOBAL const float* RESTRICT u, GLOBAL const float* RESTRICT z,
                              GLOBAL float* RESTRICT delta, int batch, int n, int n_next, int activation)
{
    LOCAL float a_tile[TK * TM];
    LOCAL float b_tile[TK * TN];
    float acc[WM * WN];
#pragma unroll
    for (int e = 0; e < WM * WN; ++e) {
        acc[e] = 0.0f;
    }
    const int row0 = GROUP_ID(1) * TM;
    const int column0 = GROUP_ID(0) * TN;

    for (int k0 = 0; k0 < n_next; k0 += TK) {
        /* A(m, k) = delta_next[m·n_next + k], stored k-major */
        load_tile(delta_next, n_next, row0, k0, batch, n_next, a_tile, TM, TK, 1);
        /* B(k, j) = weights_next[j·n_next + k]: rows of W^{l+1} become columns of the slice */
        load_tile(weights_next, n_next, column0, k0, n, n_next, b_tile, TN, TK, 1);
        BARRIER();
        multiply_tile(a_tile, b_tile, acc);
        BARRIER();
    }

    const int row = row0 + LOCAL_ID(1) * WM;
    const int column = column0 + LOCAL_ID(0) * WN;
#pragma unroll
    for (int m = 0; m < WM; ++m) {
#pragma unroll
        for (int j = 0; j < WN; ++j) {
            if (row + m < batch && column + j < n) {
                const long at = (long) (row + m) * n + column + j;
                delta[at] = acc[m * WN + j] * derivative(activation, u[at], z[at]);
            }
        }
    }
}

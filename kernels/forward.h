/*
 * forward.h — the forward pass of one layer, fused:
 *
 *     U^l = Z^{l-1} · W^l + 1·b^lᵀ,   Z^l = f(U^l)
 *
 * Z^{l-1} is batch × n_in, W^l is n_in × n_out, both row-major (an NN GEMM with M = batch,
 * N = n_out, K = n_in). Both U and Z are written, because f' is evaluated from them in the
 * backward pass (from z for sigmoid and tanh, from u for the others).
 *
 * Work split (see tiles.h): a work-group owns a TM×TN tile of U and Z, a work-item a WM×WN
 * block of it in registers; the epilogue adds the bias, applies f and stores both.
 * Grid: ceil(n_out/TN) × ceil(batch/TM) groups of (TN/WN) × (TM/WM) items.
 * Macros: TM TN TK WM WN VW (tiles.h).
 */

KERNEL void forward_gemm(GLOBAL const float* RESTRICT z_prev, GLOBAL const float* RESTRICT weights,
                         GLOBAL const float* RESTRICT bias, GLOBAL float* RESTRICT u,
                         GLOBAL float* RESTRICT z, int batch, int n_in, int n_out, int activation)
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

    for (int k0 = 0; k0 < n_in; k0 += TK) {
        /* A(m, k) = z_prev[m·n_in + k], stored k-major */
        load_tile(z_prev, n_in, row0, k0, batch, n_in, a_tile, TM, TK, 1);
        /* B(k, n) = weights[k·n_out + n] */
        load_tile(weights, n_out, k0, column0, n_in, n_out, b_tile, TK, TN, 0);
        BARRIER();
        multiply_tile(a_tile, b_tile, acc);
        /* the next slice overwrites the tiles: everyone must be done reading them */
        BARRIER();
    }

    const int row = row0 + LOCAL_ID(1) * WM;
    const int column = column0 + LOCAL_ID(0) * WN;
#pragma unroll
    for (int m = 0; m < WM; ++m) {
#pragma unroll
        for (int n = 0; n < WN; ++n) {
            if (row + m < batch && column + n < n_out) {
                const long at = (long) (row + m) * n_out + column + n;
                const float sum = acc[m * WN + n] + bias[column + n];
                u[at] = sum;
                z[at] = activate(activation, sum);
            }
        }
    }
}

/*
 * forward_softmax — the row pass of a softmax output layer after forward_gemm (which wrote
 * z = u for it): Z_b = softmax(U_b) for every sample row b < batch, U and Z batch × n. One
 * work-item per row, grid-strided; predict uses it (training normalises in delta_output_softmax,
 * so a step has no extra launch). Grid: any number of groups of any size.
 */
KERNEL void forward_softmax(GLOBAL const float* RESTRICT u, GLOBAL float* RESTRICT z, int batch, int n)
{
    const int stride = NUM_GROUPS(0) * LOCAL_SIZE(0);
    for (int b = GROUP_ID(0) * LOCAL_SIZE(0) + LOCAL_ID(0); b < batch; b += stride) {
        float max;
        softmax_row(u + (long) b * n, z + (long) b * n, n, &max);
    }
}

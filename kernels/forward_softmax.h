/*
 * forward_softmax.h — the row pass of a softmax output layer after forward_gemm_* (which wrote
 * z = u for it): Z_b = softmax(U_b) for every sample row b < batch, U and Z batch × n. One
 * work-item per row, grid-strided; predict uses it (training normalises in delta_output_softmax,
 * so a step has no extra launch). Grid: any number of groups of any size. (Its own file because
 * forward.h is included once per tile class.)
 */
KERNEL void forward_softmax(GLOBAL const float* RESTRICT u, GLOBAL float* RESTRICT z, int batch, int n)
{
    const int stride = NUM_GROUPS(0) * LOCAL_SIZE(0);
    for (int b = GROUP_ID(0) * LOCAL_SIZE(0) + LOCAL_ID(0); b < batch; b += stride) {
        float max;
        softmax_row(u + (long) b * n, z + (long) b * n, n, &max);
    }
}

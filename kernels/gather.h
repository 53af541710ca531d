/*
 * gather.h — a batch taken from a data set that lives on the device, in shuffled order:
 *
 *     out[b][c] = data[order[offset + b]][c]     for b < batch, c < width
 *
 * data is samples × width, out is batch × width, both row-major; order is a permutation of the
 * samples. A work-item copies one float; a work-group covers REDUCE consecutive floats of out
 * (neighbouring items write neighbouring floats, and read them from one row unless the batch
 * row changes).
 * Grid: ceil(batch·width / REDUCE) groups of REDUCE items. Macros: REDUCE (tiles.h).
 */

KERNEL void gather_rows(GLOBAL const float* RESTRICT data, GLOBAL const int* RESTRICT order,
                        GLOBAL float* RESTRICT out, int offset, int batch, int width)
{
    const long k = (long) GROUP_ID(0) * REDUCE + LOCAL_ID(0);
    if (k < (long) batch * width) {
        const int b = (int) (k / width);
        const int c = (int) (k % width);
        out[k] = data[(long) order[offset + b] * width + c];
    }
}

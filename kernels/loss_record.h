/*
 * loss_record.h — the lazy loss: a training step's batch-mean loss stays on the device, appended
 * to a record that the host reads once for many steps, so that no step ends waiting for the host.
 *
 * The loss buffer of a network, of 3 + capacity floats:
 *
 *   loss[0]       this step's loss, (1/B) Σ_b E_b — what an eager step reads back
 *   loss[1]       k, the steps recorded since the host last read it (a float: exact up to 2^24)
 *   loss[2]       1 + the index of the first recorded step whose loss was NaN or ±∞; 0 if none
 *   loss[3 + k]   step k's loss, for k < capacity
 *
 * record_loss is called by the one work-item that has the step's total (delta_output_loss, or
 * fused_mlp_update); capacity = 0 (an eager step, or a backward pass that is not a step) writes
 * loss[0] only. The host reads loss[1 .. 3 + k) before k reaches capacity and then zeroes loss[1]
 * and loss[2]; the test k < capacity keeps a host that read late from writing past the buffer.
 * isfinite needs IEEE semantics: no finite-math-only or fast-math options build these kernels.
 */

DEVICE_FN void record_loss(GLOBAL float* loss, float value, int capacity)
{
    loss[0] = value;
    if (capacity > 0) {
        const int k = (int) loss[1];
        if (k < capacity) {
            loss[3 + k] = value;
        }
        if (!isfinite(value) && loss[2] == 0.0f) {
            loss[2] = (float) (k + 1);
        }
        loss[1] = (float) (k + 1);
    }
}

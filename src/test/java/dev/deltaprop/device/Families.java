package dev.deltaprop.device;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;

/**
 * "Run kernel family X on these inputs" on one backend, on host arrays, so that one
 * parameterized test ({@link DeviceKernelsTest}) holds every backend's families to the
 * reference at the same sizes. Outputs are written into the arrays given (the test fills them
 * with NaN first; an adapter that copies them to a device copies the NaN too, so an element a
 * kernel does not write fails). Shapes and names follow DESIGN §1; matrices are row-major.
 */
public interface Families extends AutoCloseable {
    /** {@code U = Z_prev W + 1·bᵀ}, {@code Z = f(U)}: {@code zPrev} B×n_in, {@code w} n_in×n_out; writes {@code u}, {@code z} (B×n_out). */
    void forward(float[] zPrev, float[] w, float[] bias, float[] u, float[] z, int batch, int nIn, int nOut, Activation f);

    /** {@code Δ = (Y − D) ⊙ f'(U)} over B×n into {@code delta}; returns the mean loss {@code (1/B) Σ_b ½ Σ_j (y−d)²}. */
    double deltaOutput(float[] y, float[] d, float[] u, float[] delta, int batch, int n, Activation f);

    /** {@code Δ = (Δ_next W_nextᵀ) ⊙ f'(U, Z)}: {@code deltaNext} B×n_next, {@code wNext} n×n_next; writes {@code delta} (B×n). */
    void deltaHidden(float[] deltaNext, float[] wNext, float[] u, float[] z, float[] delta, int batch, int n, int nNext,
                     Activation f);

    /** {@code W −= (η/B) Z_prevᵀ Δ}, {@code b −= (η/B) Σ_b Δ_b}, in place on {@code w} (n_in×n_out) and {@code bias}. */
    void update(float[] zPrev, float[] delta, float[] w, float[] bias, int batch, int nIn, int nOut, float learningRate);

    /**
     * Whether this backend has the learning families of issue 10 below (cross entropy in the
     * output δ, the optimizers in the update); a backend gains them by overriding the three.
     */
    default boolean hasLearningFamilies() {
        return false;
    }

    /**
     * The output δ over B×n into {@code delta} and the mean loss for loss {@code e} (DESIGN §1b):
     * squared error as {@link #deltaOutput(float[], float[], float[], float[], int, int, Activation)};
     * cross entropy {@code Δ = Y − D}, and with {@code f} softmax also {@code y = softmax(u)}
     * written into {@code y} (its input is ignored).
     */
    default double deltaOutput(float[] y, float[] d, float[] u, float[] delta, int batch, int n, Activation f, Loss e) {
        throw new UnsupportedOperationException("no learning families on this backend (hasLearningFamilies)");
    }

    /**
     * Step {@code t} of {@code optimizer} on one layer, in place: {@code g = (1/B) Z_prevᵀ Δ},
     * {@code g_b = (1/B) Σ_b Δ_b}, and the rule of DESIGN §1b on {@code w}, {@code bias} and their
     * state slots {@code wState[slot]}, {@code biasState[slot]} ({@code optimizer.kind().slots()} each).
     */
    default void update(float[] zPrev, float[] delta, float[] w, float[] bias, float[][] wState, float[][] biasState,
                        int batch, int nIn, int nOut, float learningRate, Optimizer optimizer, long t) {
        throw new UnsupportedOperationException("no learning families on this backend (hasLearningFamilies)");
    }

    /**
     * Whether this backend has a gather family ({@code out[b] = data[order[offset + b]]}); the
     * cpu backend gathers a host data set in {@code backend}, not in a family of its own.
     */
    boolean hasGather();

    /** {@code out[b] = data[order[offset + b]]} for {@code b < batch}, rows of {@code width}. */
    void gather(float[] data, int[] order, float[] out, int offset, int batch, int width);

    @Override
    void close();
}

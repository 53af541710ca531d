package dev.deltaprop.backend;

import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.nio.FloatBuffer;

/**
 * Where training and inference run: the pure-Java reference, the fast CPU path, or a device.
 *
 * <p>A backend is designed around device memory. {@link #load(Network)} puts the parameters
 * (and the optimizer's state) into the backend, where they stay across steps and epochs; a
 * training {@link #step} takes one batch and returns its loss, nothing else comes back (and
 * {@link LazyLoss#queueStep} takes the same step without waiting for its loss);
 * {@link #network()} copies the parameters out only when asked. The optimizer and its state
 * ({@link Optimizer}, {@link OptimizerState}) live beside the parameters and are reset by {@code load}. Batches are batch-major:
 * sample {@code b}'s input is {@code x[b·n_0 .. (b+1)·n_0)}, its teacher {@code d[b·n_L .. (b+1)·n_L)}.
 *
 * <p>Every argument is checked before any device work; a bad one gets an
 * {@link IllegalArgumentException} that names it and the expected value. Backends are not
 * thread-safe: two threads inside one at once get an {@link IllegalStateException} naming both
 * ({@link OneThread}, which {@link GuardedBackend} applies to every call of the built-in backends).
 * {@link #close()} frees everything the backend holds.
 */
public interface Backend extends AutoCloseable {

    /** The name it was opened by: {@code reference}, {@code cpu}, {@code opencl}, … */
    String name();

    /** What it runs on, in words (device name, driver, thread count). */
    String device();

    /**
     * Puts the parameters of {@code network} into the backend with plain SGD ({@link Optimizer#sgd()}).
     * Must be called before the first step; may be called again to start over with other parameters.
     */
    default void load(Network network) {
        load(network, Optimizer.sgd());
    }

    /**
     * Puts the parameters of {@code network} into the backend, to be trained by {@code optimizer}
     * from a fresh state ({@code t = 0}, every slot zero). Must be called before the first step;
     * a second call starts over and resets the optimizer state.
     */
    default void load(Network network, Optimizer optimizer) {
        load(network, optimizer, null);
    }

    /**
     * Puts the parameters of {@code network} and the optimizer's {@code state} into the backend
     * (device memory on a device), so that training resumes exactly where {@code state} was
     * taken; a {@code null} state is the fresh one. Everything is checked before anything is
     * allocated or copied.
     *
     * @throws IllegalArgumentException naming the field when {@code state} does not fit the
     *                                  network or the optimizer
     */
    void load(Network network, Optimizer optimizer, OptimizerState state);

    /** The optimizer given to the last {@code load}. */
    Optimizer optimizer();

    /** The optimizer's state now ({@code t} and its arrays), copied out of the backend, e.g. for a checkpoint. */
    OptimizerState optimizerState();

    /** The current parameters, copied out of the backend. */
    Network network();

    /**
     * One optimizer step on a batch of {@code batch} samples, with the batch-mean gradient
     * {@code g = (1/B) Z^{l-1}ᵀ Δ^l} (bias: {@code (1/B) Σ_b Δ^l_b}) and the optimizer given to
     * {@code load}; with plain SGD, {@code W^l ← W^l − η g}. The step count {@code t} advances by one.
     *
     * @param x            {@code batch × n_0} inputs, batch-major
     * @param d            {@code batch × n_L} teacher values, batch-major
     * @param batch        {@code B ≥ 1}
     * @param learningRate {@code η}, finite and {@code > 0}
     * @return the batch's mean loss {@code (1/B) Σ_b E_b}, measured before the update
     */
    float step(float[] x, float[] d, int batch, float learningRate);

    /** As {@link #step(float[], float[], int, float)}, reading from the buffers' positions (not moved). */
    float step(FloatBuffer x, FloatBuffer d, int batch, float learningRate);

    /**
     * The outputs {@code y = z^L} for {@code batch} samples.
     *
     * @param x {@code batch × n_0} inputs, batch-major
     * @return {@code batch × n_L} outputs, batch-major
     */
    float[] predict(float[] x, int batch);

    /**
     * Keeps a whole data set in the backend (on a device: in device memory) so that epochs
     * take batches from it without uploading them again. The default keeps it on the host.
     *
     * @param x       {@code samples × n_0}, batch-major
     * @param d       {@code samples × n_L}, batch-major
     * @param samples at least 1
     */
    default Dataset upload(float[] x, float[] d, int samples) {
        int[] widths = widths(); // not network(): that copies every parameter out just for two sizes
        return new HostDataset(x, d, samples, widths[0], widths[widths.length - 1]);
    }

    /**
     * The widths {@code n_0 … n_L} of the loaded network, without copying its parameters out.
     * The default asks {@link #network()}; backends override it with what they hold.
     */
    default int[] widths() {
        return network().widths();
    }

    /**
     * One optimizer step on the samples {@code order[offset .. offset+batch)} of {@code data}, where
     * {@code order} is the permutation last given to {@link Dataset#order(int[])}.
     *
     * @return the batch's mean loss, as {@link #step(float[], float[], int, float)}
     */
    default float step(Dataset data, int offset, int batch, float learningRate) {
        HostDataset host = HostDataset.of(data, name());
        return step(host.gatherInputs(offset, batch), host.gatherTeachers(offset, batch), batch, learningRate);
    }

    /** Frees everything the backend holds. Idempotent. */
    @Override
    void close();
}

package dev.deltaprop.train;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Minibatch stochastic gradient descent over a data set, on any {@link Backend}.
 *
 * <p>Each epoch visits every sample once. The data set is uploaded to the backend once
 * ({@link Backend#upload}); per epoch the trainer sets the order of the samples
 * ({@link Dataset#order(int[])}: a fresh Fisher–Yates permutation drawn from the seed, or file
 * order when shuffling is off) and then takes steps on consecutive slices of that order,
 * {@code B} samples each, the last one smaller when {@code B} does not divide {@code N}. Each
 * step is {@code W^l ← W^l − (η/B_k) Z^{l-1}ᵀ Δ^l} with {@code B_k} the size of that batch, so
 * the last, partial batch uses its own mean. The epoch's loss is the mean per sample,
 * {@code (1/N) Σ_k B_k · loss_k}, each batch's loss measured before its update.
 *
 * <p>A loss that is NaN or infinite stops the run with a {@link TrainingDivergedException}
 * naming the epoch and batch. A trainer holds no state between runs; listeners are called on
 * the training thread.
 */
public final class Trainer {
    private final TrainerConfig config;
    private final List<TrainingListener> listeners = new CopyOnWriteArrayList<>();

    public Trainer(TrainerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public TrainerConfig config() {
        return config;
    }

    /** Adds a listener for progress events; returns this trainer. */
    public Trainer addListener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Loads {@code network} into {@code backend} and trains it on {@code samples} samples.
     *
     * @param x {@code samples × n_0} inputs, batch-major, finite
     * @param d {@code samples × n_L} teacher values, batch-major, finite
     * @return the trained network and the per-epoch losses
     * @throws IllegalArgumentException     naming the field when the data do not fit the network
     *                                      or are not finite, before any work in the backend
     * @throws TrainingDivergedException if the loss becomes NaN or infinite
     */
    public TrainingResult train(Backend backend, Network network, float[] x, float[] d, int samples) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(network, "network");
        if (samples < 1) {
            throw new IllegalArgumentException("samples: expected at least 1 sample to train on, found " + samples);
        }
        // checked here, not only in the backend, so that a device backend never sees bad data
        size("x", x, samples, network.inputs(), "inputs");
        size("d", d, samples, network.outputs(), "outputs");
        Checks.finite("x", x, network.inputs());
        Checks.finite("d", d, network.outputs());

        backend.load(network);
        // in long: (samples + B − 1) / B wraps for B near 2^31 and would give epochs without a step
        int batches = Sizes.ceilDiv(samples, config.batch());
        List<EpochSummary> summaries = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(config.seed());
        int[] order = Checks.identity(samples);
        try (Dataset data = backend.upload(x, d, samples)) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                if (config.shuffle()) {
                    shuffle(order, random);
                    data.order(order);
                }
                // file order is the data set's initial order: nothing to set without shuffling
                summaries.add(epoch(backend, data, epoch, batches, samples));
            }
        }
        return new TrainingResult(trained(backend, batches), summaries);
    }

    /**
     * The trained parameters. Each step's loss is measured before its update, so an update that
     * overflowed shows in the next step's loss — except the last one's: checked here, and
     * reported as the divergence it is, where it happened.
     */
    private Network trained(Backend backend, int batches) {
        try {
            return backend.network();
        } catch (IllegalArgumentException e) {
            throw new TrainingDivergedException(String.format(Locale.ROOT,
                    "the parameters became non-finite in the last step (epoch %d of %d, batch %d of %d), after its"
                            + " loss was measured: %s; the learning rate %s is probably too large",
                    config.epochs(), config.epochs(), batches, batches, e.getMessage(), config.learningRate()),
                    config.epochs(), batches);
        }
    }

    private EpochSummary epoch(Backend backend, Dataset data, int epoch, int batches, int samples) {
        for (TrainingListener listener : listeners) {
            listener.epochStarted(epoch, config.epochs(), batches);
        }
        long start = System.nanoTime();
        double lossSum = 0;
        for (int k = 0; k < batches; k++) {
            int offset = (int) ((long) k * config.batch());
            int size = (int) Math.min(config.batch(), (long) samples - offset);
            float loss = backend.step(data, offset, size, config.learningRate());
            if (!Float.isFinite(loss)) {
                throw new TrainingDivergedException(String.format(Locale.ROOT,
                        "loss became %s at epoch %d of %d, batch %d of %d (samples %d..%d of the epoch's order);"
                                + " the learning rate %s is probably too large, or the data are badly scaled",
                        loss, epoch, config.epochs(), k + 1, batches, offset, offset + size - 1,
                        config.learningRate()), epoch, k + 1);
            }
            lossSum += (double) loss * size;
            if (!listeners.isEmpty()) {
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = seconds > 0 ? (offset + size) / seconds : Double.POSITIVE_INFINITY;
                for (TrainingListener listener : listeners) {
                    listener.batchEnded(epoch, k + 1, batches, loss, rate);
                }
            }
        }
        EpochSummary summary = new EpochSummary(epoch, config.epochs(), lossSum / samples, samples,
                System.nanoTime() - start);
        for (TrainingListener listener : listeners) {
            listener.epochEnded(summary);
        }
        return summary;
    }

    private static void size(String field, float[] values, int samples, int width, String what) {
        long expected = (long) samples * width;
        if (values == null || values.length != expected) {
            throw new IllegalArgumentException(field + ": expected " + expected + " numbers (" + samples + " samples × "
                    + width + " " + what + "), found " + (values == null ? "null" : String.valueOf(values.length)));
        }
    }

    /** Fisher–Yates: every permutation equally likely, the same one for the same random state. */
    static void shuffle(int[] order, SplittableRandom random) {
        for (int k = order.length - 1; k > 0; k--) {
            int other = random.nextInt(k + 1);
            int swap = order[k];
            order[k] = order[other];
            order[other] = swap;
        }
    }
}

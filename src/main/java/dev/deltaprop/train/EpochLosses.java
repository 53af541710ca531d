package dev.deltaprop.train;

import dev.deltaprop.backend.LazyLoss;
import dev.deltaprop.backend.LossReading;
import java.util.List;
import java.util.Locale;

/**
 * The losses of one epoch's steps as the {@link Trainer} reads them ({@link LazyLoss#readLoss()}):
 * each checked finite, added into {@code Σ_k B_k · loss_k} in batch order — so in double exactly
 * as if each step had returned its loss — and handed to the listeners' {@code batchEnded}.
 */
final class EpochLosses {
    private final TrainerConfig config;
    private final List<TrainingListener> listeners;
    private final int epoch;
    private final int batches;
    private final int samples;
    private final float learningRate;
    private final long start;
    /** The batches read so far, {@code 0..read-1}. */
    int read;
    /** {@code Σ_k B_k · loss_k} over them. */
    double sum;

    EpochLosses(TrainerConfig config, List<TrainingListener> listeners, int epoch, int batches, int samples,
                float learningRate, long start) {
        this.config = config;
        this.listeners = listeners;
        this.epoch = epoch;
        this.batches = batches;
        this.samples = samples;
        this.learningRate = learningRate;
        this.start = start;
    }

    /**
     * Reads the losses of the steps queued since the last reading, batches {@code read, read+1, …}.
     *
     * @throws TrainingDivergedException at the first that is NaN or infinite, naming its epoch and batch
     */
    void read(LazyLoss steps) {
        LossReading reading = steps.readLoss();
        if (reading.steps() == 0) {
            return;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < reading.steps(); i++) {
            int k = read + i;
            int offset = (int) ((long) k * config.batch());
            int size = (int) Math.min(config.batch(), (long) samples - offset);
            float loss = reading.loss(i);
            if (!Float.isFinite(loss)) {
                throw new TrainingDivergedException(String.format(Locale.ROOT,
                        "loss became %s at epoch %d of %d, batch %d of %d (samples %d..%d of the epoch's order);"
                                + " the learning rate %s is probably too large, or the data are badly scaled",
                        loss, epoch, config.epochs(), k + 1, batches, offset, offset + size - 1,
                        learningRate), epoch, k + 1);
            }
            sum += (double) loss * size;
            if (!listeners.isEmpty()) {
                double rate = seconds > 0 ? (offset + size) / seconds : Double.POSITIVE_INFINITY;
                for (TrainingListener listener : listeners) {
                    listener.batchEnded(epoch, k + 1, batches, loss, rate);
                }
            }
        }
        read += reading.steps();
    }
}

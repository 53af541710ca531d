package dev.deltaprop.train;

import dev.deltaprop.model.Network;
import dev.deltaprop.model.OptimizerState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Everything a {@link Trainer} needs to continue a run after epoch {@code epoch} exactly as if it
 * had not stopped: the parameters, the optimizer's state ({@code t} and its arrays), the
 * configuration (which fixes the optimizer, the schedule, {@code B} and the seed), the epoch, the
 * summaries so far, and what identifies the data. The position in the schedule is the epoch (the
 * next one is {@code epoch + 1}); the shuffling state is the seed and the epoch, because the
 * trainer's orders are a pure function of them (see {@link Trainer#resume}). With early stopping,
 * {@link #best()} is its memory: the best epoch so far, its held-out loss and its parameters.
 * {@link CheckpointFiles} writes and reads it.
 *
 * @param network         the parameters after epoch {@code epoch}
 * @param optimizerState  the optimizer's state after epoch {@code epoch}
 * @param config          the run's configuration
 * @param epoch           the epochs finished, at least 1
 * @param history         the summary of each of them
 * @param dataFingerprint {@link #fingerprint} of the training data
 * @param samples         {@code N}, the training samples
 * @param best            early stopping's memory, or null without early stopping
 */
public record Checkpoint(Network network, OptimizerState optimizerState, TrainerConfig config, int epoch,
        List<EpochSummary> history, long dataFingerprint, int samples, Best best) {

    /**
     * The best epoch so far of a run with early stopping.
     *
     * @param epoch          the epoch with the lowest held-out loss, 1-based
     * @param loss           that loss
     * @param patience       the run's patience
     * @param network        the parameters after that epoch
     * @param optimizerState the optimizer's state after that epoch
     */
    public record Best(int epoch, double loss, int patience, Network network, OptimizerState optimizerState) {
        public Best {
            Objects.requireNonNull(network, "best.network");
            Objects.requireNonNull(optimizerState, "best.optimizerState");
        }
    }

    public Checkpoint {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(optimizerState, "optimizerState");
        Objects.requireNonNull(config, "config");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch: expected at least 1 finished epoch, found " + epoch);
        }
        history = List.copyOf(history);
        if (history.size() != epoch) {
            throw new IllegalArgumentException("history: expected " + epoch + " epoch summaries, found " + history.size());
        }
        optimizerState.requireFits(network, config.optimizer());
    }

    /**
     * Checks that a trainer with {@code other} can continue this run on data with
     * {@code fingerprint} and {@code samples}.
     *
     * @throws IllegalArgumentException naming the first field that differs, and both values
     */
    void requireContinuableBy(TrainerConfig other, long fingerprint, int samples) {
        same("batch", config.batch(), other.batch());
        same("learningRate", config.learningRate(), other.learningRate());
        same("optimizer", config.optimizer(), other.optimizer());
        same("schedule", config.schedule(), other.schedule());
        same("shuffle", config.shuffle(), other.shuffle());
        same("seed", config.seed(), other.seed());
        if (samples != this.samples || fingerprint != dataFingerprint) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "data: expected the checkpoint's training data"
                    + " (%d samples, fingerprint %016x), found %d samples with fingerprint %016x", this.samples,
                    dataFingerprint, samples, fingerprint));
        }
        if (other.epochs() <= epoch) {
            throw new IllegalArgumentException("epochs: expected more than the checkpoint's " + epoch
                    + " finished epochs (the total to reach), found " + other.epochs());
        }
    }

    private static void same(String field, Object expected, Object found) {
        if (!expected.equals(found)) {
            throw new IllegalArgumentException(field + ": expected " + expected + " as in the checkpoint's run, found " + found);
        }
    }

    /**
     * A CRC-32 of the bits of {@code x} and then {@code d} (little-endian floats), to recognise the
     * data a run was trained on. Not a secure hash: it catches a different file, not a forgery.
     *
     * @return the checksum, in the low 32 bits
     */
    public static long fingerprint(float[] x, float[] d) {
        CRC32 crc = new CRC32();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] values : new float[][] {x, d}) {
            for (float v : values) {
                if (!chunk.hasRemaining()) {
                    crc.update(chunk.flip());
                    chunk.clear();
                }
                chunk.putFloat(v);
            }
        }
        crc.update(chunk.flip());
        return crc.getValue();
    }
}

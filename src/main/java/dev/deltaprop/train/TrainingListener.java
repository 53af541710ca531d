package dev.deltaprop.train;

/**
 * Progress of a {@link Trainer} run. Epochs and batches are numbered from 1, as a person counts
 * them. Every method has an empty default, so a listener overrides only what it shows. A listener
 * that decides the run should end (a target reached, a user's request) calls {@link Trainer#stop()}
 * on the trainer it was added to; the loop ends before the next batch.
 */
public interface TrainingListener {

    /** Epoch {@code epoch} of {@code epochs} is about to start; it has {@code batches} batches. */
    default void epochStarted(int epoch, int epochs, int batches) {
    }

    /**
     * A step was taken.
     *
     * @param loss             the batch's mean loss per sample, measured before the update
     * @param samplesPerSecond samples trained per second so far in this epoch
     */
    default void batchEnded(int epoch, int batch, int batches, float loss, double samplesPerSecond) {
    }

    /** Epoch {@code summary.epoch()} is over. */
    default void epochEnded(EpochSummary summary) {
    }
}

package dev.deltaprop.train;

import dev.deltaprop.model.Network;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Trainer#train}: the trained parameters and each epoch's summary.
 *
 * @param network       the parameters after the last step, copied out of the backend; with early
 *                      stopping, those of epoch {@code restoredEpoch}
 * @param epochs        one summary per finished epoch, in order (a resumed run's include the epochs
 *                      before the checkpoint)
 * @param ending        why the run ended
 * @param restoredEpoch the epoch whose parameters early stopping restored (the one with the lowest
 *                      held-out loss), or 0 without early stopping
 */
public record TrainingResult(Network network, List<EpochSummary> epochs, Ending ending, int restoredEpoch) {

    /** Why a run ended. */
    public enum Ending {
        /** Every epoch of the configuration ran. */
        COMPLETED,
        /** {@link Trainer#stop()} was called, or the thread was interrupted. */
        STOPPED,
        /** The held-out loss stopped improving ({@link Trainer#earlyStopping}). */
        EARLY_STOPPED
    }

    public TrainingResult {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(ending, "ending");
        epochs = List.copyOf(epochs);
    }

    /** A run that did all its epochs, without early stopping. */
    public TrainingResult(Network network, List<EpochSummary> epochs) {
        this(network, epochs, Ending.COMPLETED, 0);
    }

    /** The mean loss per sample of the last finished epoch, or NaN if none finished. */
    public double finalLoss() {
        return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).loss();
    }
}

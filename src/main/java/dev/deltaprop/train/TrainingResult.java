package dev.deltaprop.train;

import dev.deltaprop.model.Network;
import java.util.List;

/**
 * The outcome of {@link Trainer#train}: the trained parameters and each epoch's summary.
 *
 * @param network the parameters after the last step, copied out of the backend
 * @param epochs  one summary per epoch, in order
 */
public record TrainingResult(Network network, List<EpochSummary> epochs) {

    public TrainingResult {
        epochs = List.copyOf(epochs);
    }

    /** The mean loss per sample of the last epoch. */
    public double finalLoss() {
        return epochs.get(epochs.size() - 1).loss();
    }
}

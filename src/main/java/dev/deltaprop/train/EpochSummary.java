package dev.deltaprop.train;

import java.util.Locale;

/**
 * What one epoch measured.
 *
 * @param epoch            1-based
 * @param epochs           the number of epochs of the run
 * @param loss             mean loss per sample, {@code (1/N) Σ_batches B_k · loss_k}, each batch's loss
 *                         measured before its update
 * @param samples          {@code N}, samples seen
 * @param nanos            wall-clock time of the epoch
 */
public record EpochSummary(int epoch, int epochs, double loss, int samples, long nanos) {

    /** Samples per second over the epoch. */
    public double samplesPerSecond() {
        return nanos == 0 ? Double.POSITIVE_INFINITY : samples * 1e9 / nanos;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "epoch %d/%d  loss %.6e  (%.0f samples/s)", epoch, epochs, loss,
                samplesPerSecond());
    }
}

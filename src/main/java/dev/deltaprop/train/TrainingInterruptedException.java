package dev.deltaprop.train;

import java.util.Objects;

/**
 * The training thread was interrupted, and the run ended before the batch named here. The
 * thread's interrupt status is left set. {@link #partialResult()} holds the parameters after the
 * last step taken and the summaries of the epochs that were finished.
 */
public final class TrainingInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final transient TrainingResult partialResult;

    TrainingInterruptedException(String message, int epoch, int batch, TrainingResult partialResult) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
        this.partialResult = Objects.requireNonNull(partialResult, "partialResult");
    }

    /** The epoch that was cut short, 1-based. */
    public int epoch() {
        return epoch;
    }

    /** The batch that was not taken, 1-based: batches {@code 1 .. batch−1} of the epoch were. */
    public int batch() {
        return batch;
    }

    /** The parameters after the last step taken, and the finished epochs; its ending is {@code STOPPED}. */
    public TrainingResult partialResult() {
        return partialResult;
    }
}

package dev.deltaprop.train;

/**
 * The loss became NaN or infinite: the parameters are garbage from here on, so training stops
 * and says where (epoch and batch, both 1-based) instead of carrying on.
 */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int batch;

    public TrainingDivergedException(String message, int epoch, int batch) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
    }

    /** The 1-based epoch in which the loss stopped being finite. */
    public int epoch() {
        return epoch;
    }

    /** The 1-based batch of that epoch. */
    public int batch() {
        return batch;
    }
}

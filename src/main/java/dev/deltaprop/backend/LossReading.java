package dev.deltaprop.backend;

/**
 * The losses of the steps queued since the previous {@link LazyLoss#readLoss()}: how many, each
 * step's batch-mean loss {@code (1/B) Σ_b E_b} (measured before its update, as
 * {@link Backend#step} returns it), their mean, and whether any was NaN or ±∞ and which first.
 * Each loss is bit for bit the float the eager {@code step} would have returned for that step.
 */
public final class LossReading {
    private final int steps;
    private final double sum;
    private final float[] losses;
    private final int firstNonFinite;

    /**
     * @param steps          the steps read
     * @param sum            {@code Σ_k loss_k} over all of them, added in double in step order
     * @param losses         the first {@code min(steps, LossTally.KEPT)} losses, in step order (not copied)
     * @param firstNonFinite the index of the first step whose loss was NaN or ±∞, or {@code -1}
     */
    LossReading(int steps, double sum, float[] losses, int firstNonFinite) {
        this.steps = steps;
        this.sum = sum;
        this.losses = losses;
        this.firstNonFinite = firstNonFinite;
    }

    /** The steps since the previous reading (or the load). */
    public int steps() {
        return steps;
    }

    /** {@code (1/steps) Σ_k loss_k}, added in double in step order; NaN when no step was taken. */
    public double mean() {
        return steps == 0 ? Double.NaN : sum / steps;
    }

    /** How many of the steps' own losses this reading holds: all of them, up to {@link LossTally#KEPT}. */
    public int kept() {
        return losses.length;
    }

    /**
     * Step {@code k}'s batch-mean loss, {@code 0 ≤ k < kept()}.
     *
     * @throws IndexOutOfBoundsException naming {@code k} and the range
     */
    public float loss(int k) {
        if (k < 0 || k >= losses.length) {
            throw new IndexOutOfBoundsException("k: expected 0 ≤ k < " + losses.length + ", found " + k);
        }
        return losses[k];
    }

    /** Whether some step's loss was NaN or ±∞ (on a device: the record's non-finite flag). */
    public boolean nonFinite() {
        return firstNonFinite >= 0;
    }

    /** The index of the first step whose loss was NaN or ±∞, or {@code -1} if none was. */
    public int firstNonFinite() {
        return firstNonFinite;
    }

    @Override
    public String toString() {
        return steps + " steps, mean loss " + mean() + (nonFinite() ? ", non-finite from step " + firstNonFinite : "");
    }
}

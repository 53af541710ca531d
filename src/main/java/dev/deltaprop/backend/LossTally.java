package dev.deltaprop.backend;

import java.util.Arrays;

/**
 * Where the losses of queued steps gather until {@link LazyLoss#readLoss()} takes them: each
 * step's loss in step order, their sum in double, and the first that was not finite. A host
 * backend adds each step's loss as it is computed; a device backend adds the losses it read from
 * its device record, a block at a time. Not thread-safe (it lives inside one guarded backend).
 */
public final class LossTally {
    /**
     * The most losses kept one by one between two readings (256 KiB of floats): a caller that
     * never reads does not grow the heap without end; past it only the sum, the count and the
     * first non-finite step are kept.
     */
    public static final int KEPT = 1 << 16;

    private float[] losses = new float[64];
    private int steps;
    private double sum;
    private int firstNonFinite = -1;

    /** Adds one step's loss. */
    public void add(float loss) {
        if (!Float.isFinite(loss) && firstNonFinite < 0) {
            firstNonFinite = steps;
        }
        keep(loss);
    }

    /**
     * Adds {@code count} steps' losses, {@code values[from .. from+count)}, whose first non-finite
     * one is at {@code firstNonFinite} among them ({@code -1}: none), as the device found it.
     */
    public void add(float[] values, int from, int count, int firstNonFinite) {
        if (firstNonFinite >= 0 && this.firstNonFinite < 0) {
            this.firstNonFinite = steps + firstNonFinite;
        }
        for (int k = 0; k < count; k++) {
            keep(values[from + k]);
        }
    }

    private void keep(float loss) {
        if (steps < KEPT) {
            if (steps == losses.length) {
                losses = Arrays.copyOf(losses, Math.min(KEPT, 2 * losses.length));
            }
            losses[steps] = loss;
        }
        sum += loss;
        steps++;
    }

    /** The steps added since the last reading. */
    public int steps() {
        return steps;
    }

    /** The reading of everything added since the last one; starts over. */
    public LossReading read() {
        LossReading reading = new LossReading(steps, sum, Arrays.copyOf(losses, Math.min(steps, KEPT)), firstNonFinite);
        clear();
        return reading;
    }

    /** Forgets everything added (a load starts over). */
    public void clear() {
        steps = 0;
        sum = 0;
        firstNonFinite = -1;
    }
}

package dev.deltaprop.testing;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;

/**
 * How every test compares a fast result with the oracle (DESIGN §4): the relative error
 * {@code ‖a − b‖ / ‖b‖}, in which NaN never passes; random inputs; outputs poisoned with NaN.
 */
public final class Compare {
    /**
     * Results whose values cancel to far below the O(1) inputs the tests draw (a single output
     * {@code u = w·z + b} near 0, say) carry the float32 rounding of the O(1) terms that cancelled,
     * which is huge relative to the tiny result and says nothing about the kernel. So the norm the
     * error is divided by is never below that of values of size {@code SCALE_FLOOR}: above it the
     * error is relative, below it absolute ({@code bound × SCALE_FLOOR} per element, RMS).
     */
    public static final double SCALE_FLOOR = 1e-2;

    private Compare() {
    }

    /** {@code ‖a − b‖ / ‖b‖} over the first {@code count} values (the floor above for small {@code b}); NaN when any value is NaN. */
    public static double relativeError(float[] actual, double[] expected, int count) {
        double difference = 0;
        double norm = 0;
        for (int k = 0; k < count; k++) {
            double a = actual[k];
            if (Double.isNaN(a) || Double.isNaN(expected[k])) {
                return Double.NaN;
            }
            difference += (a - expected[k]) * (a - expected[k]);
            norm += expected[k] * expected[k];
        }
        return Math.sqrt(difference / Math.max(norm, SCALE_FLOOR * SCALE_FLOOR * count));
    }

    /** As {@link #relativeError(float[], double[], int)} over arrays of the same length. */
    public static double relativeError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("lengths differ: " + actual.length + " vs " + expected.length);
        }
        return relativeError(actual, expected, actual.length);
    }

    /** Fails unless the relative error of the first {@code count} values is at most {@code bound}, naming the seed. */
    public static void assertClose(String what, float[] actual, double[] expected, int count, double bound, long seed) {
        double error = relativeError(actual, expected, count);
        if (!(error <= bound)) {
            Assertions.fail(what + ": relative error " + error + " > " + bound + " (seed " + seed + ")");
        }
    }

    /** Fails unless the relative error is at most {@code bound}; the message carries {@code what} (with the seed) and the first bad element. */
    public static void close(float[] actual, double[] expected, double bound, String what) {
        double error = relativeError(actual, expected);
        // written so that NaN fails: !(NaN <= bound)
        if (!(error <= bound)) {
            int first = -1;
            for (int k = 0; k < actual.length && first < 0; k++) {
                if (!(Math.abs(actual[k] - expected[k]) <= bound * Math.max(1, Math.abs(expected[k])))) {
                    first = k;
                }
            }
            Assertions.fail(what + ": relative error " + error + " > " + bound
                    + (first < 0 ? "" : " (first bad element [" + first + "]: " + actual[first] + " vs " + expected[first] + ")"));
        }
    }

    /** {@code count} floats uniform in {@code [−scale, scale)}. */
    public static float[] uniform(SplittableRandom random, int count, double scale) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) ((2 * random.nextDouble() - 1) * scale);
        }
        return values;
    }

    public static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k];
        }
        return out;
    }

    /** {@code count} NaNs: an output buffer poisoned before a launch, so that an element left unwritten fails. */
    public static float[] poisoned(int count) {
        float[] values = new float[count];
        Arrays.fill(values, Float.NaN);
        return values;
    }
}

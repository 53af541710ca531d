package dev.deltaprop.device;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;

/** Random inputs, and the relative error ‖a − b‖ / ‖b‖ that device results are held to. */
final class Compare {
    /**
     * Results whose values cancel to far below the O(1) inputs the tests draw (a single output
     * {@code u = w·z + b} near 0, say) carry the float32 rounding of the O(1) terms that cancelled,
     * which is huge relative to the tiny result and says nothing about the kernel. So the norm the
     * error is divided by is never below that of values of size {@code SCALE_FLOOR}: above it the
     * error is relative, below it absolute ({@code bound × SCALE_FLOOR} per element, RMS).
     */
    static final double SCALE_FLOOR = 1e-2;

    private Compare() {
    }

    /** {@code count} floats uniform in {@code [−scale, scale)}. */
    static float[] uniform(SplittableRandom random, int count, double scale) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) ((2 * random.nextDouble() - 1) * scale);
        }
        return values;
    }

    static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k];
        }
        return out;
    }

    static float[] nan(int count) {
        float[] values = new float[count];
        java.util.Arrays.fill(values, Float.NaN);
        return values;
    }

    /** ‖actual − expected‖ / ‖expected‖ (the plain norm of {@code actual − expected} when expected is 0); NaN stays NaN. */
    static double relativeError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("lengths differ: " + actual.length + " vs " + expected.length);
        }
        double difference = 0;
        double norm = 0;
        for (int k = 0; k < actual.length; k++) {
            double d = actual[k] - expected[k];
            difference += d * d;
            norm += expected[k] * expected[k];
        }
        return Math.sqrt(difference / Math.max(norm, SCALE_FLOOR * SCALE_FLOOR * actual.length));
    }

    /** Fails unless the relative error is at most {@code bound}; the message carries {@code what} (with the seed). */
    static void close(float[] actual, double[] expected, double bound, String what) {
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
}

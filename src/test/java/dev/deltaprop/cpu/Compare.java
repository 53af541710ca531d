package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Test helpers: relative error against the double oracle (NaN never passes), random data, poison. */
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

    /**
     * The seed of a test class: {@code DELTAPROP_TEST_SEED} if set (to rerun a failure; an
     * environment variable reaches surefire's forked JVM), else a fresh one.
     */
    static long seed() {
        String fixed = System.getenv("DELTAPROP_TEST_SEED");
        return fixed == null || fixed.isBlank() ? System.nanoTime() : Long.parseLong(fixed.trim());
    }

    /** {@code ‖a − b‖ / ‖b‖} (or {@code ‖a‖} when {@code b = 0}); NaN when any value is NaN. */
    static double relativeError(float[] actual, double[] expected, int count) {
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

    static void assertClose(String what, float[] actual, double[] expected, int count, double bound, long seed) {
        double error = relativeError(actual, expected, count);
        if (!(error <= bound)) {
            fail(what + ": relative error " + error + " > " + bound + " (seed " + seed + ")");
        }
    }

    static float[] uniform(SplittableRandom random, int count, double scale) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) ((random.nextDouble() * 2 - 1) * scale);
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

    static float[] poisoned(int count) {
        float[] values = new float[count];
        java.util.Arrays.fill(values, Float.NaN);
        return values;
    }
}

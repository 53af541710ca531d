package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The float activations against {@link Math} in double rounded to float: at most 2 ulp apart over
 * the whole float range, swept over every 251st bit pattern of each sign (every exponent, and
 * mantissas spread over each binade), exhaustively across the places where the formulas change
 * (tanh's 0.55 branch, the exp clamp and its subnormal results, the saturation points), and at
 * the special values. The Vector API implementation must give bitwise the scalar floats.
 */
class FloatTranscendentalsTest {
    private static final int STRIDE = 251;
    private static final int MAX_ULP = 2;

    private interface FloatFunction {
        float apply(float x);
    }

    /** Ordinal of a float on the number line, so that adjacent floats differ by 1 (−0 and +0 are both 0). */
    private static long ordinal(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits < 0 ? -(long) (bits & 0x7fffffff) : bits;
    }

    private static final class Worst {
        long ulp;
        float at;
        long checked;
    }

    private static void check(String name, FloatFunction fast, DoubleUnaryOperator exact, float x, Worst worst) {
        float got = fast.apply(x);
        float want = (float) exact.applyAsDouble(x);
        worst.checked++;
        if (Float.isNaN(want)) {
            assertTrue(Float.isNaN(got), () -> name + "(" + x + "): expected NaN, got " + got);
            return;
        }
        assertTrue(!Float.isNaN(got), () -> name + "(" + x + "): expected " + want + ", got NaN");
        if (Float.isInfinite(want) || Float.isInfinite(got)) {
            assertEquals(want, got, () -> name + "(" + x + ")");
            return;
        }
        long ulp = Math.abs(ordinal(got) - ordinal(want));
        if (ulp > worst.ulp) {
            worst.ulp = ulp;
            worst.at = x;
        }
        assertTrue(ulp <= MAX_ULP, () -> name + "(" + x + " = 0x" + Integer.toHexString(Float.floatToRawIntBits(x))
                + "): " + got + " is " + ulp + " ulp from " + want);
    }

    /** Every {@code STRIDE}-th pattern of both signs, then every float in each {@code [from, to]}. */
    private static void sweep(String name, FloatFunction fast, DoubleUnaryOperator exact, float... ranges) {
        Worst worst = new Worst();
        for (long bits = 0; bits <= 0x7f800000L; bits += STRIDE) {
            float x = Float.intBitsToFloat((int) bits);
            check(name, fast, exact, x, worst);
            check(name, fast, exact, -x, worst);
        }
        for (int r = 0; r < ranges.length; r += 2) {
            for (float x = ranges[r]; x <= ranges[r + 1]; x = Math.nextUp(x)) {
                check(name, fast, exact, x, worst);
            }
        }
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL,
            Math.nextDown(Float.MIN_NORMAL), Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, 1f, -1f};
        for (float x : special) {
            check(name, fast, exact, x, worst);
        }
        System.out.printf("%s: %d values, worst %d ulp at %s%n", name, worst.checked, worst.ulp, worst.at);
    }

    /** A window of {@code count} floats either side of {@code x}. */
    private static float[] around(float x, int count) {
        float lo = x;
        float hi = x;
        for (int i = 0; i < count; i++) {
            lo = Math.nextDown(lo);
            hi = Math.nextUp(hi);
        }
        return new float[] {lo, hi};
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Test
    void expIsWithinTwoUlpEverywhere() {
        // every float whose e^x is subnormal, and both clamp points
        sweep("exp", FloatTranscendentals::exp, Math::exp,
                concat(new float[] {-104.5f, -87.3f}, around(FloatTranscendentals.EXP_MAX, 1 << 16),
                        around(88.72284f, 1 << 12), new float[] {-0.36f, -0.25f}, new float[] {0.25f, 0.36f}));
    }

    @Test
    void tanhIsWithinTwoUlpEverywhere() {
        sweep("tanh", FloatTranscendentals::tanh, Math::tanh,
                concat(around(FloatTranscendentals.TANH_SMALL, 1 << 18), around(-FloatTranscendentals.TANH_SMALL, 1 << 14),
                        around(9.010913f, 1 << 16), new float[] {0.5f, 0.6f}, new float[] {-0.6f, -0.5f}));
    }

    @Test
    void sigmoidIsWithinTwoUlpEverywhere() {
        // subnormal results below about −87.3, saturation to 1 near 16.6
        sweep("sigmoid", FloatTranscendentals::sigmoid, x -> 1 / (1 + Math.exp(-x)),
                concat(new float[] {-104.5f, -87f}, around(16.635532f, 1 << 16), new float[] {-1.125f, -1f}, new float[] {1f, 1.125f}));
    }

    /** The Vector API loops against the scalar methods, bit for bit, at odd lengths and offsets. */
    @Test
    void vectorLanesAreBitwiseTheScalarOnes() {
        Transcendentals vector = Transcendentals.vector();
        int n = 1 << 20;
        float[] x = new float[n + 7];
        long seed = 20261201L;
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < x.length; i++) {
            // every bit pattern is fair game: NaN, ∞, subnormals, huge and tiny values
            x[i] = i % 3 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) (random.nextGaussian() * 8);
        }
        for (int count : new int[] {1, 7, 33, 257, n}) {
            for (int offset : new int[] {0, 3}) {
                float[] want = new float[count];
                float[] got = new float[count];
                Transcendentals.SCALAR.tanh(x, offset, want, 0, count);
                java.util.Arrays.fill(got, Float.NaN);
                vector.tanh(x, offset, got, 0, count);
                assertBitwise("tanh", x, offset, want, got, seed);
                Transcendentals.SCALAR.sigmoid(x, offset, want, 0, count);
                java.util.Arrays.fill(got, Float.NaN);
                vector.sigmoid(x, offset, got, 0, count);
                assertBitwise("sigmoid", x, offset, want, got, seed);
                Transcendentals.SCALAR.expShifted(x, offset, 1.5f, want, 0, count);
                java.util.Arrays.fill(got, Float.NaN);
                vector.expShifted(x, offset, 1.5f, got, 0, count);
                assertBitwise("exp", x, offset, want, got, seed);
            }
        }
    }

    private static void assertBitwise(String name, float[] x, int offset, float[] want, float[] got, long seed) {
        for (int k = 0; k < want.length; k++) {
            int at = k;
            assertEquals(Float.floatToIntBits(want[k]), Float.floatToIntBits(got[k]),
                    () -> name + "(" + x[offset + at] + ") at " + at + " of " + want.length + " (seed " + seed + "): vector "
                            + got[at] + ", scalar " + want[at]);
        }
    }
}

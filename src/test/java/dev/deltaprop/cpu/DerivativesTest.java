package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltaprop.model.Activation;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Derivatives}' scalar and Vector API forms, and {@link ActivationKernels#multiplyDerivative}
 * through whichever is chosen (softplus's too), against the compare-and-select loops the cpu backend ran before
 * them ({@link #before}, kept here as the definition): bitwise equal, on
 * random values with the special ones mixed in ({@code ±0}, NaNs, {@code ±∞}, subnormals, the
 * saturation points), at odd lengths and offsets, into a NaN-poisoned {@code delta} and in place
 * ({@code delta = s}). Relu's result is a select, so its NaNs must keep their payload too; where
 * {@code f'} multiplies, two NaN operands give either one's payload, as the JIT orders the
 * operands (Java leaves it open, and the old loops differed between the interpreter and C2), so
 * there a NaN only has to be a NaN ({@link Float#floatToIntBits}).
 */
class DerivativesTest {
    private static final Activation[] ACTIVATIONS = {Activation.RELU, Activation.LEAKY_RELU, Activation.TANH,
        Activation.SIGMOID};
    private static final Activation[] WITH_SOFTPLUS = {Activation.RELU, Activation.LEAKY_RELU, Activation.TANH,
        Activation.SIGMOID, Activation.SOFTPLUS};
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00123),
        Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001), Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
        -Float.MAX_VALUE, 1f, -1f, 0.9f, -0.9f, Math.nextUp(0.9f), -Math.nextUp(0.9f), Math.nextDown(0.9f),
        0.99999994f, -0.99999994f};
    private static final int OFFSET = 3;

    /** The loops {@code ActivationKernels.multiplyDerivative} ran before {@link Derivatives}, unchanged. */
    private static void before(Activation f, float[] s, int sOffset, float[] u, float[] z, int offset,
                               float[] delta, int deltaOffset, int count) {
        switch (f) {
            case RELU:
                for (int k = 0; k < count; k++) {
                    delta[deltaOffset + k] = u[offset + k] > 0f ? s[sOffset + k] : 0f;
                }
                break;
            case LEAKY_RELU:
                for (int k = 0; k < count; k++) {
                    float v = s[sOffset + k];
                    delta[deltaOffset + k] = u[offset + k] > 0f ? v : (float) Activation.LEAKY_SLOPE * v;
                }
                break;
            case TANH:
                for (int k = 0; k < count; k++) {
                    float zk = z[offset + k];
                    float derivative = Math.abs(zk) <= ActivationKernels.SATURATION ? 1f - zk * zk
                            : ActivationKernels.tanhDerivative(u[offset + k]);
                    delta[deltaOffset + k] = s[sOffset + k] * derivative;
                }
                break;
            case SIGMOID:
                for (int k = 0; k < count; k++) {
                    float zk = z[offset + k];
                    float derivative = zk <= ActivationKernels.SATURATION ? zk * (1f - zk)
                            : ActivationKernels.sigmoidDerivative(u[offset + k]);
                    delta[deltaOffset + k] = s[sOffset + k] * derivative;
                }
                break;
            case SOFTPLUS:
                for (int k = 0; k < count; k++) {
                    delta[deltaOffset + k] = s[sOffset + k] * FloatTranscendentals.sigmoid(u[offset + k]);
                }
                break;
            default:
                throw new IllegalArgumentException("activation: " + f);
        }
    }

    private interface Path {
        void run(Activation f, float[] s, int sOffset, float[] u, float[] z, int offset, float[] delta, int deltaOffset,
                 int count);
    }

    private static Path of(Derivatives d) {
        return (f, s, sOffset, u, z, offset, delta, deltaOffset, count) -> {
            switch (f) {
                case RELU: d.relu(s, sOffset, u, offset, delta, deltaOffset, count); break;
                case LEAKY_RELU: d.leakyRelu(s, sOffset, u, offset, delta, deltaOffset, count); break;
                case TANH: d.tanh(s, sOffset, u, z, offset, delta, deltaOffset, count); break;
                case SIGMOID: d.sigmoid(s, sOffset, u, z, offset, delta, deltaOffset, count); break;
                default: throw new IllegalArgumentException("activation: " + f);
            }
        };
    }

    /** Random values in {@code [−scale, scale]}, about one in four replaced by a special value. */
    private static float[] values(SplittableRandom random, int length, double scale) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = random.nextInt(4) == 0 ? SPECIAL[random.nextInt(SPECIAL.length)]
                    : (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    private static void check(String name, Path path, int count, long seed) {
        check(name, path, ACTIVATIONS, count, seed);
    }

    private static void check(String name, Path path, Activation[] activations, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int length = count + 2 * OFFSET;
        float[] s = values(random, length, 4);
        float[] u = values(random, length, 6);
        // z spread over [−1, 1] so that both sides of the saturation point are taken
        float[] z = values(random, length, 1);
        for (Activation f : activations) {
            float[] want = new float[length];
            float[] got = new float[length];
            java.util.Arrays.fill(want, Float.NaN);
            java.util.Arrays.fill(got, Float.NaN);
            before(f, s, OFFSET, u, z, 1, want, 2, count);
            path.run(f, s, OFFSET, u, z, 1, got, 2, count);
            compare(name + " " + f + " count " + count + " seed " + seed, f, want, got);
            // in place, as the output δ runs it
            float[] inPlaceWant = s.clone();
            float[] inPlaceGot = s.clone();
            before(f, inPlaceWant, OFFSET, u, z, OFFSET, inPlaceWant, OFFSET, count);
            path.run(f, inPlaceGot, OFFSET, u, z, OFFSET, inPlaceGot, OFFSET, count);
            compare(name + " " + f + " in place, count " + count + " seed " + seed, f, inPlaceWant, inPlaceGot);
        }
    }

    private static int bits(Activation f, float value) {
        return f == Activation.RELU ? Float.floatToRawIntBits(value) : Float.floatToIntBits(value);
    }

    private static void compare(String what, Activation f, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            int index = i;
            assertEquals(bits(f, want[i]), bits(f, got[i]),
                    () -> what + ": element " + index + ": expected " + want[index] + " (0x"
                            + Integer.toHexString(Float.floatToRawIntBits(want[index])) + "), got " + got[index]
                            + " (0x" + Integer.toHexString(Float.floatToRawIntBits(got[index])) + ")");
        }
    }

    private static long seed(int count) {
        long seed = System.nanoTime() ^ count;
        System.out.println("DerivativesTest: count " + count + ", seed " + seed);
        return seed;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257, 1031})
    void scalarMatchesTheSelects(int count) {
        check("scalar", of(Derivatives.SCALAR), count, seed(count));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257, 1031})
    void vectorMatchesTheSelects(int count) {
        assumeTrue(MicroKernels.vectorAvailable(), "no jdk.incubator.vector: the Vector API path cannot load");
        check("vector", of(Derivatives.vector()), count, seed(count));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257, 1031})
    void multiplyDerivativeMatchesTheSelects(int count) {
        // softplus too: its f' is σ(u) in vector lanes, then the products
        check("multiplyDerivative", ActivationKernels::multiplyDerivative, WITH_SOFTPLUS, count, seed(count));
    }

    /** Relu's and leaky relu's {@code f} ({@link ActivationKernels#apply}, through the same selects) against the loops it ran before. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257, 1031})
    void piecewiseForwardMatchesTheSelects(int count) {
        long seed = seed(count);
        float[] u = values(new SplittableRandom(seed), count + 2 * OFFSET, 6);
        for (Activation f : new Activation[] {Activation.RELU, Activation.LEAKY_RELU}) {
            float[] want = new float[u.length];
            float[] got = new float[u.length];
            java.util.Arrays.fill(want, Float.NaN);
            java.util.Arrays.fill(got, Float.NaN);
            for (int k = 0; k < count; k++) {
                float v = u[OFFSET + k];
                want[1 + k] = f == Activation.RELU ? (v > 0f ? v : 0f) : (v > 0f ? v : (float) Activation.LEAKY_SLOPE * v);
            }
            ActivationKernels.apply(f, u, OFFSET, got, 1, count);
            compare("apply " + f + " count " + count + " seed " + seed, f, want, got);
        }
    }

    /** Every special value of {@code u} against every special {@code s}, in one run of each path. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everySpecialPair(boolean vector) {
        assumeTrue(!vector || MicroKernels.vectorAvailable(), "no jdk.incubator.vector: the Vector API path cannot load");
        int n = SPECIAL.length;
        float[] s = new float[n * n];
        float[] u = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                s[i * n + j] = SPECIAL[i];
                u[i * n + j] = SPECIAL[j];
            }
        }
        Path path = of(vector ? Derivatives.vector() : Derivatives.SCALAR);
        for (Activation f : ACTIVATIONS) {
            float[] want = new float[n * n];
            float[] got = new float[n * n];
            java.util.Arrays.fill(got, Float.NaN);
            // z = u as well, so the saturation points and NaN z are paired with every s
            before(f, s, 0, u, u, 0, want, 0, n * n);
            path.run(f, s, 0, u, u, 0, got, 0, n * n);
            compare((vector ? "vector " : "scalar ") + f + " special pairs", f, want, got);
        }
    }
}

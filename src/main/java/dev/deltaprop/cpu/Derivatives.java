package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;

/**
 * {@code delta[dOffset + k] = s[sOffset + k] · f'(u[offset + k], z[offset + k])}, {@code k < count},
 * for the activations whose {@code f'} is a comparison and a select ({@link ActivationKernels}
 * keeps identity and softplus); {@code delta} may be {@code s} itself. Two implementations give
 * bitwise the same floats: the scalar {@link #SCALAR}, and {@code VectorDerivatives} on the Vector
 * API ({@code src/main/vector}, loaded by name where the JVM has the module, as
 * {@link Transcendentals} is). {@link #CHOSEN} is the vector one where it can load.
 *
 * <p>What each computes, to the bit (DESIGN §1's {@code f'}, as the cpu backend has always
 * rounded it):
 * <ul>
 *   <li>relu: {@code s} where {@code u > 0}, else {@code +0} — also at {@code u = ±0}, for a NaN
 *       {@code u}, and whatever {@code s} is (so an infinite or NaN {@code s} below zero gives
 *       {@code +0}, not {@code s · 0});</li>
 *   <li>leaky relu: {@code s} where {@code u > 0}, else {@code (float) 0.01 · s} (also at
 *       {@code u = ±0} and NaN);</li>
 *   <li>tanh: {@code s (1 − z²)} where {@code |z| ≤ 0.9}, else
 *       {@code s · }{@link ActivationKernels#tanhDerivative}{@code (u)} (a NaN {@code z} too);</li>
 *   <li>sigmoid: {@code s · z(1 − z)} where {@code z ≤ 0.9}, else
 *       {@code s · }{@link ActivationKernels#sigmoidDerivative}{@code (u)}.</li>
 * </ul>
 */
interface Derivatives {

    /** Leaky relu's {@code f'} below zero in float: {@link Activation#LEAKY_SLOPE} rounded once. */
    float LEAKY_SLOPE = (float) Activation.LEAKY_SLOPE;

    /** Relu: {@code s} where {@code u > 0}, else {@code +0}. */
    void relu(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset, int count);

    /** Leaky relu: {@code s} where {@code u > 0}, else {@code 0.01 s}. */
    void leakyRelu(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset, int count);

    /** Tanh: {@code s (1 − z²)}, from {@code u} where {@code z} is saturated. */
    void tanh(float[] s, int sOffset, float[] u, float[] z, int offset, float[] delta, int dOffset, int count);

    /** Sigmoid: {@code s z(1 − z)}, from {@code u} where {@code z} is saturated. */
    void sigmoid(float[] s, int sOffset, float[] u, float[] z, int offset, float[] delta, int dOffset, int count);

    /**
     * All ones where {@code u > 0} (a positive, non-NaN {@code u}, +∞ included), else 0, without
     * a branch: {@code u > 0} exactly when its bits {@code b}, as an int, are in
     * {@code [1, 0x7f800000]}, i.e. {@code x = b − 1} is in {@code [0, 0x7f800000)}; the sign bit of
     * {@code ~x & (x − 0x7f800000)} is set just then ({@code −0}, negatives and NaNs fall outside).
     * A compare-and-select on random signs mispredicts half the time; this does not.
     */
    static int positiveMask(float u) {
        int x = Float.floatToRawIntBits(u) - 1;
        return (~x & (x - 0x7f800000)) >> 31;
    }

    /** {@code s} where {@code mask} is all ones, else {@code other}, bit for bit. */
    static float select(int mask, float s, float other) {
        return Float.intBitsToFloat((Float.floatToRawIntBits(s) & mask) | (Float.floatToRawIntBits(other) & ~mask));
    }

    /** The tanh {@code f'} of one element, as {@link #tanh} defines it. */
    static float tanhTimes(float s, float u, float z) {
        // 1 − z² where it is accurate, the exact form from u where z is near ±1; the exact form's
        // Math.exp is too dear to take for every element, so this one branch stays
        return s * (Math.abs(z) <= ActivationKernels.SATURATION ? 1f - z * z : ActivationKernels.tanhDerivative(u));
    }

    /** The sigmoid {@code f'} of one element, as {@link #sigmoid} defines it. */
    static float sigmoidTimes(float s, float u, float z) {
        // near 0, z(1 − z) keeps z's full relative precision; near 1, 1 − z does not
        return s * (z <= ActivationKernels.SATURATION ? z * (1f - z) : ActivationKernels.sigmoidDerivative(u));
    }

    /** The scalar loops, for JVMs without {@code jdk.incubator.vector}, and the vector one's tails. */
    Derivatives SCALAR = new Derivatives() {
        @Override
        public void relu(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset, int count) {
            for (int k = 0; k < count; k++) {
                int mask = positiveMask(u[offset + k]);
                delta[dOffset + k] = Float.intBitsToFloat(Float.floatToRawIntBits(s[sOffset + k]) & mask);
            }
        }

        @Override
        public void leakyRelu(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset, int count) {
            for (int k = 0; k < count; k++) {
                float v = s[sOffset + k];
                delta[dOffset + k] = select(positiveMask(u[offset + k]), v, LEAKY_SLOPE * v);
            }
        }

        @Override
        public void tanh(float[] s, int sOffset, float[] u, float[] z, int offset, float[] delta, int dOffset, int count) {
            for (int k = 0; k < count; k++) {
                delta[dOffset + k] = tanhTimes(s[sOffset + k], u[offset + k], z[offset + k]);
            }
        }

        @Override
        public void sigmoid(float[] s, int sOffset, float[] u, float[] z, int offset, float[] delta, int dOffset,
                            int count) {
            for (int k = 0; k < count; k++) {
                delta[dOffset + k] = sigmoidTimes(s[sOffset + k], u[offset + k], z[offset + k]);
            }
        }
    };

    /** The vector implementation where {@code jdk.incubator.vector} is loaded, else {@link #SCALAR}. */
    Derivatives CHOSEN = MicroKernels.vectorAvailable() ? vector() : SCALAR;

    /** {@code VectorDerivatives}, loaded by name, so that this interface links without the module. */
    static Derivatives vector() {
        return MicroKernels.loadVector("dev.deltaprop.cpu.VectorDerivatives", Derivatives.class, "derivatives");
    }
}

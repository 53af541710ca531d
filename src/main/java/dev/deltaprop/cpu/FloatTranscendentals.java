package dev.deltaprop.cpu;

/**
 * {@code e^x}, {@code tanh x} and the sigmoid {@code 1 / (1 + e^{−x})} in float, each within
 * 2 ulp of {@link Math}'s double result rounded to float over the whole float range
 * ({@code FloatTranscendentalsTest} sweeps every exponent and the special values). The same
 * operations, in the same order, run lane by lane in the Vector API class
 * {@code VectorTranscendentals}; since every step is an IEEE {@code +}, {@code ×}, {@code /},
 * {@link Math#fma} or an exact bit operation, both give bitwise the same float for the same
 * input — on any JVM, in any lane or tail, for any thread count.
 *
 * <p><b>exp.</b> {@code x} is clamped to {@code [−104, 88.73]} (outside it {@code e^x} is 0 or
 * ∞ in float), split as {@code x = n ln 2 + r}, {@code n = round(x log₂e)} (by adding and
 * subtracting {@code 1.5·2^23}, exact for the clamped range), {@code r} from a two-part
 * {@code ln 2} with fused multiply-adds so that {@code |r| ≤ ½ ln 2} carries no cancellation
 * error; {@code e^r = 1 + r + r² Σ_{k=0}^{5} r^k/(k+2)!} (Taylor to degree 7: the remainder
 * {@code (ln2/2)^8/8! ≈ 5.5e-9} is a tenth of an ulp); then {@code e^r · 2^{⌊n/2⌋} · 2^{n−⌊n/2⌋}},
 * two exact powers so that subnormal results round once, in the last multiply.
 *
 * <p><b>tanh.</b> Odd, so computed for {@code a = |x|} and the sign copied back. For
 * {@code a < 0.55}: {@code a + a t Q(t)}, {@code t = a²}, {@code Q} of degree 4 fitted to
 * {@code (tanh a − a)/a³} at 200 Chebyshev nodes of {@code [0, 0.312]} (relative error 0.33 ulp
 * with the float coefficients). Above: {@code 1 − 2/(e^{2a} + 1)}, whose value is ≥ ½ so the
 * subtraction loses nothing; {@code e^{2a} = ∞} gives exactly 1.
 *
 * <p><b>sigmoid.</b> With {@code e = e^{−|x|} ≤ 1} (never overflows):
 * {@code 1/(1+e)} for {@code x ≥ 0}, {@code e/(1+e)} for {@code x < 0} — one division either way,
 * and no {@code 1 − small} cancellation for very negative {@code x}.
 */
final class FloatTranscendentals {
    static final float EXP_MIN = -104f;
    static final float EXP_MAX = 88.73f;
    static final float LOG2E = 1.44269504f;
    /** {@code ln 2 = LN2_HI + LN2_LO}, the high part rounded to float. */
    static final float LN2_HI = 0.693147182f;
    static final float LN2_LO = (float) (Math.log(2) - LN2_HI);
    /** {@code 1.5·2^23}: adding it rounds a float of magnitude below {@code 2^22} to an integer. */
    static final float ROUNDER = 12582912f;
    static final int ROUNDER_BITS = 0x4B400000;
    static final float E2 = 1f / 2, E3 = 1f / 6, E4 = 1f / 24, E5 = 1f / 120, E6 = 1f / 720, E7 = 1f / 5040;

    static final float TANH_SMALL = 0.55f;
    static final float T0 = -0.3333333f, T1 = 0.13333093f, T2 = -0.053905107f, T3 = 0.021282608f,
            T4 = -0.0065596784f;

    private FloatTranscendentals() {
    }

    /** {@code e^x}, within 2 ulp of {@code (float) Math.exp(x)}. */
    static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float k = c * LOG2E + ROUNDER;
        float nf = k - ROUNDER;
        int n = Float.floatToRawIntBits(k) - ROUNDER_BITS;
        float r = Math.fma(-nf, LN2_HI, c);
        r = Math.fma(-nf, LN2_LO, r);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(E7, r, E6), r, E5), r, E4), r, E3), r, E2);
        float p = Math.fma(r * r, q, r) + 1f;
        int n1 = n >> 1;
        int n2 = n - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** {@code tanh x}, within 2 ulp of {@code (float) Math.tanh(x)}. */
    static float tanh(float x) {
        float a = Math.abs(x);
        float t;
        if (a < TANH_SMALL) {
            float a2 = a * a;
            float q = Math.fma(Math.fma(Math.fma(Math.fma(T4, a2, T3), a2, T2), a2, T1), a2, T0);
            t = Math.fma(a * a2, q, a);
        } else {
            t = 1f - 2f / (exp(2f * a) + 1f);
        }
        return Math.copySign(t, x);
    }

    /** {@code 1 / (1 + e^{−x})}, within 2 ulp of the double formula rounded to float. */
    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        return (x >= 0f ? 1f : e) / (1f + e);
    }
}

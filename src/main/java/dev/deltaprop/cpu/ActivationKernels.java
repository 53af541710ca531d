package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;

/**
 * {@code f} and {@code f'} of {@link Activation} in float over a run of values, one loop per
 * activation so that each loop is monomorphic; relu's and leaky relu's {@code f} and {@code f'}
 * are selects without a branch ({@link Derivatives}, Vector API lanes where loaded). tanh, sigmoid and softmax's exponentials run in float through
 * {@link Transcendentals#CHOSEN} (Vector API lanes where the module is loaded, the same floats
 * either way), within 2 ulp of {@link Math}'s double result ({@link FloatTranscendentals});
 * softplus, rarer, stays in double from {@code Math.exp} and {@code Math.log1p}, rounded once.
 */
final class ActivationKernels {
    private static final Transcendentals LANES = Transcendentals.CHOSEN;
    private static final Derivatives DERIVATIVES = Derivatives.CHOSEN;

    private ActivationKernels() {
    }

    /** {@code z[zOffset + k] = f(u[uOffset + k])} for {@code k < count}. */
    static void apply(Activation f, float[] u, int uOffset, float[] z, int zOffset, int count) {
        switch (f) {
            case IDENTITY:
                System.arraycopy(u, uOffset, z, zOffset, count);
                break;
            case RELU:
                // u > 0 ? u : +0 is relu's f' select with s = u: one branch-free loop for both
                DERIVATIVES.relu(u, uOffset, u, uOffset, z, zOffset, count);
                break;
            case LEAKY_RELU:
                // u > 0 ? u : 0.01 u, likewise
                DERIVATIVES.leakyRelu(u, uOffset, u, uOffset, z, zOffset, count);
                break;
            case TANH:
                LANES.tanh(u, uOffset, z, zOffset, count);
                break;
            case SIGMOID:
                LANES.sigmoid(u, uOffset, z, zOffset, count);
                break;
            case SOFTPLUS:
                for (int k = 0; k < count; k++) {
                    double v = u[uOffset + k];
                    z[zOffset + k] = (float) (Math.max(v, 0.0) + Math.log1p(Math.exp(-Math.abs(v))));
                }
                break;
            default:
                throw new IllegalArgumentException("activation: no CPU kernel for " + f);
        }
    }

    /**
     * {@code delta[k] = s[k] · f'(u[k], z[k])} for {@code k < count}, where {@code s} is the
     * back-propagated sum (or {@code y − d}); {@code delta} may be {@code s} itself. Sigmoid's and
     * tanh's {@code f'} come from {@code z} ({@code z(1−z)}, {@code 1−z²}) up to {@link #SATURATION}
     * and from {@code u} beyond it ({@link #tanhDerivative}). Relu, leaky relu, tanh and sigmoid run
     * in {@link Derivatives#CHOSEN} (Vector API lanes where the module is loaded, branch-free scalar
     * selects for relu and leaky relu without it; the same floats either way, defined there to the bit).
     */
    static void multiplyDerivative(Activation f, float[] s, int sOffset, float[] u, float[] z, int offset,
                                   float[] delta, int deltaOffset, int count) {
        switch (f) {
            case IDENTITY:
                if (s != delta || sOffset != deltaOffset) {
                    System.arraycopy(s, sOffset, delta, deltaOffset, count);
                }
                break;
            case RELU:
                DERIVATIVES.relu(s, sOffset, u, offset, delta, deltaOffset, count);
                break;
            case LEAKY_RELU:
                DERIVATIVES.leakyRelu(s, sOffset, u, offset, delta, deltaOffset, count);
                break;
            case TANH:
                DERIVATIVES.tanh(s, sOffset, u, z, offset, delta, deltaOffset, count);
                break;
            case SIGMOID:
                DERIVATIVES.sigmoid(s, sOffset, u, z, offset, delta, deltaOffset, count);
                break;
            case SOFTPLUS:
                softplusDerivative(s, sOffset, u, offset, delta, deltaOffset, count);
                break;
            default:
                throw new IllegalArgumentException("activation: no CPU kernel for " + f);
        }
    }

    /**
     * {@code delta = s · σ(u)}, softplus's {@code f'}: {@code σ(u)} into {@code delta} first through
     * {@link #LANES} (the same floats as {@link FloatTranscendentals#sigmoid}), then the products in a
     * plain loop the JIT vectorises. Where {@code delta} overlaps {@code s} (the output δ in place),
     * writing {@code σ} first would overwrite {@code s}: one scalar loop there.
     */
    private static void softplusDerivative(float[] s, int sOffset, float[] u, int offset, float[] delta, int deltaOffset,
                                           int count) {
        boolean overlap = s == delta && sOffset < deltaOffset + count && deltaOffset < sOffset + count;
        if (overlap) {
            for (int k = 0; k < count; k++) {
                delta[deltaOffset + k] = s[sOffset + k] * FloatTranscendentals.sigmoid(u[offset + k]);
            }
            return;
        }
        LANES.sigmoid(u, offset, delta, deltaOffset, count);
        for (int k = 0; k < count; k++) {
            delta[deltaOffset + k] = s[sOffset + k] * delta[deltaOffset + k];
        }
    }

    /**
     * {@code z_j = e^{u_j − m} / Σ_k e^{u_k − m}}, {@code m = max_k u_k}, for the {@code n} units of
     * one sample: the exponentials in float ({@link Transcendentals#expShifted}, of {@code u_j − m}
     * rounded to float), their sum in double in increasing {@code j}, each {@code z_j} rounded once.
     * {@code z} may be {@code u} itself.
     *
     * @return {@code log Σ_k e^{u_k} = m + log Σ_k e^{u_k − m}}, so that {@code log z_j} is
     *         {@code u_j} minus it (the stable cross entropy)
     */
    static double softmax(float[] u, int uOffset, float[] z, int zOffset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, u[uOffset + j]);
        }
        LANES.expShifted(u, uOffset, max, z, zOffset, n);
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += z[zOffset + j];
        }
        for (int j = 0; j < n; j++) {
            z[zOffset + j] = (float) (z[zOffset + j] / sum);
        }
        return max + Math.log(sum);
    }

    /**
     * {@code |z|} (tanh) or {@code z} (sigmoid) above which {@code f'} is taken from {@code u}. Up to
     * it, the float {@code z}'s rounding (6e-8 of it) moves {@code 1 − z²} by at most 6e-7 of
     * itself ({@code 1 − z² ≥ 0.19}); beyond it that error grows without bound. The exact form
     * costs a {@code Math.exp} per element, so it is kept to the units that need it: on {@code bench
     * --workload tiny} taking every tanh {@code f'} from {@code u} made the δ phase 10–40× slower.
     */
    static final float SATURATION = 0.9f;

    /**
     * {@code tanh'(u) = 1 / cosh² u = 4 e^{−2|u|} / (1 + e^{−2|u|})²}, in double from {@code u}.
     * Not {@code 1 − z²} from the float {@code z}: for a saturated unit ({@code |u|} beyond about
     * 4) {@code z} is within a few ulps of ±1 and {@code 1 − z²} is rounding noise (0 from
     * {@code |u| ≈ 9}), which Adam, dividing by the gradient's own size, turns into steps of
     * {@code η}; the reference and the device kernels take it from {@code u} too.
     */
    static float tanhDerivative(float u) {
        double e = Math.exp(-2.0 * Math.abs((double) u));
        double s = 1.0 + e;
        return (float) (4.0 * e / (s * s));
    }

    /** {@code σ'(u) = e^{−|u|} / (1 + e^{−|u|})²}, in double from {@code u}, for the reason of {@link #tanhDerivative}. */
    static float sigmoidDerivative(float u) {
        double e = Math.exp(-Math.abs((double) u));
        double s = 1.0 + e;
        return (float) (e / (s * s));
    }
}

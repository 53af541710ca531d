package dev.deltaprop.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link OptimizerStep#weights} on the Vector API: a row of {@code count} weights stepped
 * {@code L} at a time from the update GEMM's finished sums, the last {@code count mod L} by the
 * scalar rule. Per lane the operations and their order are the scalar rule's (DESIGN §1b, the
 * table of {@link OptimizerStep}); each is correctly rounded in both, and Java contracts neither
 * into an FMA, so every weight gets the same bits either way.
 *
 * <p>Compiled with {@code --add-modules jdk.incubator.vector} and loaded by name, like
 * {@link VectorMicroKernel}.
 */
final class VectorOptimizerRows implements OptimizerStep.VectorRows {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    @Override
    public void weights(OptimizerStep rule, float[] w, float[] first, float[] second, int offset, float[] sums,
                        int sumsOffset, int count) {
        int whole = count / L * L;
        if (whole > 0) { // the lanes take whole vectors only, at least one: no branch on the run in them
            switch (rule.kind) {
                case SGD:
                    if (rule.plainSgd) {
                        plainSgd(rule, w, offset, sums, sumsOffset, whole);
                    } else {
                        sgd(rule, w, offset, sums, sumsOffset, whole);
                    }
                    break;
                case MOMENTUM:
                    momentum(rule, w, first, offset, sums, sumsOffset, whole);
                    break;
                case NESTEROV:
                    nesterov(rule, w, first, offset, sums, sumsOffset, whole);
                    break;
                case ADAM:
                    adam(rule, w, first, second, offset, sums, sumsOffset, whole);
                    break;
                case ADAMW:
                    adamw(rule, w, first, second, offset, sums, sumsOffset, whole);
                    break;
                default:
                    throw new IllegalStateException("optimizer: no cpu rule for " + rule.kind);
            }
        }
        rule.scalarWeights(w, first, second, offset + whole, sums, sumsOffset + whole, count - whole);
    }

    /** Plain sgd (no decay): {@code w ← w − (η/B)·sum}, one factor, as {@link OptimizerStep#scalarWeights}. */
    private static void plainSgd(OptimizerStep rule, float[] w, int offset, float[] sums, int sumsOffset, int whole) {
        float scale = rule.sgdScale;
        for (int k = 0; k < whole; k += L) {
            FloatVector g = FloatVector.fromArray(SPECIES, sums, sumsOffset + k).mul(scale);
            FloatVector.fromArray(SPECIES, w, offset + k).sub(g).intoArray(w, offset + k);
        }
    }

    /** {@code g' = sum/B + λ w}, {@code w ← w − η g'}. */
    private static void sgd(OptimizerStep rule, float[] w, int offset, float[] sums, int sumsOffset, int whole) {
        float inverse = rule.inverseBatch;
        float decay = rule.weightDecay;
        float rate = rule.learningRate;
        for (int k = 0; k < whole; k += L) {
            FloatVector wk = FloatVector.fromArray(SPECIES, w, offset + k);
            FloatVector g = FloatVector.fromArray(SPECIES, sums, sumsOffset + k).mul(inverse).add(wk.mul(decay));
            wk.sub(g.mul(rate)).intoArray(w, offset + k);
        }
    }

    /** {@code v ← μ v + g'}; {@code w ← w − η v}. */
    private static void momentum(OptimizerStep rule, float[] w, float[] v, int offset, float[] sums, int sumsOffset,
                                 int whole) {
        float inverse = rule.inverseBatch;
        float decay = rule.weightDecay;
        float rate = rule.learningRate;
        float mu = rule.momentum;
        for (int k = 0; k < whole; k += L) {
            int at = offset + k;
            FloatVector wk = FloatVector.fromArray(SPECIES, w, at);
            FloatVector g = FloatVector.fromArray(SPECIES, sums, sumsOffset + k).mul(inverse).add(wk.mul(decay));
            FloatVector vk = FloatVector.fromArray(SPECIES, v, at).mul(mu).add(g);
            vk.intoArray(v, at);
            wk.sub(vk.mul(rate)).intoArray(w, at);
        }
    }

    /**
     * {@code v ← μ v + g'}; nesterov's {@code w ← w − η (g' + μ v)}: momentum's loop, a method of
     * its own so that neither has a branch that another optimizer's rows would take.
     */
    private static void nesterov(OptimizerStep rule, float[] w, float[] v, int offset, float[] sums, int sumsOffset,
                                 int whole) {
        float inverse = rule.inverseBatch;
        float decay = rule.weightDecay;
        float rate = rule.learningRate;
        float mu = rule.momentum;
        for (int k = 0; k < whole; k += L) {
            int at = offset + k;
            FloatVector wk = FloatVector.fromArray(SPECIES, w, at);
            FloatVector g = FloatVector.fromArray(SPECIES, sums, sumsOffset + k).mul(inverse).add(wk.mul(decay));
            FloatVector vk = FloatVector.fromArray(SPECIES, v, at).mul(mu).add(g);
            vk.intoArray(v, at);
            wk.sub(g.add(vk.mul(mu)).mul(rate)).intoArray(w, at);
        }
    }

    /**
     * adam ({@code g' = g + λ w}): {@code m ← β₁ m + (1−β₁) g'}, {@code s ← β₂ s + (1−β₂) g'²},
     * {@code w ← w − (η/(1−β₁ᵗ)) m / (√s / √(1−β₂ᵗ) + ε)}.
     */
    private static void adam(OptimizerStep rule, float[] w, float[] m, float[] s, int offset, float[] sums,
                             int sumsOffset, int whole) {
        float inverse = rule.inverseBatch;
        float decay = rule.weightDecay;
        float beta1 = rule.beta1;
        float oneMinusBeta1 = rule.oneMinusBeta1;
        float beta2 = rule.beta2;
        float oneMinusBeta2 = rule.oneMinusBeta2;
        float rootCorrection2 = rule.rootCorrection2;
        float epsilon = rule.epsilon;
        float stepSize = rule.stepSize;
        for (int k = 0; k < whole; k += L) {
            int at = offset + k;
            FloatVector wk = FloatVector.fromArray(SPECIES, w, at);
            FloatVector g = FloatVector.fromArray(SPECIES, sums, sumsOffset + k).mul(inverse).add(wk.mul(decay));
            FloatVector mk = FloatVector.fromArray(SPECIES, m, at).mul(beta1).add(g.mul(oneMinusBeta1));
            FloatVector sk = FloatVector.fromArray(SPECIES, s, at).mul(beta2).add(g.mul(g).mul(oneMinusBeta2));
            mk.intoArray(m, at);
            sk.intoArray(s, at);
            FloatVector denominator = sk.lanewise(VectorOperators.SQRT).div(rootCorrection2).add(epsilon);
            wk.sub(mk.mul(stepSize).div(denominator)).intoArray(w, at);
        }
    }

    /**
     * adamw: {@code w ← w (1 − ηλ)} first, then adam's update with {@code g}; adam's loop, a method
     * of its own so that neither has a branch that another optimizer's rows would take.
     */
    private static void adamw(OptimizerStep rule, float[] w, float[] m, float[] s, int offset, float[] sums,
                              int sumsOffset, int whole) {
        float inverse = rule.inverseBatch;
        float decayFactor = rule.decayFactor;
        float beta1 = rule.beta1;
        float oneMinusBeta1 = rule.oneMinusBeta1;
        float beta2 = rule.beta2;
        float oneMinusBeta2 = rule.oneMinusBeta2;
        float rootCorrection2 = rule.rootCorrection2;
        float epsilon = rule.epsilon;
        float stepSize = rule.stepSize;
        for (int k = 0; k < whole; k += L) {
            int at = offset + k;
            FloatVector wk = FloatVector.fromArray(SPECIES, w, at).mul(decayFactor);
            FloatVector g = FloatVector.fromArray(SPECIES, sums, sumsOffset + k).mul(inverse);
            FloatVector mk = FloatVector.fromArray(SPECIES, m, at).mul(beta1).add(g.mul(oneMinusBeta1));
            FloatVector sk = FloatVector.fromArray(SPECIES, s, at).mul(beta2).add(g.mul(g).mul(oneMinusBeta2));
            mk.intoArray(m, at);
            sk.intoArray(s, at);
            FloatVector denominator = sk.lanewise(VectorOperators.SQRT).div(rootCorrection2).add(epsilon);
            wk.sub(mk.mul(stepSize).div(denominator)).intoArray(w, at);
        }
    }
}

package dev.deltaprop.reference;

import dev.deltaprop.model.Optimizer;

/**
 * The optimizer rules of DESIGN §1b (PyTorch's {@code torch.optim} semantics), one method each,
 * index by index, in double. {@code g} is the batch-mean gradient {@code ∂E/∂w} of the step and is
 * never changed (weight decay is added to a local copy of each element); {@code t} counts steps
 * from 1.
 *
 * <p>Parameters <em>and</em> state are float32 numbers held in double arrays: each new value is
 * computed in double from the stored ones and rounded to the nearest float once, as
 * {@link Reference#update} has always done for {@code w}. The state is kept in float, not double,
 * because every other backend keeps it in float and {@code OptimizerState} carries float: so a
 * state copied out and loaded again continues bit for bit (a double state would be rounded at the
 * copy), and the oracle differs from a float backend only in the arithmetic of a step (double
 * against float), not in what it remembers between steps. The rounding it costs is the float32
 * rounding of the state, {@code 6e-8} relative per step, far below the {@code 1e-4}/{@code 1e-3}
 * that other backends are held to.
 */
public final class OptimizerRules {
    private OptimizerRules() {
    }

    /**
     * One step of {@code optimizer} on one parameter array.
     *
     * @param t     the step, from 1 (used by adam's bias corrections)
     * @param state the rule's state slots for this array ({@link Optimizer.Kind#slots()} of them,
     *              each as long as {@code w}): {@code v}, or {@code m} and {@code s}
     */
    public static void step(Optimizer optimizer, long t, double learningRate, double[] w, double[] g, double[][] state) {
        double lambda = optimizer.weightDecay();
        switch (optimizer.kind()) {
            case SGD:
                sgd(w, g, learningRate, lambda);
                break;
            case MOMENTUM:
                momentum(w, g, state[0], learningRate, optimizer.momentum(), lambda);
                break;
            case NESTEROV:
                nesterov(w, g, state[0], learningRate, optimizer.momentum(), lambda);
                break;
            case ADAM:
                adam(w, g, state[0], state[1], t, learningRate, optimizer.beta1(), optimizer.beta2(), optimizer.epsilon(),
                        lambda);
                break;
            case ADAMW:
                adamw(w, g, state[0], state[1], t, learningRate, optimizer.beta1(), optimizer.beta2(), optimizer.epsilon(),
                        lambda);
                break;
            default:
                throw new IllegalArgumentException("optimizer: no reference rule for " + optimizer.kind());
        }
    }

    /** {@code sgd}: {@code g' = g + λ w}, {@code w ← w − η g'}. */
    public static void sgd(double[] w, double[] g, double learningRate, double weightDecay) {
        for (int k = 0; k < w.length; k++) {
            double gk = g[k] + weightDecay * w[k];
            w[k] = toFloat(w[k] - learningRate * gk);
        }
    }

    /** {@code momentum}: {@code g' = g + λ w}, {@code v ← μ v + g'}, {@code w ← w − η v} (so {@code v = g'} on the first step). */
    public static void momentum(double[] w, double[] g, double[] v, double learningRate, double mu, double weightDecay) {
        for (int k = 0; k < w.length; k++) {
            double gk = g[k] + weightDecay * w[k];
            v[k] = toFloat(mu * v[k] + gk);
            w[k] = toFloat(w[k] - learningRate * v[k]);
        }
    }

    /** {@code nesterov}: {@code g' = g + λ w}, {@code v ← μ v + g'}, {@code w ← w − η (g' + μ v)}. */
    public static void nesterov(double[] w, double[] g, double[] v, double learningRate, double mu, double weightDecay) {
        for (int k = 0; k < w.length; k++) {
            double gk = g[k] + weightDecay * w[k];
            v[k] = toFloat(mu * v[k] + gk);
            w[k] = toFloat(w[k] - learningRate * (gk + mu * v[k]));
        }
    }

    /**
     * {@code adam} with L2 weight decay: {@code g' = g + λ w}, {@code m ← β₁ m + (1−β₁) g'},
     * {@code s ← β₂ s + (1−β₂) g'²}, {@code w ← w − η m̂ / (√ŝ + ε)} with {@code m̂ = m/(1−β₁ᵗ)},
     * {@code ŝ = s/(1−β₂ᵗ)}.
     */
    public static void adam(double[] w, double[] g, double[] m, double[] s, long t, double learningRate, double beta1,
                            double beta2, double epsilon, double weightDecay) {
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        for (int k = 0; k < w.length; k++) {
            double gk = g[k] + weightDecay * w[k];
            m[k] = toFloat(beta1 * m[k] + (1 - beta1) * gk);
            s[k] = toFloat(beta2 * s[k] + (1 - beta2) * gk * gk);
            double mHat = m[k] / correction1;
            double sHat = s[k] / correction2;
            w[k] = toFloat(w[k] - learningRate * mHat / (Math.sqrt(sHat) + epsilon));
        }
    }

    /**
     * {@code adamw}, weight decay decoupled: {@code w ← w − η λ w}, then {@code adam} on the
     * decayed {@code w} with {@code g} itself (no L2 term). The two changes are summed in double
     * and rounded once.
     */
    public static void adamw(double[] w, double[] g, double[] m, double[] s, long t, double learningRate, double beta1,
                             double beta2, double epsilon, double weightDecay) {
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        for (int k = 0; k < w.length; k++) {
            double decayed = w[k] - learningRate * weightDecay * w[k];
            m[k] = toFloat(beta1 * m[k] + (1 - beta1) * g[k]);
            s[k] = toFloat(beta2 * s[k] + (1 - beta2) * g[k] * g[k]);
            double mHat = m[k] / correction1;
            double sHat = s[k] / correction2;
            w[k] = toFloat(decayed - learningRate * mHat / (Math.sqrt(sHat) + epsilon));
        }
    }

    /** The float32 number nearest to {@code value}, as a double: how parameters and state are stored. */
    static double toFloat(double value) {
        return (float) value;
    }
}

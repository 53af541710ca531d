package dev.deltaprop.reference;

import dev.deltaprop.model.Activation;

/**
 * The equations of backpropagation, one method each, index by index, accumulating in
 * {@code double}. This is the oracle every other path is tested against: it is written to be
 * checked against the derivation, not to be fast.
 *
 * <p>Indices follow the derivation: {@code i} is a unit of layer {@code l-1} (from-unit),
 * {@code j} a unit of layer {@code l} (to-unit), {@code k} a unit of layer {@code l+1}, and
 * {@code b} a sample of the batch. Matrices are row-major: {@code w[i·n_l + j]} is
 * {@code w^l_ij}; batch arrays hold sample {@code b}'s unit {@code j} at {@code [b·n + j]}.
 */
public final class Reference {
    private Reference() {
    }

    /**
     * Forward pass of one layer: {@code u^l_j = w^l_0j + Σ_i w^l_ij z^{l-1}_i},
     * {@code z^l_j = f^l(u^l_j)}, for every sample {@code b}; for {@link Activation#SOFTMAX}
     * (output only), {@code z^L_j = e^{u_j − max u} / Σ_k e^{u_k − max u}} over the sample's units.
     *
     * @param w     {@code w^l}, {@code nIn × nOut}
     * @param bias  {@code w^l_0j}, {@code nOut}
     * @param zPrev {@code z^{l-1}}, {@code batch × nIn}
     * @param u     out: {@code u^l}, {@code batch × nOut}
     * @param z     out: {@code z^l}, {@code batch × nOut}
     */
    public static void forward(double[] w, double[] bias, int nIn, int nOut, Activation f,
                               double[] zPrev, int batch, double[] u, double[] z) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < nOut; j++) {
                double sum = bias[j];
                for (int i = 0; i < nIn; i++) {
                    sum += w[i * nOut + j] * zPrev[b * nIn + i];
                }
                u[b * nOut + j] = sum;
                if (f.elementwise()) {
                    z[b * nOut + j] = f.f(sum);
                }
            }
            if (!f.elementwise()) {
                Activation.softmax(u, b * nOut, nOut, z);
            }
        }
    }

    /**
     * Output error signal and loss: {@code δ^L_j = (y_j − d_j) · f^L'(u^L_j)} and
     * {@code E = ½ Σ_j (y_j − d_j)²}, for every sample.
     *
     * @param y     {@code z^L}, {@code batch × n}
     * @param d     the teacher, {@code batch × n}
     * @param u     {@code u^L}, {@code batch × n}
     * @param delta out: {@code δ^L}, {@code batch × n}
     * @return {@code Σ_b E_b}, the summed (not mean) loss of the batch
     */
    public static double deltaOutput(double[] y, double[] d, double[] u, Activation f, int batch, int n,
                                     double[] delta) {
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                double error = y[b * n + j] - d[b * n + j];
                loss += 0.5 * error * error;
                delta[b * n + j] = error * f.derivative(u[b * n + j], y[b * n + j]);
            }
        }
        return loss;
    }

    /**
     * Output error signal of both cross-entropy pairings (DESIGN §1b): {@code δ^L_j = y_j − d_j}.
     * With a softmax output this is {@code ∂E/∂u^L} when each teacher row sums to 1 (a one-hot
     * class, as {@code io} makes it); with a sigmoid output, for any {@code d_j}.
     *
     * @param y     {@code z^L}, {@code batch × n}
     * @param d     the teacher, {@code batch × n}
     * @param delta out: {@code δ^L}, {@code batch × n}
     */
    public static void deltaOutputCrossEntropy(double[] y, double[] d, int batch, int n, double[] delta) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                delta[b * n + j] = y[b * n + j] - d[b * n + j];
            }
        }
    }

    /**
     * Cross entropy of a softmax output, from {@code u} in the stable form:
     * {@code E = −Σ_j d_j log y_j} with {@code log y_j = u_j − m − log Σ_k e^{u_k − m}},
     * {@code m = max_k u_k}. Every exponent is {@code ≤ 0}, so a confident wrong answer
     * ({@code u} of ±1e4) gives a large finite {@code E}, never {@code log 0}.
     *
     * @param u {@code u^L}, {@code batch × n}
     * @param d the teacher, {@code batch × n}
     * @return {@code Σ_b E_b}, the summed (not mean) loss of the batch
     */
    public static double crossEntropySoftmax(double[] u, double[] d, int batch, int n) {
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                m = Math.max(m, u[b * n + j]);
            }
            double sum = 0;
            for (int k = 0; k < n; k++) {
                sum += Math.exp(u[b * n + k] - m);
            }
            double logSum = Math.log(sum); // sum ≥ 1: the maximum contributes e^0
            for (int j = 0; j < n; j++) {
                loss -= d[b * n + j] * (u[b * n + j] - m - logSum);
            }
        }
        return loss;
    }

    /**
     * Cross entropy of a sigmoid output (binary, per output), from {@code u} in the stable form
     * {@code E = Σ_j [softplus(u_j) − d_j u_j]}, which equals {@code −d log y − (1−d) log(1−y)}
     * for {@code y = σ(u)} and is finite for any finite {@code u}.
     *
     * @param u {@code u^L}, {@code batch × n}
     * @param d the teacher, {@code batch × n}
     * @return {@code Σ_b E_b}, the summed (not mean) loss of the batch
     */
    public static double crossEntropySigmoid(double[] u, double[] d, int batch, int n) {
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                loss += Activation.SOFTPLUS.f(u[b * n + j]) - d[b * n + j] * u[b * n + j];
            }
        }
        return loss;
    }

    /**
     * Hidden error signal: {@code δ^l_j = f^l'(u^l_j) · Σ_k w^{l+1}_jk δ^{l+1}_k}, for every
     * sample. {@code wNext} must be the weights <em>before</em> this step's update.
     *
     * @param wNext     {@code w^{l+1}}, {@code n × nNext}
     * @param deltaNext {@code δ^{l+1}}, {@code batch × nNext}
     * @param u         {@code u^l}, {@code batch × n}
     * @param z         {@code z^l}, {@code batch × n}
     * @param delta     out: {@code δ^l}, {@code batch × n}
     */
    public static void deltaHidden(double[] wNext, int n, int nNext, double[] deltaNext, double[] u, double[] z,
                                   Activation f, int batch, double[] delta) {
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < nNext; k++) {
                    sum += wNext[j * nNext + k] * deltaNext[b * nNext + k];
                }
                delta[b * n + j] = f.derivative(u[b * n + j], z[b * n + j]) * sum;
            }
        }
    }

    /**
     * Gradient of the batch-mean error: {@code ∂E/∂w^l_ij = (1/B) Σ_b δ^l_bj · z^{l-1}_bi} and
     * {@code ∂E/∂w^l_0j = (1/B) Σ_b δ^l_bj}. With {@code B = 1} this is the per-sample rule.
     *
     * @param zPrev        {@code z^{l-1}}, {@code batch × nIn}
     * @param delta        {@code δ^l}, {@code batch × nOut}
     * @param gradient     out: {@code ∂E/∂w^l}, {@code nIn × nOut}
     * @param biasGradient out: {@code ∂E/∂w^l_0}, {@code nOut}
     */
    public static void gradient(double[] zPrev, double[] delta, int batch, int nIn, int nOut,
                                double[] gradient, double[] biasGradient) {
        for (int i = 0; i < nIn; i++) {
            for (int j = 0; j < nOut; j++) {
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    sum += delta[b * nOut + j] * zPrev[b * nIn + i];
                }
                gradient[i * nOut + j] = sum / batch;
            }
        }
        for (int j = 0; j < nOut; j++) {
            double sum = 0;
            for (int b = 0; b < batch; b++) {
                sum += delta[b * nOut + j];
            }
            biasGradient[j] = sum / batch;
        }
    }

    /**
     * Gradient descent step: {@code w ← w − η ∂E/∂w}, with {@code w} kept in float32 as every
     * backend keeps it (the new value is rounded to the nearest float). The other rules of
     * DESIGN §1b are in {@link OptimizerRules}; this is its {@code sgd} without weight decay.
     */
    public static void update(double[] w, double[] gradient, double learningRate) {
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) (w[k] - learningRate * gradient[k]);
        }
    }
}

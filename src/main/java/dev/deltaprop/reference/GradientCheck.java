package dev.deltaprop.reference;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;

/**
 * Checks the reference gradients against central finite differences of {@code E}, in double:
 * {@code g_fd = (E(w + h) − E(w − h)) / 2h} for every weight and bias, and per layer the
 * relative error {@code ‖g − g_fd‖ / ‖g_fd‖} (weights and bias together). {@code E} is the
 * network's own loss (DESIGN §1b): squared error, or cross entropy with a softmax or sigmoid
 * output, whose {@code δ^L = y − d} is then checked against the stable form of {@code E}.
 */
public final class GradientCheck {
    /** The step {@code h}: small enough for an O(h²) truncation error, large enough against rounding. */
    public static final double STEP = 1e-5;

    private GradientCheck() {
    }

    /**
     * @param x     {@code batch × n_0}
     * @param d     {@code batch × n_L}; under a softmax output each row sums to 1 (a one-hot class
     *              or a distribution over classes), the condition under which {@code δ^L = y − d}
     *              is the gradient of {@code −Σ_j d_j log y_j}
     * @return per layer (0-based), {@code ‖g − g_fd‖ / ‖g_fd‖}
     * @throws IllegalArgumentException naming the argument when a length is wrong or, under a
     *                                  softmax output, a row of {@code d} does not sum to 1
     */
    public static double[] relativeErrors(Network network, double[] x, double[] d, int batch) {
        if (x.length != (long) batch * network.inputs()) {
            throw new IllegalArgumentException("x: expected " + (long) batch * network.inputs() + " numbers, found " + x.length);
        }
        if (d.length != (long) batch * network.outputs()) {
            throw new IllegalArgumentException("d: expected " + (long) batch * network.outputs() + " numbers, found " + d.length);
        }
        if (network.layer(network.depth() - 1).activation() == Activation.SOFTMAX) {
            requireDistributions(d, batch, network.outputs());
        }
        ReferenceNet net = new ReferenceNet(network);
        net.backpropagate(x, d, batch);
        double[] errors = new double[net.depth()];
        for (int l = 0; l < net.depth(); l++) {
            double[] differenceSquares = new double[1];
            double[] normSquares = new double[1];
            compare(net, net.w[l], net.weightGradient[l], x, d, batch, differenceSquares, normSquares);
            compare(net, net.bias[l], net.biasGradient[l], x, d, batch, differenceSquares, normSquares);
            errors[l] = Math.sqrt(differenceSquares[0]) / Math.sqrt(normSquares[0]);
        }
        return errors;
    }

    private static void requireDistributions(double[] d, int batch, int n) {
        for (int b = 0; b < batch; b++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += d[b * n + j];
            }
            if (!(Math.abs(sum - 1) <= 1e-9)) {
                throw new IllegalArgumentException("d[" + b + "]: expected a row summing to 1 under a softmax output"
                        + " (a one-hot class), found a sum of " + sum);
            }
        }
    }

    private static void compare(ReferenceNet net, double[] parameters, double[] gradient, double[] x, double[] d,
                                int batch, double[] differenceSquares, double[] normSquares) {
        for (int k = 0; k < parameters.length; k++) {
            double saved = parameters[k];
            parameters[k] = saved + STEP;
            double plus = net.loss(x, d, batch);
            parameters[k] = saved - STEP;
            double minus = net.loss(x, d, batch);
            parameters[k] = saved;
            double finiteDifference = (plus - minus) / (2 * STEP);
            double difference = gradient[k] - finiteDifference;
            differenceSquares[0] += difference * difference;
            normSquares[0] += finiteDifference * finiteDifference;
        }
    }
}

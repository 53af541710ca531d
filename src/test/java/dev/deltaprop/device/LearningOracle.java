package dev.deltaprop.device;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.Reference;
import java.util.ArrayList;
import java.util.List;

/**
 * The device suite's own float64 statement of DESIGN §1b — cross entropy with a softmax or a
 * sigmoid output, and the five optimizers with weight decay — written from the table, index by
 * index, so that the device kernels can be held to it before the reference backend implements
 * §1b (the reference/cpu helper's part of issue 10). The forward pass, the hidden δ and the
 * gradient come from {@link Reference}, whose equations predate §1b and are checked on their own.
 * Parameters are kept in float32 after every step, as every backend keeps them; state in double.
 */
final class LearningOracle {
    private LearningOracle() {
    }

    /**
     * The output δ into {@code delta} (B×n) and the summed loss {@code Σ_b E_b} of §1b; with a
     * softmax {@code f} also {@code y = softmax(u)} into {@code y} (else {@code y} is read).
     */
    static double deltaOutput(double[] y, double[] d, double[] u, Activation f, Loss e, int batch, int n,
                              double[] delta) {
        if (e == Loss.SQUARED_ERROR) {
            return Reference.deltaOutput(y, d, u, f, batch, n, delta);
        }
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            int row = b * n;
            if (f == Activation.SOFTMAX) {
                Activation.softmax(u, row, n, y);
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, u[row + j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.exp(u[row + j] - max);
                }
                double logSumExp = max + Math.log(sum);
                for (int j = 0; j < n; j++) {
                    loss -= d[row + j] * (u[row + j] - logSumExp); // −d log y, log y = u − log Σ e^u
                }
            } else {
                for (int j = 0; j < n; j++) {
                    double v = u[row + j];
                    double softplus = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
                    loss += softplus - d[row + j] * v; // −d log y − (1−d) log(1−y), y = σ(v)
                }
            }
            for (int j = 0; j < n; j++) {
                delta[row + j] = y[row + j] - d[row + j];
            }
        }
        return loss;
    }

    /**
     * Step {@code t} of {@code o} on the parameters {@code p} with gradient {@code g}, in place;
     * {@code state[slot]} is v (momentum, nesterov) or m and s (adam, adamw). {@code p} is
     * rounded to float32 after the step.
     */
    static void optimize(Optimizer o, double eta, long t, double[] p, double[] g, double[][] state) {
        double lambda = o.weightDecay();
        for (int k = 0; k < p.length; k++) {
            double w = p[k];
            double grad = g[k];
            switch (o.kind()) {
                case SGD:
                    w -= eta * (grad + lambda * w);
                    break;
                case MOMENTUM:
                case NESTEROV: {
                    grad += lambda * w;
                    double v = o.momentum() * state[0][k] + grad;
                    state[0][k] = v;
                    w -= eta * (o.kind() == Optimizer.Kind.NESTEROV ? grad + o.momentum() * v : v);
                    break;
                }
                case ADAM:
                case ADAMW: {
                    if (o.kind() == Optimizer.Kind.ADAMW) {
                        w -= eta * lambda * w;
                    } else {
                        grad += lambda * w;
                    }
                    double m = o.beta1() * state[0][k] + (1 - o.beta1()) * grad;
                    double s = o.beta2() * state[1][k] + (1 - o.beta2()) * grad * grad;
                    state[0][k] = m;
                    state[1][k] = s;
                    double mHat = m / (1 - Math.pow(o.beta1(), t));
                    double sHat = s / (1 - Math.pow(o.beta2(), t));
                    w -= eta * mHat / (Math.sqrt(sHat) + o.epsilon());
                    break;
                }
                default:
                    throw new AssertionError(o.kind());
            }
            p[k] = (float) w;
        }
    }

    /** A whole network trained by §1b in double: the whole-backend counterpart of the two methods above. */
    static final class Trainer {
        private final Network shape;
        private final Optimizer optimizer;
        private final int[] widths;
        private final double[][] w;
        private final double[][] bias;
        private final double[][][] wState;
        private final double[][][] biasState;
        private long t;

        Trainer(Network network, Optimizer optimizer) {
            this.shape = network;
            this.optimizer = optimizer;
            this.widths = network.widths();
            int depth = network.depth();
            w = new double[depth][];
            bias = new double[depth][];
            wState = new double[depth][][];
            biasState = new double[depth][][];
            for (int l = 0; l < depth; l++) {
                Layer layer = network.layer(l);
                w[l] = Compare.toDouble(layer.weights());
                bias[l] = Compare.toDouble(layer.bias());
                wState[l] = new double[optimizer.kind().slots()][w[l].length];
                biasState[l] = new double[optimizer.kind().slots()][bias[l].length];
            }
        }

        /** {@code y} for a batch: the forward pass, with the softmax over each row of a softmax output. */
        double[][] forward(double[] x, int batch, double[][] u) {
            int depth = widths.length - 1;
            double[][] z = new double[depth + 1][];
            z[0] = x;
            for (int l = 1; l <= depth; l++) {
                Activation f = shape.layer(l - 1).activation();
                u[l] = new double[batch * widths[l]];
                z[l] = new double[batch * widths[l]];
                Reference.forward(w[l - 1], bias[l - 1], widths[l - 1], widths[l], f == Activation.SOFTMAX
                        ? Activation.IDENTITY : f, z[l - 1], batch, u[l], z[l]);
                if (f == Activation.SOFTMAX) {
                    for (int b = 0; b < batch; b++) {
                        Activation.softmax(u[l], b * widths[l], widths[l], z[l]);
                    }
                }
            }
            return z;
        }

        float[] predict(float[] x, int batch) {
            double[][] z = forward(Compare.toDouble(x), batch, new double[widths.length][]);
            double[] y = z[widths.length - 1];
            float[] out = new float[y.length];
            for (int k = 0; k < y.length; k++) {
                out[k] = (float) y[k];
            }
            return out;
        }

        /** One step; returns the batch-mean loss measured before the update. */
        double step(float[] x, float[] d, int batch, float learningRate) {
            int depth = widths.length - 1;
            double[][] u = new double[depth + 1][];
            double[][] z = forward(Compare.toDouble(x), batch, u);
            double[][] delta = new double[depth + 1][];
            delta[depth] = new double[batch * widths[depth]];
            double loss = deltaOutput(z[depth], Compare.toDouble(d), u[depth], shape.layer(depth - 1).activation(),
                    shape.loss(), batch, widths[depth], delta[depth]);
            for (int l = depth - 1; l >= 1; l--) {
                delta[l] = new double[batch * widths[l]];
                Reference.deltaHidden(w[l], widths[l], widths[l + 1], delta[l + 1], u[l], z[l],
                        shape.layer(l - 1).activation(), batch, delta[l]);
            }
            t++;
            for (int l = 1; l <= depth; l++) {
                double[] g = new double[widths[l - 1] * widths[l]];
                double[] gBias = new double[widths[l]];
                Reference.gradient(z[l - 1], delta[l], batch, widths[l - 1], widths[l], g, gBias);
                optimize(optimizer, learningRate, t, w[l - 1], g, wState[l - 1]);
                optimize(optimizer, learningRate, t, bias[l - 1], gBias, biasState[l - 1]);
            }
            return loss / batch;
        }

        Network network() {
            List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < w.length; l++) {
                layers.add(shape.layer(l).withParameters(toFloat(w[l]), toFloat(bias[l])));
            }
            return shape.withLayers(layers);
        }

        /** State slot {@code slot} of layer {@code l}'s weights (0-based), as floats. */
        float[] weightsState(int l, int slot) {
            return toFloat(wState[l][slot]);
        }

        float[] biasState(int l, int slot) {
            return toFloat(biasState[l][slot]);
        }

        long steps() {
            return t;
        }

        private static float[] toFloat(double[] values) {
            float[] out = new float[values.length];
            for (int k = 0; k < values.length; k++) {
                out[k] = (float) values[k];
            }
            return out;
        }
    }
}

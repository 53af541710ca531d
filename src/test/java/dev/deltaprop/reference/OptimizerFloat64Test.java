package dev.deltaprop.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer of DESIGN §1b, with and without weight decay (L2 for sgd, momentum, nesterov and
 * adam; decoupled for adamw), on the {@code reference} backend against an independent float64
 * implementation written here: a matrix-form MLP ({@code double[i][j]} matrices, its own
 * activations, its own products, the unstable textbook losses {@code −Σ d log y}) with its own
 * optimizer loop in PyTorch's algorithmic form ({@code torch.optim}'s code paths: momentum's buffer
 * created from {@code g} on the first step, Adam's {@code lerp}, {@code step_size = η/(1−β₁ᵗ)} and
 * {@code denom = √s/√(1−β₂ᵗ) + ε}, AdamW's {@code w·(1 − ηλ)}). Nothing here calls
 * {@code Reference} or {@code OptimizerRules}.
 *
 * <p>Both keep parameters and state in float32 between steps (the storage every backend has),
 * computing each step in double, so they differ only by double rounding: after 12 steps the
 * parameters, the state and the last step's gradient (before decay) agree to {@link #BOUND}
 * relative per layer. Sizes: 13-33-7 (and a one-unit hidden layer), batches 1, 7, 33, 257.
 */
class OptimizerFloat64Test {
    /**
     * Both sides round to float32 after the same double computation, so they agree bit for bit
     * unless a double result differing in its last bits lies on a float rounding boundary (odds
     * about 1e-9 per number); one such flip moves a parameter by 6e-8 of itself, about 1e-8 of a
     * layer's norm. Any mistake in a rule is orders of magnitude larger.
     */
    static final double BOUND = 1e-7;
    static final int STEPS = 12;

    enum Pairing {
        /** 13-33-7, tanh hidden, identity output, squared error */
        REGRESSION(Activation.IDENTITY, Loss.SQUARED_ERROR),
        /** 13-33-7, softmax output, cross entropy, one-hot teachers */
        SOFTMAX(Activation.SOFTMAX, Loss.CROSS_ENTROPY),
        /** 13-33-7, sigmoid output, cross entropy, teachers in [0, 1] */
        SIGMOID(Activation.SIGMOID, Loss.CROSS_ENTROPY);

        final Activation output;
        final Loss loss;

        Pairing(Activation output, Loss loss) {
            this.output = output;
            this.loss = loss;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        int[] batches = {1, 7, 33, 257};
        int c = 0;
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            for (boolean decay : new boolean[] {false, true}) {
                for (Pairing pairing : Pairing.values()) {
                    cases.add(Arguments.of(kind, decay, pairing, batches[c++ % batches.length]));
                }
            }
        }
        return cases.stream();
    }

    /** With decay, the hyper-parameters are off their defaults too, so that each one is seen to be used. */
    static Optimizer optimizer(Optimizer.Kind kind, boolean decay) {
        Optimizer.Builder b = Optimizer.builder(kind);
        if (decay) {
            b.weightDecay(kind == Optimizer.Kind.ADAMW ? 0.1f : 0.05f).momentum(0.8f).beta1(0.8f).beta2(0.99f)
                    .epsilon(1e-6f);
        } else {
            b.weightDecay(0f);
        }
        return b.build();
    }

    static float learningRate(Optimizer.Kind kind) {
        return kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW ? 0.01f : 0.1f;
    }

    @ParameterizedTest(name = "{0} decay={1} {2} B={3}")
    @MethodSource("cases")
    void referenceAgreesWithMatrixFormInDouble(Optimizer.Kind kind, boolean decay, Pairing pairing, int batch) {
        long seed = Seeds.seed();
        String what = kind + (decay ? " with decay" : "") + ", " + pairing + ", B = " + batch + " (seed " + seed + ")";
        SplittableRandom random = new SplittableRandom(seed);
        int[] widths = batch == 1 ? new int[] {13, 1, 33, 7} : new int[] {13, 33, 7};
        Network network = network(widths, pairing, random, seed);
        Optimizer optimizer = optimizer(kind, decay);
        float eta = learningRate(kind);

        MatrixMlp oracle = new MatrixMlp(network, optimizer);
        ReferenceBackend reference = new ReferenceBackend();
        reference.load(network, optimizer);
        for (int s = 0; s < STEPS; s++) {
            float[] x = uniform(random, batch * widths[0], 1.5);
            float[] d = teacher(random, pairing, batch, widths[widths.length - 1]);
            double expectedLoss = oracle.step(x, d, batch, eta);
            float loss = reference.step(x, d, batch, eta);
            assertTrue(Math.abs(loss - expectedLoss) <= 1e-6 * Math.max(1e-3, Math.abs(expectedLoss)),
                    what + " step " + s + ": loss " + loss + " vs " + expectedLoss);
        }
        Network trained = reference.network();
        OptimizerState state = reference.optimizerState();
        assertEquals(STEPS, state.steps(), what + ": t counts the steps");
        assertEquals(kind, state.kind(), what);
        double worst = 0;
        for (int l = 0; l < network.depth(); l++) {
            String layer = what + " layer " + l;
            worst = Math.max(worst, check(trained.layer(l).weights(), oracle.weights(l), layer + " weights"));
            worst = Math.max(worst, check(trained.layer(l).bias(), oracle.bias[l], layer + " bias"));
            worst = Math.max(worst, check(reference.weightGradient(l), oracle.weightGradient(l), layer + " ∂E/∂w before decay"));
            worst = Math.max(worst, check(reference.biasGradient(l), oracle.biasGradient[l], layer + " ∂E/∂b before decay"));
            for (int slot = 0; slot < kind.slots(); slot++) {
                worst = Math.max(worst, check(state.weights(l, slot), oracle.weightState(slot, l), layer + " state " + slot));
                worst = Math.max(worst, check(state.bias(l, slot), oracle.biasState[slot][l], layer + " bias state " + slot));
            }
        }
        System.out.printf(Locale.ROOT, "reference vs float64 matrix form: %s, max relative error %.2e%n", what, worst);
    }

    private static Network network(int[] widths, Pairing pairing, SplittableRandom random, long seed) {
        Network.Builder builder = Network.builder(widths[0]);
        for (int l = 1; l < widths.length; l++) {
            builder.layer(widths[l], l == widths.length - 1 ? pairing.output : Activation.TANH);
        }
        Network initial = builder.loss(pairing.loss).build(seed);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : initial.layers()) {
            // non-zero biases, so that the bias path and its decay are compared from the first step
            layers.add(layer.withParameters(layer.weights(), uniform(random, layer.outputs(), 0.3)));
        }
        return initial.withLayers(layers);
    }

    /** ‖actual − expected‖ / ‖expected‖, asserted below {@link #BOUND}; returns it. */
    private static double check(float[] actual, double[] expected, String what) {
        double[] a = new double[actual.length];
        for (int k = 0; k < a.length; k++) {
            a[k] = actual[k];
        }
        return check(a, expected, what);
    }

    private static double check(double[] actual, double[] expected, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double difference = 0;
        double norm = 0;
        for (int k = 0; k < actual.length; k++) {
            difference += (actual[k] - expected[k]) * (actual[k] - expected[k]);
            norm += expected[k] * expected[k];
        }
        // a layer whose values are all 0 (sgd has no state; a gradient that vanished) is compared absolutely
        double error = Math.sqrt(difference / Math.max(norm, 1e-24));
        assertTrue(error <= BOUND, what + ": relative error " + error + " > " + BOUND); // NaN fails
        return error;
    }

    static float[] uniform(SplittableRandom random, int count, double scale) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) ((2 * random.nextDouble() - 1) * scale);
        }
        return values;
    }

    static float[] teacher(SplittableRandom random, Pairing pairing, int batch, int n) {
        float[] d = new float[batch * n];
        for (int b = 0; b < batch; b++) {
            switch (pairing) {
                case SOFTMAX:
                    d[b * n + random.nextInt(n)] = 1f;
                    break;
                case SIGMOID:
                    for (int j = 0; j < n; j++) {
                        d[b * n + j] = (float) random.nextDouble();
                    }
                    break;
                default:
                    for (int j = 0; j < n; j++) {
                        d[b * n + j] = (float) (2 * random.nextDouble() - 1);
                    }
            }
        }
        return d;
    }

    /**
     * The independent implementation: {@code W[l][i][j]}, {@code b[l][j]}, the state as
     * {@code slot → layer → matrix}, everything in double; parameters and state are rounded to
     * float32 at the end of each step, the storage the backends have.
     */
    static final class MatrixMlp {
        final int depth;
        final Activation[] f;
        final Loss loss;
        final Optimizer optimizer;
        final double[][][] w;
        final double[][] bias;
        /** PyTorch's momentum buffer is created from the first {@code g}: {@code null} until then. */
        double[][][][] wState;
        double[][][] biasState;
        double[][][] lastGradient;
        double[][] biasGradient;
        long t;

        MatrixMlp(Network network, Optimizer optimizer) {
            depth = network.depth();
            loss = network.loss();
            this.optimizer = optimizer;
            f = new Activation[depth];
            w = new double[depth][][];
            bias = new double[depth][];
            for (int l = 0; l < depth; l++) {
                Layer layer = network.layer(l);
                f[l] = layer.activation();
                w[l] = new double[layer.inputs()][layer.outputs()];
                for (int i = 0; i < layer.inputs(); i++) {
                    for (int j = 0; j < layer.outputs(); j++) {
                        w[l][i][j] = layer.weight(i, j);
                    }
                }
                bias[l] = new double[layer.outputs()];
                for (int j = 0; j < layer.outputs(); j++) {
                    bias[l][j] = layer.bias(j);
                }
            }
            int slots = optimizer.kind().slots();
            wState = new double[slots][][][];
            biasState = new double[slots][][];
            if (optimizer.kind() == Optimizer.Kind.ADAM || optimizer.kind() == Optimizer.Kind.ADAMW) {
                for (int s = 0; s < slots; s++) {
                    wState[s] = zerosLike(w);
                    biasState[s] = zerosLike(bias);
                }
            }
        }

        /** One step; returns the batch-mean loss before the update. */
        double step(float[] xFlat, float[] dFlat, int batch, double eta) {
            int n0 = w[0].length;
            int nL = bias[depth - 1].length;
            double[][][] z = new double[depth + 1][][];
            z[0] = rows(xFlat, batch, n0);
            double[][] d = rows(dFlat, batch, nL);
            for (int l = 0; l < depth; l++) {
                double[][] u = add(multiply(z[l], w[l]), bias[l]);
                z[l + 1] = activate(f[l], u);
            }
            double[][] y = z[depth];
            double meanLoss = 0;
            double[][] delta = new double[batch][nL];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < nL; j++) {
                    double yj = y[b][j];
                    double dj = d[b][j];
                    if (loss == Loss.SQUARED_ERROR) {
                        meanLoss += 0.5 * (yj - dj) * (yj - dj) / batch;
                        delta[b][j] = (yj - dj) * derivative(f[depth - 1], yj);
                    } else if (f[depth - 1] == Activation.SOFTMAX) {
                        meanLoss -= dj * Math.log(yj) / batch;
                        delta[b][j] = yj - dj;
                    } else {
                        meanLoss -= (dj * Math.log(yj) + (1 - dj) * Math.log(1 - yj)) / batch;
                        delta[b][j] = yj - dj;
                    }
                }
            }
            double[][][] g = new double[depth][][];
            double[][] gBias = new double[depth][];
            for (int l = depth - 1; l >= 0; l--) {
                g[l] = scale(multiply(transpose(z[l]), delta), 1.0 / batch);
                gBias[l] = new double[delta[0].length];
                for (double[] row : delta) {
                    for (int j = 0; j < row.length; j++) {
                        gBias[l][j] += row[j] / batch;
                    }
                }
                if (l > 0) {
                    double[][] back = multiply(delta, transpose(w[l]));
                    for (int b = 0; b < batch; b++) {
                        for (int i = 0; i < back[b].length; i++) {
                            back[b][i] *= derivative(f[l - 1], z[l][b][i]);
                        }
                    }
                    delta = back;
                }
            }
            lastGradient = g;
            biasGradient = gBias;
            t++;
            for (int l = 0; l < depth; l++) {
                for (int i = 0; i < w[l].length; i++) {
                    update(w[l][i], g[l][i], l, i, eta);
                }
                update(bias[l], gBias[l], l, -1, eta);
            }
            return meanLoss;
        }

        /** torch.optim's step for one row of parameters {@code p} ({@code i = −1}: the bias). */
        private void update(double[] p, double[] grad, int l, int i, double eta) {
            double lambda = optimizer.weightDecay();
            Optimizer.Kind kind = optimizer.kind();
            for (int k = 0; k < p.length; k++) {
                double gk = grad[k];
                if (kind == Optimizer.Kind.ADAMW) {
                    p[k] = p[k] * (1 - eta * lambda);
                } else {
                    gk = gk + lambda * p[k];
                }
                switch (kind) {
                    case SGD:
                        p[k] = p[k] - eta * gk;
                        break;
                    case MOMENTUM:
                    case NESTEROV: {
                        double[] buffer = momentumBuffer(l, i, p.length);
                        buffer[k] = t == 1 ? gk : optimizer.momentum() * buffer[k] + gk;
                        buffer[k] = (float) buffer[k];
                        double direction = kind == Optimizer.Kind.NESTEROV ? gk + optimizer.momentum() * buffer[k] : buffer[k];
                        p[k] = p[k] - eta * direction;
                        break;
                    }
                    default: {
                        double[] m = i < 0 ? biasState[0][l] : wState[0][l][i];
                        double[] s = i < 0 ? biasState[1][l] : wState[1][l][i];
                        double beta1 = optimizer.beta1();
                        double beta2 = optimizer.beta2();
                        m[k] = (float) (m[k] + (1 - beta1) * (gk - m[k])); // lerp(m, g, 1 − β₁)
                        s[k] = (float) (s[k] * beta2 + (1 - beta2) * gk * gk);
                        double stepSize = eta / (1 - Math.pow(beta1, t));
                        double denominator = Math.sqrt(s[k]) / Math.sqrt(1 - Math.pow(beta2, t)) + optimizer.epsilon();
                        p[k] = p[k] - stepSize * m[k] / denominator;
                    }
                }
                p[k] = (float) p[k];
            }
        }

        private double[] momentumBuffer(int l, int i, int length) {
            if (wState[0] == null) {
                wState[0] = new double[depth][][];
                biasState[0] = new double[depth][];
            }
            if (i < 0) {
                if (biasState[0][l] == null) {
                    biasState[0][l] = new double[length];
                }
                return biasState[0][l];
            }
            if (wState[0][l] == null) {
                wState[0][l] = new double[w[l].length][];
            }
            if (wState[0][l][i] == null) {
                wState[0][l][i] = new double[length];
            }
            return wState[0][l][i];
        }

        double[] weights(int l) {
            return flat(w[l]);
        }

        double[] weightGradient(int l) {
            return flat(lastGradient[l]);
        }

        double[] weightState(int slot, int l) {
            return flat(wState[slot][l]);
        }

        private static double[][] activate(Activation f, double[][] u) {
            double[][] z = new double[u.length][u[0].length];
            for (int b = 0; b < u.length; b++) {
                if (f == Activation.SOFTMAX) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (double v : u[b]) {
                        max = Math.max(max, v);
                    }
                    double total = 0;
                    for (double v : u[b]) {
                        total += Math.exp(v - max);
                    }
                    for (int j = 0; j < u[b].length; j++) {
                        z[b][j] = Math.exp(u[b][j] - max) / total;
                    }
                    continue;
                }
                for (int j = 0; j < u[b].length; j++) {
                    double v = u[b][j];
                    switch (f) {
                        case TANH:
                            z[b][j] = Math.tanh(v);
                            break;
                        case SIGMOID:
                            z[b][j] = 1 / (1 + Math.exp(-v));
                            break;
                        case IDENTITY:
                            z[b][j] = v;
                            break;
                        default:
                            throw new IllegalArgumentException("the test's matrix form has no " + f);
                    }
                }
            }
            return z;
        }

        /** {@code f'} from {@code z} for the activations used here. */
        private static double derivative(Activation f, double z) {
            switch (f) {
                case TANH:
                    return 1 - z * z;
                case SIGMOID:
                    return z * (1 - z);
                case IDENTITY:
                    return 1;
                default:
                    throw new IllegalArgumentException("the test's matrix form has no f' for " + f);
            }
        }

        private static double[][] multiply(double[][] a, double[][] b) {
            double[][] c = new double[a.length][b[0].length];
            for (int r = 0; r < a.length; r++) {
                for (int p = 0; p < b.length; p++) {
                    for (int j = 0; j < b[0].length; j++) {
                        c[r][j] += a[r][p] * b[p][j];
                    }
                }
            }
            return c;
        }

        private static double[][] transpose(double[][] a) {
            double[][] t = new double[a[0].length][a.length];
            for (int r = 0; r < a.length; r++) {
                for (int c = 0; c < a[0].length; c++) {
                    t[c][r] = a[r][c];
                }
            }
            return t;
        }

        private static double[][] add(double[][] a, double[] row) {
            for (double[] r : a) {
                for (int j = 0; j < r.length; j++) {
                    r[j] += row[j];
                }
            }
            return a;
        }

        private static double[][] scale(double[][] a, double factor) {
            for (double[] r : a) {
                for (int j = 0; j < r.length; j++) {
                    r[j] *= factor;
                }
            }
            return a;
        }

        private static double[][] rows(float[] flat, int count, int width) {
            double[][] out = new double[count][width];
            for (int r = 0; r < count; r++) {
                for (int c = 0; c < width; c++) {
                    out[r][c] = flat[r * width + c];
                }
            }
            return out;
        }

        private static double[] flat(double[][] a) {
            double[] out = new double[a.length * a[0].length];
            for (int r = 0; r < a.length; r++) {
                System.arraycopy(a[r], 0, out, r * a[0].length, a[0].length);
            }
            return out;
        }

        private static double[][][] zerosLike(double[][][] a) {
            double[][][] out = new double[a.length][][];
            for (int l = 0; l < a.length; l++) {
                out[l] = new double[a[l].length][a[l][0].length];
            }
            return out;
        }

        private static double[][] zerosLike(double[][] a) {
            double[][] out = new double[a.length][];
            for (int l = 0; l < a.length; l++) {
                out[l] = new double[a[l].length];
            }
            return out;
        }
    }
}

package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.reference.ReferenceBackend;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trainer applies schedules and warm-up right through a real backend run: {@code reference}
 * training a 3-5-2 tanh net is compared with an independent float64 implementation written here
 * (forward, backpropagation, the optimizer rules of DESIGN §1b and {@code η_e} from the formulas),
 * and the rate each step received is recorded and checked against {@code η_e}.
 */
class ScheduleFloat64Test {
    private static final int SAMPLES = 7;
    private static final int BATCH = 3; // batches of 3, 3 and 1
    private static final int EPOCHS = 5;
    private static final float ETA = 0.05f;

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of(Optimizer.sgd(), "constant", 0),
                Arguments.of(Optimizer.sgd(), "step:2:0.5", 0),
                Arguments.of(Optimizer.sgd(), "cosine", 0),
                Arguments.of(Optimizer.sgd(), "constant", 3),
                Arguments.of(Optimizer.of(Optimizer.Kind.MOMENTUM), "cosine", 2),
                Arguments.of(Optimizer.builder(Optimizer.Kind.NESTEROV).weightDecay(0.01f).build(), "step:1:0.7", 2),
                Arguments.of(Optimizer.of(Optimizer.Kind.ADAM), "step:2:0.5", 3),
                Arguments.of(Optimizer.of(Optimizer.Kind.ADAMW), "cosine", 1));
    }

    /** {@code η_e} by the formulas of DESIGN §1b, in double, independently of {@link LearningRateSchedule}. */
    private static double rate(String schedule, int warmup, int e) {
        double factor;
        if (schedule.equals("constant")) {
            factor = 1;
        } else if (schedule.equals("cosine")) {
            factor = 0.5 * (1 + Math.cos(Math.PI * (e - 1) / EPOCHS));
        } else {
            String[] p = schedule.split(":");
            factor = Math.pow(Double.parseDouble(p[2]), Math.floor((e - 1) / Double.parseDouble(p[1])));
        }
        if (warmup > 0 && e <= warmup) {
            factor *= (double) e / warmup;
        }
        return ETA * factor;
    }

    @ParameterizedTest(name = "{0}, {1}, warm-up {2}")
    @MethodSource("runs")
    void referenceFollowsTheScheduleAsAFloat64Implementation(Optimizer optimizer, String schedule, int warmup) {
        long seed = 20261201L;
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[SAMPLES * 3];
        float[] d = new float[SAMPLES * 2];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) random.nextDouble(-1, 1);
        }
        for (int k = 0; k < d.length; k++) {
            d[k] = (float) random.nextDouble(-1, 1);
        }
        Network start = Network.builder(3).layer(5, Activation.TANH).layer(2, Activation.IDENTITY).build(seed);
        TrainerConfig config = TrainerConfig.builder().epochs(EPOCHS).batch(BATCH).learningRate(ETA).shuffle(false)
                .optimizer(optimizer).schedule(LearningRateSchedule.parse(schedule).withWarmup(warmup)).build();
        Rates backend = new Rates(new ReferenceBackend());
        Network trained = new Trainer(config).train(backend, start, x, d, SAMPLES).network();

        Float64Mlp expected = new Float64Mlp(start, optimizer);
        List<Float> rates = new ArrayList<>();
        for (int e = 1; e <= EPOCHS; e++) {
            float eta = (float) rate(schedule, warmup, e);
            for (int offset = 0; offset < SAMPLES; offset += BATCH) {
                rates.add(eta);
                expected.step(x, d, offset, Math.min(BATCH, SAMPLES - offset), eta);
            }
        }
        assertEquals(rates, backend.rates, "the learning rate of every step (seed " + seed + ")");
        double error = expected.relativeError(trained);
        assertTrue(error < 1e-5, "relative error " + error + " against float64 (seed " + seed + ")");
        assertTrue(expected.relativeError(start) > 1e-3, "the run changed the parameters");
    }

    /** The reference, recording the learning rate of every step it takes. */
    private static final class Rates implements Backend {
        final Backend inner;
        final List<Float> rates = new ArrayList<>();

        Rates(Backend inner) {
            this.inner = inner;
        }

        @Override public String name() { return inner.name(); }
        @Override public String device() { return inner.device(); }
        @Override public void load(Network n, Optimizer o, OptimizerState s) { inner.load(n, o, s); }
        @Override public Optimizer optimizer() { return inner.optimizer(); }
        @Override public OptimizerState optimizerState() { return inner.optimizerState(); }
        @Override public Network network() { return inner.network(); }
        @Override public float[] predict(float[] in, int batch) { return inner.predict(in, batch); }
        @Override public void close() { inner.close(); }

        @Override
        public float step(float[] in, float[] teacher, int batch, float learningRate) {
            rates.add(learningRate);
            return inner.step(in, teacher, batch, learningRate);
        }

        @Override
        public float step(FloatBuffer in, FloatBuffer teacher, int batch, float learningRate) {
            rates.add(learningRate);
            return inner.step(in, teacher, batch, learningRate);
        }
    }

    /**
     * A two-layer tanh/identity MLP with squared error, trained in double by the rules of DESIGN §1b
     * (PyTorch's): L2 decay added to {@code g} except for adamw, momentum {@code v ← μ v + g}, nesterov
     * {@code w ← w − η (g + μ v)}, adam with bias corrections.
     */
    static final class Float64Mlp {
        final int[] widths;
        final double[][] w; // per layer: weights (n_{l-1} n_l), then bias (n_l), one array
        final double[][] v;
        final double[][] m;
        final double[][] s;
        final Optimizer optimizer;
        long t;

        Float64Mlp(Network network, Optimizer optimizer) {
            this.optimizer = optimizer;
            widths = network.widths();
            int depth = network.depth();
            w = new double[depth][];
            v = new double[depth][];
            m = new double[depth][];
            s = new double[depth][];
            for (int l = 0; l < depth; l++) {
                Layer layer = network.layer(l);
                float[] weights = layer.weights();
                float[] bias = layer.bias();
                w[l] = new double[weights.length + bias.length];
                for (int k = 0; k < weights.length; k++) {
                    w[l][k] = weights[k];
                }
                for (int k = 0; k < bias.length; k++) {
                    w[l][weights.length + k] = bias[k];
                }
                v[l] = new double[w[l].length];
                m[l] = new double[w[l].length];
                s[l] = new double[w[l].length];
            }
        }

        void step(float[] x, float[] d, int offset, int batch, double eta) {
            int n0 = widths[0];
            int n1 = widths[1];
            int n2 = widths[2];
            double[][] g = {new double[w[0].length], new double[w[1].length]};
            for (int b = offset; b < offset + batch; b++) {
                double[] z1 = new double[n1];
                for (int j = 0; j < n1; j++) {
                    double u = w[0][n0 * n1 + j];
                    for (int i = 0; i < n0; i++) {
                        u += w[0][i * n1 + j] * x[b * n0 + i];
                    }
                    z1[j] = Math.tanh(u);
                }
                double[] delta2 = new double[n2];
                for (int k = 0; k < n2; k++) {
                    double u = w[1][n1 * n2 + k];
                    for (int j = 0; j < n1; j++) {
                        u += w[1][j * n2 + k] * z1[j];
                    }
                    delta2[k] = u - d[b * n2 + k]; // identity output, squared error
                }
                for (int j = 0; j < n1; j++) {
                    double back = 0;
                    for (int k = 0; k < n2; k++) {
                        back += w[1][j * n2 + k] * delta2[k];
                        g[1][j * n2 + k] += z1[j] * delta2[k] / batch;
                    }
                    double delta1 = (1 - z1[j] * z1[j]) * back;
                    for (int i = 0; i < n0; i++) {
                        g[0][i * n1 + j] += x[b * n0 + i] * delta1 / batch;
                    }
                    g[0][n0 * n1 + j] += delta1 / batch;
                }
                for (int k = 0; k < n2; k++) {
                    g[1][n1 * n2 + k] += delta2[k] / batch;
                }
            }
            t++;
            for (int l = 0; l < 2; l++) {
                update(l, g[l], eta);
            }
        }

        private void update(int l, double[] g, double eta) {
            double mu = optimizer.momentum();
            double lambda = optimizer.weightDecay();
            double b1 = optimizer.beta1();
            double b2 = optimizer.beta2();
            for (int k = 0; k < g.length; k++) {
                double grad = g[k];
                switch (optimizer.kind()) {
                    case SGD -> w[l][k] -= eta * (grad + lambda * w[l][k]);
                    case MOMENTUM -> {
                        grad += lambda * w[l][k];
                        v[l][k] = mu * v[l][k] + grad;
                        w[l][k] -= eta * v[l][k];
                    }
                    case NESTEROV -> {
                        grad += lambda * w[l][k];
                        v[l][k] = mu * v[l][k] + grad;
                        w[l][k] -= eta * (grad + mu * v[l][k]);
                    }
                    case ADAM, ADAMW -> {
                        if (optimizer.kind() == Optimizer.Kind.ADAMW) {
                            w[l][k] -= eta * lambda * w[l][k];
                        } else {
                            grad += lambda * w[l][k];
                        }
                        m[l][k] = b1 * m[l][k] + (1 - b1) * grad;
                        s[l][k] = b2 * s[l][k] + (1 - b2) * grad * grad;
                        double mHat = m[l][k] / (1 - Math.pow(b1, t));
                        double sHat = s[l][k] / (1 - Math.pow(b2, t));
                        w[l][k] -= eta * mHat / (Math.sqrt(sHat) + optimizer.epsilon());
                    }
                }
            }
        }

        /** {@code ‖a − b‖ / ‖b‖} over all parameters, {@code b} these. */
        double relativeError(Network network) {
            double diff = 0;
            double norm = 0;
            for (int l = 0; l < w.length; l++) {
                float[] weights = network.layer(l).weights();
                float[] bias = network.layer(l).bias();
                for (int k = 0; k < w[l].length; k++) {
                    double a = k < weights.length ? weights[k] : bias[k - weights.length];
                    diff += (a - w[l][k]) * (a - w[l][k]);
                    norm += w[l][k] * w[l][k];
                }
            }
            return Math.sqrt(diff / norm);
        }
    }
}

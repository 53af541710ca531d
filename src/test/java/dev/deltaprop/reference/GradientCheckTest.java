package dev.deltaprop.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference gradients against central finite differences of {@code E} in double: per
 * layer {@code ‖g − g_fd‖ / ‖g_fd‖ < 1e-6}, for every activation (in hidden layers and at the
 * output) under squared error, and for both cross-entropy pairings (softmax with one-hot and
 * with soft teachers, sigmoid with teachers in [0, 1]) under every hidden activation; several
 * shapes including one-unit layers, {@code B = 1} and {@code B > 1}.
 */
class GradientCheckTest {
    static final double BOUND = 1e-6;

    static Stream<Arguments> cases() {
        int[][] shapes = {{1, 1, 1}, {3, 1, 2}, {6, 5, 3}, {4, 7, 1, 2}, {2, 3}};
        List<Arguments> cases = new ArrayList<>();
        long seed = 1000;
        for (Activation f : Activation.elementwiseValues()) {
            for (int[] shape : shapes) {
                for (int batch : new int[] {1, 5}) {
                    cases.add(Arguments.of(f, shape, batch, seed++));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} B={2} seed={3}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(Activation f, int[] shape, int batch, long seed) {
        // every layer uses f, the output too, so that f' enters both δ^L and the hidden δ
        retry(f, f, Teacher.UNIFORM, shape, batch, seed);
    }

    /** How the cross-entropy cases draw {@code d}. */
    enum Teacher {
        /** each {@code d_j} uniform in [−1, 1] (squared error) */
        UNIFORM,
        /** each {@code d_j} uniform in [0, 1] (sigmoid cross entropy: a probability per output) */
        PROBABILITY,
        /** one class per sample, one-hot (softmax: what {@code io} makes of a label column) */
        ONE_HOT,
        /** a random distribution over the classes per sample (softmax with soft labels) */
        DISTRIBUTION
    }

    static Stream<Arguments> crossEntropyCases() {
        int[][] shapes = {{1, 2}, {3, 1, 2}, {6, 5, 3}, {4, 7, 1, 7}, {5, 33, 4}};
        List<Arguments> cases = new ArrayList<>();
        long seed = 5000;
        for (Activation hidden : Activation.elementwiseValues()) {
            for (int[] shape : shapes) {
                for (int batch : new int[] {1, 7}) {
                    cases.add(Arguments.of(Activation.SOFTMAX, hidden, Teacher.ONE_HOT, shape, batch, seed++));
                    cases.add(Arguments.of(Activation.SOFTMAX, hidden, Teacher.DISTRIBUTION, shape, batch, seed++));
                    cases.add(Arguments.of(Activation.SIGMOID, hidden, Teacher.PROBABILITY, shape, batch, seed++));
                }
            }
        }
        return cases.stream();
    }

    /** Cross entropy, both pairings (DESIGN §1b: {@code δ^L = y − d}), under every hidden activation. */
    @ParameterizedTest(name = "cross entropy, {0} output, {1} hidden, d {2}, {3} B={4} seed={5}")
    @MethodSource("crossEntropyCases")
    void crossEntropyGradientsMatchFiniteDifferences(Activation output, Activation hidden, Teacher teacher, int[] shape,
                                                     int batch, long seed) {
        retry(hidden, output, teacher, shape, batch, seed);
    }

    /** A softmax teacher row that does not sum to 1 is refused, naming the row: {@code y − d} would not be the gradient. */
    @org.junit.jupiter.api.Test
    void softmaxTeacherRowsMustSumToOne() {
        Network network = Network.builder(2).layer(3, Activation.SOFTMAX).build(1);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.relativeErrors(network, new double[4], new double[] {0, 1, 0, 0.5, 0.25, 0}, 2));
        org.junit.jupiter.api.Assertions.assertEquals(
                "d[1]: expected a row summing to 1 under a softmax output (a one-hot class), found a sum of 0.75",
                e.getMessage());
    }

    private static void retry(Activation hidden, Activation output, Teacher teacher, int[] shape, int batch, long seed) {
        // ‖g − g_fd‖ / ‖g_fd‖ is 0/0 where a layer's gradient is identically zero (a dead relu
        // unit in a one-unit layer cuts every path): draw again from the next seed in that case
        for (int attempt = 0; attempt < 20; attempt++) {
            if (check(hidden, output, teacher, shape, batch, seed + 1_000_000L * attempt)) {
                return;
            }
        }
        throw new AssertionError("no seed from " + seed + " gave a network with a non-zero gradient in every layer");
    }

    /** Returns false (and checks nothing) when some layer's gradient is identically zero. */
    private static boolean check(Activation hidden, Activation output, Teacher teacher, int[] shape, int batch,
                                 long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Network.Builder builder = Network.builder(shape[0]);
        for (int l = 1; l < shape.length; l++) {
            builder.layer(shape[l], l == shape.length - 1 ? output : hidden);
        }
        if (output == Activation.SIGMOID && teacher == Teacher.PROBABILITY) {
            builder.loss(dev.deltaprop.model.Loss.CROSS_ENTROPY);
        }
        Network initial = builder.build(seed);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : initial.layers()) {
            // biases in [0.1, 0.6]: exercises the bias path and keeps relu units away from their kink
            float[] bias = new float[layer.outputs()];
            for (int j = 0; j < bias.length; j++) {
                bias[j] = (float) (0.1 + 0.5 * random.nextDouble());
            }
            layers.add(layer.withParameters(layer.weights(), bias));
        }
        Network network = initial.withLayers(layers);
        double[] x = uniform(random, batch * network.inputs());
        double[] d = teacher(random, teacher, batch, network.outputs());

        ReferenceNet net = new ReferenceNet(network);
        net.backpropagate(x, d, batch);
        for (int l = 0; l < net.depth(); l++) {
            if (java.util.Arrays.stream(net.biasGradient[l]).allMatch(g -> g == 0)
                    && java.util.Arrays.stream(net.weightGradient[l]).allMatch(g -> g == 0)) {
                return false;
            }
        }
        double[] errors = GradientCheck.relativeErrors(network, x, d, batch);
        for (int l = 0; l < errors.length; l++) {
            // written so that NaN fails
            assertTrue(errors[l] < BOUND, "layer " + (l + 1) + " of " + network + ", B = " + batch + ", seed " + seed
                    + ": relative error " + errors[l]);
        }
        return true;
    }

    private static double[] teacher(SplittableRandom random, Teacher teacher, int batch, int n) {
        double[] d = new double[batch * n];
        for (int b = 0; b < batch; b++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                d[b * n + j] = teacher == Teacher.UNIFORM ? 2 * random.nextDouble() - 1 : random.nextDouble();
                sum += d[b * n + j];
            }
            if (teacher == Teacher.ONE_HOT) {
                java.util.Arrays.fill(d, b * n, (b + 1) * n, 0);
                d[b * n + random.nextInt(n)] = 1;
            } else if (teacher == Teacher.DISTRIBUTION) {
                for (int j = 0; j < n; j++) {
                    d[b * n + j] /= sum;
                }
            }
        }
        return d;
    }

    private static double[] uniform(SplittableRandom random, int count) {
        double[] values = new double[count];
        for (int k = 0; k < count; k++) {
            values[k] = 2 * random.nextDouble() - 1;
        }
        return values;
    }
}

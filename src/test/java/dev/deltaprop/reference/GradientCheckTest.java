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
 * output), several shapes including one-unit layers, {@code B = 1} and {@code B > 1}.
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
        // ‖g − g_fd‖ / ‖g_fd‖ is 0/0 where a layer's gradient is identically zero (a dead relu
        // unit in a one-unit layer cuts every path): draw again from the next seed in that case
        for (int attempt = 0; attempt < 20; attempt++) {
            if (check(f, shape, batch, seed + 1_000_000L * attempt)) {
                return;
            }
        }
        throw new AssertionError("no seed from " + seed + " gave a network with a non-zero gradient in every layer");
    }

    /** Returns false (and checks nothing) when some layer's gradient is identically zero. */
    private static boolean check(Activation f, int[] shape, int batch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // every layer uses f, the output too, so that f' enters both δ^L and the hidden δ
        Network.Builder builder = Network.builder(shape[0]);
        for (int l = 1; l < shape.length; l++) {
            builder.layer(shape[l], f);
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
        double[] d = uniform(random, batch * network.outputs());

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

    private static double[] uniform(SplittableRandom random, int count) {
        double[] values = new double[count];
        for (int k = 0; k < count; k++) {
            values[k] = 2 * random.nextDouble() - 1;
        }
        return values;
    }
}

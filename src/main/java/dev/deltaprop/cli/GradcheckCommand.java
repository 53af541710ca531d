package dev.deltaprop.cli;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.GradientCheck;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deltaprop gradcheck}: the reference gradients against central finite differences of
 * {@code E}, in double, on a seeded network and a random batch. The last line is
 * {@code max relative error <value>}, the largest over layers of {@code ‖g − g_fd‖ / ‖g_fd‖};
 * the exit code is 1 when it is not below {@link #THRESHOLD}.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Checks the reference gradients against central finite differences of E (in double).")
final class GradcheckCommand implements Callable<Integer> {
    /** What a correct backpropagation achieves in double with the step of {@link GradientCheck#STEP}. */
    static final double THRESHOLD = 1e-6;

    @Spec
    CommandSpec spec;

    @Option(names = "--layers", defaultValue = "6-5-3", paramLabel = "6-5-3", description = "Widths (default ${DEFAULT-VALUE}).")
    String layers;

    @Option(names = "--activation", defaultValue = "tanh", paramLabel = "NAME", description = "Hidden activation (default ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--output-activation", defaultValue = "identity", paramLabel = "NAME",
            description = "Output activation (default ${DEFAULT-VALUE}).")
    String outputActivation;

    @Option(names = "--loss", paramLabel = "NAME",
            description = "squared_error or cross_entropy (default: cross_entropy under a softmax output, else squared_error).")
    String loss;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", description = "Samples in the batch, B (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the weights and the batch (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch: expected at least 1 sample, found " + batch);
        }
        int[] widths = Architecture.widths(layers);
        Network network = Architecture.network(widths, Architecture.activation("--activation", activation),
                Architecture.activation("--output-activation", outputActivation), seed);
        // biases start at 0 after initialisation; random ones make the check cover the bias path fully
        SplittableRandom random = new SplittableRandom(seed).split();
        java.util.List<Layer> layers = new java.util.ArrayList<>();
        for (Layer layer : network.layers()) {
            layers.add(layer.withParameters(layer.weights(), uniform(random, layer.outputs(), 0.5)));
        }
        network = loss == null ? network.withLayers(layers) : new Network(layers, Loss.parse(loss));
        double[] x = toDouble(uniform(random, batch * network.inputs(), 1.0));
        double[] d = teachers(network, random);

        double[] errors = GradientCheck.relativeErrors(network, x, d, batch);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "network %s, batch %d, seed %d, step h = %.0e%n", network, batch, seed, GradientCheck.STEP);
        double max = 0;
        for (int l = 0; l < errors.length; l++) {
            out.printf(Locale.ROOT, "layer %d (%s): relative error %.3e%n", l + 1, network.layer(l), errors[l]);
            // NaN must never pass: compare so that a NaN becomes the maximum
            max = Double.isNaN(errors[l]) || errors[l] > max ? errors[l] : max;
        }
        out.printf(Locale.ROOT, "max relative error %.3e%n", max);
        out.flush();
        if (!(max < THRESHOLD)) {
            spec.commandLine().getErr().printf(Locale.ROOT, "deltaprop gradcheck: max relative error %.3e is not below %.0e%n",
                    max, THRESHOLD);
            spec.commandLine().getErr().flush();
            return 1;
        }
        return 0;
    }

    /**
     * Teachers the loss is defined for: under a softmax output one class per sample, one-hot (what
     * {@code δ^L = y − d} needs: rows summing to 1); under sigmoid cross entropy a probability in
     * [0, 1] per output; under squared error any value in [−1, 1].
     */
    private double[] teachers(Network network, SplittableRandom random) {
        int n = network.outputs();
        if (network.loss() == Loss.SQUARED_ERROR) {
            return toDouble(uniform(random, batch * n, 1.0));
        }
        boolean softmax = network.layer(network.depth() - 1).activation() == Activation.SOFTMAX;
        double[] d = new double[batch * n];
        for (int b = 0; b < batch; b++) {
            if (softmax) {
                d[b * n + random.nextInt(n)] = 1;
            } else {
                for (int j = 0; j < n; j++) {
                    d[b * n + j] = random.nextDouble();
                }
            }
        }
        return d;
    }

    private static float[] uniform(SplittableRandom random, int count, double limit) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) ((2 * random.nextDouble() - 1) * limit);
        }
        return values;
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k];
        }
        return out;
    }
}

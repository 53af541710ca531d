package dev.deltaprop.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * A multilayer perceptron: an input width {@code n_0}, then layers {@code l = 1..L}, each
 * {@code z^l = f^l(z^{l-1} W^l + b^l)}, and the {@link Loss} it is trained on. {@code y = z^L}.
 *
 * <p>Immutable. Build a fresh one with {@link #builder(int)}; backends hand back trained
 * parameters as a new {@code Network}.
 */
public final class Network {
    private final List<Layer> layers;
    private final Loss loss;

    /**
     * @throws IllegalArgumentException when there are no layers or consecutive widths disagree
     *                                  ({@code layers[l].inputs} must equal {@code layers[l-1].outputs})
     */
    public Network(List<Layer> layers, Loss loss) {
        Objects.requireNonNull(layers, "layers");
        Objects.requireNonNull(loss, "loss");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least 1 layer, found none");
        }
        for (int l = 0; l < layers.size(); l++) {
            Objects.requireNonNull(layers.get(l), "layers[" + l + "]");
            if (l > 0 && layers.get(l).inputs() != layers.get(l - 1).outputs()) {
                throw new IllegalArgumentException("layers[" + l + "].inputs: expected " + layers.get(l - 1).outputs()
                        + " (the outputs of layers[" + (l - 1) + "]), found " + layers.get(l).inputs());
            }
        }
        checkPairing(layers, loss);
        this.layers = List.copyOf(layers);
        this.loss = loss;
    }

    /**
     * The pairings of DESIGN §1b: softmax only on the output layer, with at least 2 outputs and
     * cross entropy; cross entropy only with a softmax or sigmoid output.
     *
     * @throws IllegalArgumentException naming the layer and the allowed choices otherwise
     */
    static void checkPairing(List<Layer> layers, Loss loss) {
        int last = layers.size() - 1;
        for (int l = 0; l < last; l++) {
            if (!layers.get(l).activation().elementwise()) {
                throw new IllegalArgumentException("layers[" + l + "].activation: " + layers.get(l).activation()
                        + " is an output-only activation; expected one of " + hiddenNames() + " for a hidden layer");
            }
        }
        Layer output = layers.get(last);
        Activation f = output.activation();
        if (f == Activation.SOFTMAX) {
            if (output.outputs() < 2) {
                throw new IllegalArgumentException("layers[" + last + "].outputs: softmax expects at least 2 outputs, found "
                        + output.outputs() + "; for a binary classifier use a sigmoid output with cross_entropy");
            }
            if (loss != Loss.CROSS_ENTROPY) {
                throw new IllegalArgumentException("loss: a softmax output (layers[" + last + "]) expects cross_entropy, found "
                        + loss + "; for squared_error choose one of " + hiddenNames());
            }
        } else if (loss == Loss.CROSS_ENTROPY && f != Activation.SIGMOID) {
            throw new IllegalArgumentException("layers[" + last + "].activation: cross_entropy expects a softmax or sigmoid output, found "
                    + f + "; with " + f + " use squared_error");
        }
    }

    private static String hiddenNames() {
        return Activation.elementwiseValues().stream().map(Activation::id).collect(Collectors.joining(", "));
    }

    /**
     * A network with the loss its output implies: {@link Loss#CROSS_ENTROPY} under a softmax
     * output, {@link Loss#SQUARED_ERROR} otherwise.
     */
    public Network(List<Layer> layers) {
        this(layers, defaultLoss(layers));
    }

    /** Cross entropy for a softmax output, squared error for any other (what an unset {@code --loss} means). */
    public static Loss defaultLoss(List<Layer> layers) {
        Objects.requireNonNull(layers, "layers");
        return !layers.isEmpty() && layers.get(layers.size() - 1) != null
                && layers.get(layers.size() - 1).activation() == Activation.SOFTMAX ? Loss.CROSS_ENTROPY : Loss.SQUARED_ERROR;
    }

    /** Starts a network whose input has {@code inputs} units ({@code n_0}). */
    public static Builder builder(int inputs) {
        return new Builder(inputs);
    }

    /** The layers {@code 1..L}, as a list indexed from 0. */
    public List<Layer> layers() {
        return layers;
    }

    /** Layer {@code index} (0-based: {@code layer(0)} is the derivation's {@code l = 1}). */
    public Layer layer(int index) {
        return layers.get(index);
    }

    /** {@code L}, the number of layers with weights. */
    public int depth() {
        return layers.size();
    }

    /** {@code n_0}. */
    public int inputs() {
        return layers.get(0).inputs();
    }

    /** {@code n_L}. */
    public int outputs() {
        return layers.get(layers.size() - 1).outputs();
    }

    public Loss loss() {
        return loss;
    }

    /** The widths {@code n_0, n_1, …, n_L}. */
    public int[] widths() {
        int[] widths = new int[layers.size() + 1];
        widths[0] = inputs();
        for (int l = 0; l < layers.size(); l++) {
            widths[l + 1] = layers.get(l).outputs();
        }
        return widths;
    }

    /** The widths as the command line writes them, e.g. {@code 2-16-1}. */
    public String shape() {
        StringBuilder s = new StringBuilder().append(inputs());
        for (Layer layer : layers) {
            s.append('-').append(layer.outputs());
        }
        return s.toString();
    }

    /** {@code Σ_l (n_{l-1} + 1) n_l}. */
    public long parameterCount() {
        return layers.stream().mapToLong(Layer::parameterCount).sum();
    }

    /** This network with the layers replaced (same loss); used to return trained parameters. */
    public Network withLayers(List<Layer> newLayers) {
        return new Network(newLayers, loss);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network && ((Network) o).layers.equals(layers) && ((Network) o).loss == loss;
    }

    @Override
    public int hashCode() {
        return Objects.hash(layers, loss);
    }

    @Override
    public String toString() {
        return shape() + " [" + layers.stream().map(l -> l.activation().id()).collect(Collectors.joining(",")) + "] " + loss;
    }

    /**
     * Builds a network layer by layer and initialises it from a seed.
     *
     * <p>Initialisation draws {@code w^l_ij} uniformly from {@code [−a, a]}, with
     * {@code a = √(6 / (n_{l-1} + n_l))} (Glorot) for identity, sigmoid, tanh and softplus, and
     * {@code a = √(6 / n_{l-1})} (He) for relu and leaky_relu; biases start at 0. The draws use
     * {@link SplittableRandom} and strict double arithmetic, so the same seed gives bit-identical
     * weights on every machine and backend.
     */
    public static final class Builder {
        private final int inputs;
        private final List<Integer> widths = new ArrayList<>();
        private final List<Activation> activations = new ArrayList<>();
        private Loss loss;

        private Builder(int inputs) {
            if (inputs < 1) {
                throw new IllegalArgumentException("inputs: expected at least 1, found " + inputs);
            }
            this.inputs = inputs;
        }

        /** Adds a layer of {@code outputs} units with activation {@code f}. */
        public Builder layer(int outputs, Activation f) {
            if (outputs < 1) {
                throw new IllegalArgumentException("layers[" + widths.size() + "].outputs: expected at least 1, found " + outputs);
            }
            widths.add(outputs);
            activations.add(Objects.requireNonNull(f, "activation"));
            return this;
        }

        /** The loss; unset, it is the one {@link #defaultLoss(List)} implies. */
        public Builder loss(Loss loss) {
            this.loss = Objects.requireNonNull(loss, "loss");
            return this;
        }

        /** The network, with weights drawn from {@code seed} as described above. */
        public Network build(long seed) {
            if (widths.isEmpty()) {
                throw new IllegalArgumentException("layers: expected at least 1 layer, found none");
            }
            SplittableRandom random = new SplittableRandom(seed);
            List<Layer> layers = new ArrayList<>();
            int fanIn = inputs;
            for (int l = 0; l < widths.size(); l++) {
                int fanOut = widths.get(l);
                Activation f = activations.get(l);
                double limit = initLimit(f, fanIn, fanOut);
                // checked before allocating: fanIn × fanOut in int would wrap for wide layers
                float[] w = new float[Sizes.elements("layers[" + l + "]: n_" + l + " × n_" + (l + 1) + " weights",
                        fanIn, fanOut)];
                for (int k = 0; k < w.length; k++) {
                    w[k] = (float) ((2.0 * random.nextDouble() - 1.0) * limit);
                }
                layers.add(new Layer(fanIn, fanOut, f, w, new float[fanOut]));
                fanIn = fanOut;
            }
            return loss == null ? new Network(layers) : new Network(layers, loss);
        }

        static double initLimit(Activation f, int fanIn, int fanOut) {
            switch (f) {
                case RELU:
                case LEAKY_RELU:
                    return Math.sqrt(6.0 / fanIn);
                // softmax logits, like every output that is not relu-like, get Glorot's limit
                default:
                    return Math.sqrt(6.0 / (fanIn + fanOut));
            }
        }
    }
}

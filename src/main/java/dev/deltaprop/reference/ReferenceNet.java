package dev.deltaprop.reference;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.model.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * A network's parameters in {@code double}, and one forward and backward pass over a batch
 * through the equations of {@link Reference}. Keeps {@code u}, {@code z} and {@code δ} of the
 * last pass, the gradients, and the optimizer's state ({@link OptimizerRules}: float32 values,
 * like the parameters).
 */
final class ReferenceNet {
    final int[] widths;
    final Activation[] activations;
    final Loss loss;
    /** {@code w[l]}: layer {@code l+1}'s weights, {@code n_l × n_{l+1}}. */
    final double[][] w;
    final double[][] bias;
    final double[][] weightGradient;
    final double[][] biasGradient;
    /** {@code weightState[l][slot]}: the optimizer's slot for {@code w[l]}, same layout; likewise {@code biasState}. */
    final double[][][] weightState;
    final double[][][] biasState;
    private double[][] u;
    private double[][] z;
    private double[][] delta;
    private int batch = -1;

    /** {@code network} with no optimizer state (plain sgd). */
    ReferenceNet(Network network) {
        this(network, OptimizerState.initial(network, Optimizer.Kind.SGD));
    }

    /** {@code network} with {@code state}, which must fit it ({@link OptimizerState#requireFits}). */
    ReferenceNet(Network network, OptimizerState state) {
        int depth = network.depth();
        widths = network.widths();
        loss = network.loss();
        activations = new Activation[depth];
        w = new double[depth][];
        bias = new double[depth][];
        weightGradient = new double[depth][];
        biasGradient = new double[depth][];
        int slots = state.kind().slots();
        weightState = new double[depth][slots][];
        biasState = new double[depth][slots][];
        for (int l = 0; l < depth; l++) {
            Layer layer = network.layer(l);
            activations[l] = layer.activation();
            w[l] = toDouble(layer.weights());
            bias[l] = toDouble(layer.bias());
            weightGradient[l] = new double[w[l].length];
            biasGradient[l] = new double[bias[l].length];
            for (int slot = 0; slot < slots; slot++) {
                weightState[l][slot] = toDouble(state.weights(l, slot));
                biasState[l][slot] = toDouble(state.bias(l, slot));
            }
        }
    }

    int depth() {
        return activations.length;
    }

    /** Forward pass over the batch; returns {@code z^L}, {@code batch × n_L} (owned by this object). */
    double[] forward(double[] x, int batch) {
        allocate(batch);
        z[0] = x;
        for (int l = 0; l < depth(); l++) {
            Reference.forward(w[l], bias[l], widths[l], widths[l + 1], activations[l], z[l], batch, u[l + 1], z[l + 1]);
        }
        return z[depth()];
    }

    /**
     * Forward pass, output δ, hidden δ from the top down, then the gradients; no update.
     *
     * @return the batch-mean loss {@code (1/B) Σ_b E_b}
     */
    double backpropagate(double[] x, double[] d, int batch) {
        int last = depth();
        forward(x, batch);
        double loss = deltaOutput(d, batch);
        for (int l = last - 1; l >= 1; l--) {
            Reference.deltaHidden(w[l], widths[l], widths[l + 1], delta[l + 1], u[l], z[l], activations[l - 1], batch,
                    delta[l]);
        }
        for (int l = 1; l <= last; l++) {
            Reference.gradient(z[l - 1], delta[l], batch, widths[l - 1], widths[l], weightGradient[l - 1],
                    biasGradient[l - 1]);
        }
        return loss / batch;
    }

    /**
     * {@code δ^L} and the summed loss of DESIGN §1b for this network's loss and output: squared
     * error, {@code (y − d) ⊙ f'(u)}; cross entropy (softmax or sigmoid), {@code y − d}, with
     * {@code E} from {@code u} in the stable form.
     */
    private double deltaOutput(double[] d, int batch) {
        int last = depth();
        int n = widths[last];
        Activation f = activations[last - 1];
        if (loss == Loss.SQUARED_ERROR) {
            return Reference.deltaOutput(z[last], d, u[last], f, batch, n, delta[last]);
        }
        Reference.deltaOutputCrossEntropy(z[last], d, batch, n, delta[last]);
        return f == Activation.SOFTMAX ? Reference.crossEntropySoftmax(u[last], d, batch, n)
                : Reference.crossEntropySigmoid(u[last], d, batch, n);
    }

    /**
     * Step {@code t} of {@code optimizer} on every weight and bias, from the gradients of the last
     * {@link #backpropagate} (left as they are) and the state, which it advances.
     */
    void update(Optimizer optimizer, long t, double learningRate) {
        for (int l = 0; l < depth(); l++) {
            OptimizerRules.step(optimizer, t, learningRate, w[l], weightGradient[l], weightState[l]);
            OptimizerRules.step(optimizer, t, learningRate, bias[l], biasGradient[l], biasState[l]);
        }
    }

    /** The batch-mean loss for the current parameters, without touching the gradients. */
    double loss(double[] x, double[] d, int batch) {
        forward(x, batch);
        return deltaOutput(d, batch) / batch;
    }

    /** The optimizer state as {@link OptimizerState} ({@code t = steps}), copied. */
    OptimizerState state(Optimizer.Kind kind, long steps) {
        float[][][] weights = new float[depth()][kind.slots()][];
        float[][][] biases = new float[depth()][kind.slots()][];
        for (int l = 0; l < depth(); l++) {
            for (int slot = 0; slot < kind.slots(); slot++) {
                weights[l][slot] = toFloat(weightState[l][slot]);
                biases[l][slot] = toFloat(biasState[l][slot]);
            }
        }
        return new OptimizerState(kind, steps, weights, biases);
    }

    Network toNetwork(Network like) {
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < depth(); l++) {
            layers.add(Checks.trainedLayer(like, l, toFloat(w[l]), toFloat(bias[l])));
        }
        return like.withLayers(layers);
    }

    private void allocate(int batch) {
        if (batch == this.batch) {
            return;
        }
        int depth = depth();
        u = new double[depth + 1][];
        z = new double[depth + 1][];
        delta = new double[depth + 1][];
        for (int l = 1; l <= depth; l++) {
            Sizes.elements("batch × n_" + l, batch, widths[l]); // every layer checked before any allocation
        }
        MemoryEstimate.requireHeap("reference: batch " + batch + " (u, z and δ of every layer, in double)",
                MemoryEstimate.bytes(MemoryEstimate.activations(widths, batch), Double.BYTES));
        for (int l = 1; l <= depth; l++) {
            u[l] = new double[batch * widths[l]];
            z[l] = new double[batch * widths[l]];
            delta[l] = new double[batch * widths[l]];
        }
        this.batch = batch;
    }

    static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k];
        }
        return out;
    }

    static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = (float) values[k];
        }
        return out;
    }
}

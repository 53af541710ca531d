package dev.deltaprop.reference;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * A network's parameters in {@code double}, and one forward and backward pass over a batch
 * through the equations of {@link Reference}. Keeps {@code u}, {@code z} and {@code δ} of the
 * last pass, and the gradients.
 */
final class ReferenceNet {
    final int[] widths;
    final Activation[] activations;
    /** {@code w[l]}: layer {@code l+1}'s weights, {@code n_l × n_{l+1}}. */
    final double[][] w;
    final double[][] bias;
    final double[][] weightGradient;
    final double[][] biasGradient;
    private double[][] u;
    private double[][] z;
    private double[][] delta;
    private int batch = -1;

    ReferenceNet(Network network) {
        int depth = network.depth();
        widths = network.widths();
        activations = new Activation[depth];
        w = new double[depth][];
        bias = new double[depth][];
        weightGradient = new double[depth][];
        biasGradient = new double[depth][];
        for (int l = 0; l < depth; l++) {
            Layer layer = network.layer(l);
            activations[l] = layer.activation();
            w[l] = toDouble(layer.weights());
            bias[l] = toDouble(layer.bias());
            weightGradient[l] = new double[w[l].length];
            biasGradient[l] = new double[bias[l].length];
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
        double[] y = forward(x, batch);
        double loss = Reference.deltaOutput(y, d, u[last], activations[last - 1], batch, widths[last], delta[last]);
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

    /** {@code w ← w − η ∂E/∂w} for every layer, from the gradients of the last {@link #backpropagate}. */
    void update(double learningRate) {
        for (int l = 0; l < depth(); l++) {
            Reference.update(w[l], weightGradient[l], learningRate);
            Reference.update(bias[l], biasGradient[l], learningRate);
        }
    }

    /** The batch-mean loss for the current parameters, without touching the gradients. */
    double loss(double[] x, double[] d, int batch) {
        double[] y = forward(x, batch);
        int n = widths[depth()];
        double sum = 0;
        for (int k = 0; k < batch * n; k++) {
            double error = y[k] - d[k];
            sum += 0.5 * error * error;
        }
        return sum / batch;
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

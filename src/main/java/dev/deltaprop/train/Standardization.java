package dev.deltaprop.train;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Per-column standardisation {@code x'_i = (x_i − μ_i)/σ_i}, {@code d'_j = (d_j − μ_j)/σ_j}, with
 * μ and σ measured on the training samples, and its folding into a trained network so that the
 * saved model reads and writes the data's own units.
 *
 * <p>Real measurements have very different scales (an age near 50, a cholesterol near 190, a
 * ratio near 4); SGD with one learning rate {@code η} for all of them then crawls along the small
 * ones. Standardised, every column has mean 0 and deviation 1. After training, the scaling moves
 * into the weights: for the first layer
 * {@code u_j = w_0j + Σ_i w_ij (x_i − μ_i)/σ_i = (w_0j − Σ_i w_ij μ_i/σ_i) + Σ_i (w_ij/σ_i) x_i},
 * and for an identity output {@code y_j = σ_j y'_j + μ_j}, i.e. {@code w^L_ij ← σ_j w^L_ij},
 * {@code w^L_0j ← σ_j w^L_0j + μ_j}. Immutable.
 */
public final class Standardization {
    /** A column whose deviation is below this is constant: it is only centred, not divided by ~0. */
    static final double CONSTANT = 1e-12;

    private final double[] inputMean;
    private final double[] inputDeviation;
    private final double[] teacherMean;
    private final double[] teacherDeviation;

    private Standardization(double[][] inputs, double[][] teachers) {
        this.inputMean = inputs[0];
        this.inputDeviation = inputs[1];
        this.teacherMean = teachers[0];
        this.teacherDeviation = teachers[1];
    }

    /**
     * Measures μ and σ (the population deviation) of every column.
     *
     * @param x       {@code samples × n_0} training inputs, batch-major
     * @param d       {@code samples × n_L} training teacher values, batch-major
     * @param samples at least 1
     * @return the scaling of these samples
     * @throws IllegalArgumentException naming the argument when the sizes do not agree
     */
    public static Standardization fit(float[] x, float[] d, int samples) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(d, "d");
        if (samples < 1 || x.length == 0 || d.length == 0 || x.length % samples != 0 || d.length % samples != 0) {
            throw new IllegalArgumentException("x, d: expected a whole, non-zero number of values per sample for "
                    + samples + " samples, found " + x.length + " and " + d.length);
        }
        return new Standardization(moments(x, samples, x.length / samples), moments(d, samples, d.length / samples));
    }

    private static double[][] moments(float[] values, int rows, int width) {
        double[][] moments = new double[2][width];
        for (int c = 0; c < width; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                sum += values[r * width + c];
            }
            double mean = sum / rows;
            double squares = 0;
            for (int r = 0; r < rows; r++) {
                double deviation = values[r * width + c] - mean;
                squares += deviation * deviation;
            }
            double deviation = Math.sqrt(squares / rows);
            moments[0][c] = mean;
            moments[1][c] = deviation < CONSTANT ? 1 : deviation;
        }
        return moments;
    }

    /**
     * @param x inputs in the data's units, batch-major, {@code n_0} per sample
     * @return a standardised copy
     */
    public float[] inputs(float[] x) {
        return apply(Objects.requireNonNull(x, "x"), inputMean, inputDeviation, "x");
    }

    /**
     * @param d teacher values in the data's units, batch-major, {@code n_L} per sample
     * @return a standardised copy
     */
    public float[] teachers(float[] d) {
        return apply(Objects.requireNonNull(d, "d"), teacherMean, teacherDeviation, "d");
    }

    private static float[] apply(float[] values, double[] mean, double[] deviation, String name) {
        if (values.length % mean.length != 0) {
            throw new IllegalArgumentException(name + ": expected a multiple of " + mean.length + " values, found "
                    + values.length);
        }
        float[] scaled = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            int c = k % mean.length;
            scaled[k] = (float) ((values[k] - mean[c]) / deviation[c]);
        }
        return scaled;
    }

    /**
     * The network that computes on the data's own units what {@code trained} computes on standardised ones.
     *
     * @param trained a network trained on {@link #inputs} and {@link #teachers}, with an identity output layer
     * @return the same function with the scaling folded into its first and last layers
     * @throws IllegalArgumentException naming the argument when the widths differ from the data's or the
     *                                  output activation is not the identity (whose inverse scaling is linear)
     */
    public Network fold(Network trained) {
        Objects.requireNonNull(trained, "trained");
        if (trained.inputs() != inputMean.length || trained.outputs() != teacherMean.length) {
            throw new IllegalArgumentException("trained: expected " + inputMean.length + " inputs and "
                    + teacherMean.length + " outputs like the data, found " + trained.shape());
        }
        Layer outputLayer = trained.layer(trained.depth() - 1);
        if (outputLayer.activation() != Activation.IDENTITY) {
            throw new IllegalArgumentException("trained: expected an identity output layer, into which the teacher's"
                    + " scaling folds, found " + outputLayer.activation().id());
        }
        List<Layer> layers = new ArrayList<>(trained.layers());
        layers.set(0, foldInputs(layers.get(0)));
        int last = layers.size() - 1;
        layers.set(last, foldOutputs(layers.get(last)));
        return trained.withLayers(layers);
    }

    /** {@code w_ij ← w_ij/σ_i}, {@code w_0j ← w_0j − Σ_i w_ij μ_i/σ_i}. */
    private Layer foldInputs(Layer first) {
        int n0 = first.inputs();
        int n1 = first.outputs();
        float[] weights = new float[n0 * n1];
        float[] bias = new float[n1];
        for (int j = 0; j < n1; j++) {
            double b = first.bias(j);
            for (int i = 0; i < n0; i++) {
                weights[i * n1 + j] = (float) (first.weight(i, j) / inputDeviation[i]);
                b -= first.weight(i, j) * inputMean[i] / inputDeviation[i];
            }
            bias[j] = (float) b;
        }
        return new Layer(n0, n1, first.activation(), weights, bias);
    }

    /** {@code w_ij ← σ_j w_ij}, {@code w_0j ← σ_j w_0j + μ_j}. */
    private Layer foldOutputs(Layer last) {
        int inputs = last.inputs();
        int outputs = last.outputs();
        float[] weights = new float[inputs * outputs];
        float[] bias = new float[outputs];
        for (int j = 0; j < outputs; j++) {
            for (int i = 0; i < inputs; i++) {
                weights[i * outputs + j] = (float) (teacherDeviation[j] * last.weight(i, j));
            }
            bias[j] = (float) (teacherDeviation[j] * last.bias(j) + teacherMean[j]);
        }
        return new Layer(inputs, outputs, last.activation(), weights, bias);
    }
}

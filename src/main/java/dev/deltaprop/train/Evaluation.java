package dev.deltaprop.train;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How well a network's outputs {@code y} ({@code N × n_L}, what {@code Backend.predict} returns)
 * match the teachers {@code d} ({@code N × n_L}, one-hot rows for a softmax classifier): the
 * {@link Classification} metrics for a classifier, the {@link Regression} metrics otherwise.
 *
 * <p>Which one follows from the network ({@link #kindOf(Network)}):
 * <ul>
 * <li>{@link Kind#CLASSES}: cross entropy with a softmax output, the class of a row is its argmax
 *     ({@code K = n_L}); or with a single sigmoid output, class 1 when {@code y ≥ 0.5}, else 0
 *     ({@code K = 2}). See {@link #classes(float[], int)}.</li>
 * <li>{@link Kind#BINARY_PER_OUTPUT}: cross entropy with several sigmoid outputs, each an
 *     independent yes/no ({@code y_j ≥ 0.5}), so each output gets its own 2-class metrics; no single
 *     class per sample is implied.</li>
 * <li>{@link Kind#REGRESSION}: squared error, whatever the output activation.</li>
 * </ul>
 * The same rule (argmax, or the 0.5 threshold for one output) turns the teachers into classes, so
 * one-hot or 0/1 teachers give the class they encode. Immutable.
 */
public final class Evaluation {
    /** The metrics an output layer calls for; see the class comment. */
    public enum Kind {
        /** One class per sample: the argmax of a softmax output, or a single sigmoid thresholded at 0.5. */
        CLASSES,
        /** Several sigmoid outputs, each a binary decision at 0.5 with its own 2-class metrics. */
        BINARY_PER_OUTPUT,
        /** MAE, RMSE and R² per output and overall. */
        REGRESSION
    }

    /** A sigmoid output at or above this is class 1. */
    public static final double THRESHOLD = 0.5;

    private final Kind kind;
    private final List<Classification> classifications;
    private final Regression regression;

    private Evaluation(Kind kind, List<Classification> classifications, Regression regression) {
        this.kind = kind;
        this.classifications = List.copyOf(classifications);
        this.regression = regression;
    }

    /**
     * The metrics {@code network} calls for ({@link #kindOf(Network)}).
     *
     * @param y {@code N × n_L} outputs of {@code network}
     * @param d {@code N × n_L} teachers
     * @throws IllegalArgumentException naming the array when the sizes disagree or a value is not finite
     */
    public static Evaluation of(Network network, float[] y, float[] d) {
        Objects.requireNonNull(network, "network");
        return of(kindOf(network), y, d, network.outputs());
    }

    /**
     * The metrics of {@code kind}, for a caller that knows better than the loss (a classifier trained
     * with squared error on one-hot rows, say).
     *
     * @throws IllegalArgumentException naming the array when the sizes disagree or a value is not
     *                                  finite, or for {@link Kind#BINARY_PER_OUTPUT} with one output
     */
    public static Evaluation of(Kind kind, float[] y, float[] d, int outputs) {
        Objects.requireNonNull(kind, "kind");
        switch (kind) {
            case CLASSES:
                return new Evaluation(kind, List.of(classify(y, d, outputs)), null);
            case BINARY_PER_OUTPUT:
                if (outputs < 2) {
                    throw new IllegalArgumentException("outputs: per-output binary metrics expect at least 2 outputs, found "
                            + outputs + "; with one output use CLASSES");
                }
                return new Evaluation(kind, List.of(perOutput(y, d, outputs)), null);
            default:
                return new Evaluation(kind, List.of(), Regression.of(y, d, outputs));
        }
    }

    /**
     * {@link Kind#CLASSES} for cross entropy with a softmax output or a single sigmoid output,
     * {@link Kind#BINARY_PER_OUTPUT} for cross entropy with several sigmoid outputs, and
     * {@link Kind#REGRESSION} for squared error.
     */
    public static Kind kindOf(Network network) {
        if (network.loss() != Loss.CROSS_ENTROPY) {
            return Kind.REGRESSION;
        }
        Activation output = network.layer(network.depth() - 1).activation();
        return output == Activation.SIGMOID && network.outputs() > 1 ? Kind.BINARY_PER_OUTPUT : Kind.CLASSES;
    }

    /**
     * The class of each row of {@code values} ({@code N × outputs}): with 2 or more outputs the
     * index of the largest value (the first on a tie); with 1 output, 1 when the value is at least
     * {@link #THRESHOLD}, else 0.
     *
     * @throws IllegalArgumentException naming the element when a value is NaN or infinite, or the length
     *                                  is not a positive multiple of {@code outputs}
     */
    public static int[] classes(float[] values, int outputs) {
        return classes("values", values, outputs);
    }

    private static int[] classes(String name, float[] values, int outputs) {
        Objects.requireNonNull(values, name);
        int samples = requireRows(name, values, outputs);
        requireFinite(name, values, outputs);
        int[] classes = new int[samples];
        for (int s = 0; s < samples; s++) {
            if (outputs == 1) {
                classes[s] = values[s] >= THRESHOLD ? 1 : 0;
                continue;
            }
            int best = 0;
            for (int j = 1; j < outputs; j++) {
                if (values[s * outputs + j] > values[s * outputs + best]) {
                    best = j;
                }
            }
            classes[s] = best;
        }
        return classes;
    }

    /**
     * The metrics of the classes of {@code y} against the classes of {@code d}, both by
     * {@link #classes(float[], int)}; {@code K = max(2, outputs)}.
     */
    public static Classification classify(float[] y, float[] d, int outputs) {
        requireShape(y, d, outputs);
        return Classification.of(classes("d", d, outputs), classes("y", y, outputs), Math.max(2, outputs));
    }

    /** For each output {@code j}, the 2-class metrics of {@code y_j ≥ 0.5} against {@code d_j ≥ 0.5}. */
    public static Classification[] perOutput(float[] y, float[] d, int outputs) {
        int samples = requireShape(y, d, outputs);
        Classification[] result = new Classification[outputs];
        for (int j = 0; j < outputs; j++) {
            float[] yj = new float[samples];
            float[] dj = new float[samples];
            for (int s = 0; s < samples; s++) {
                yj[s] = y[s * outputs + j];
                dj[s] = d[s * outputs + j];
            }
            result[j] = classify(yj, dj, 1);
        }
        return result;
    }

    /** @return which metrics these are */
    public Kind kind() {
        return kind;
    }

    /**
     * @return for {@link Kind#CLASSES} the one classification, for {@link Kind#BINARY_PER_OUTPUT} one per
     *         output in order; empty for {@link Kind#REGRESSION}
     */
    public List<Classification> classifications() {
        return classifications;
    }

    /** @return the regression metrics, or {@code null} unless {@link Kind#REGRESSION} */
    public Regression regression() {
        return regression;
    }

    /** The report {@code deltaprop evaluate} prints. */
    @Override
    public String toString() {
        switch (kind) {
            case CLASSES:
                return classifications.get(0).toString();
            case BINARY_PER_OUTPUT:
                List<String> parts = new ArrayList<>();
                for (int j = 0; j < classifications.size(); j++) {
                    parts.add("output " + j + " (class 1 when y ≥ 0.5)\n" + classifications.get(j));
                }
                return String.join("\n\n", parts);
            default:
                return regression.toString();
        }
    }

    /** @return {@code N}, after checking that {@code y} and {@code d} are both {@code N × outputs} */
    static int requireShape(float[] y, float[] d, int outputs) {
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(d, "d");
        int samples = requireRows("y", y, outputs);
        if (d.length != y.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "d: expected %d values (%d samples × %d outputs, as y), found %d", y.length, samples, outputs, d.length));
        }
        return samples;
    }

    private static int requireRows(String name, float[] values, int outputs) {
        if (outputs < 1) {
            throw new IllegalArgumentException("outputs: expected at least 1, found " + outputs);
        }
        if (values.length == 0 || values.length % outputs != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: expected a positive multiple of %d values (samples × outputs), found %d", name, outputs, values.length));
        }
        return values.length / outputs;
    }

    static void requireFinite(String name, float[] values, int outputs) {
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s[%d] (sample %d, output %d): expected a finite number, found %s", name, k, k / outputs,
                        k % outputs, values[k]));
            }
        }
    }
}

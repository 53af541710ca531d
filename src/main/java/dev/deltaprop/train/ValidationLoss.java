package dev.deltaprop.train;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Measures the loss on held-out samples after every epoch: the mean per sample of the network's
 * loss {@code E} (DESIGN §1b: {@code ½ Σ_j (y_j − d_j)²}, or cross entropy), the same quantity as
 * {@link EpochSummary#loss()}, but with the parameters at the end of the epoch and on samples that
 * no step has seen. Which loss, and the output activation it is paired with, are read from the
 * backend's network at the first measurement. For a classifier ({@link Evaluation#kindOf} is
 * {@link Evaluation.Kind#CLASSES}: cross entropy with a softmax output, or one sigmoid output) the
 * same pass also measures the accuracy, the share of samples whose class
 * ({@link Evaluation#classes}: the argmax, or {@code y ≥ 0.5}) is the teacher's; for any other
 * network {@link #lastAccuracy()} is NaN. Give it the training samples instead of held-out ones
 * to follow the training accuracy with the parameters at the end of each epoch.
 *
 * <p>Add it to the {@link Trainer} <em>before</em> a listener that shows it (listeners run in the
 * order they were added), give it the backend that trains, and read {@link #last()} or
 * {@link #losses()}. The outputs {@code y} come from {@link Backend#predict}, in chunks, so only
 * the outputs travel back from a device.
 */
public final class ValidationLoss implements TrainingListener {
    /** Samples per {@link Backend#predict} call, so that a large held-out set needs no huge batch. */
    static final int CHUNK = 4096;

    private final Backend backend;
    private final float[] x;
    private final float[] d;
    private final int samples;
    private final List<Double> losses = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> accuracies = Collections.synchronizedList(new ArrayList<>());
    private Loss loss;
    private Activation output;
    private boolean classifier;
    private double accuracy = Double.NaN;

    /**
     * @param backend the backend the {@link Trainer} trains on
     * @param x       {@code samples × n_0} held-out inputs, batch-major
     * @param d       {@code samples × n_L} held-out teacher values, batch-major, finite
     * @param samples {@code V}, at least 1
     * @throws IllegalArgumentException naming the argument when the sizes do not agree or a value is not finite
     */
    public ValidationLoss(Backend backend, float[] x, float[] d, int samples) {
        this.backend = Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(d, "d");
        if (samples < 1) {
            throw new IllegalArgumentException("samples: expected at least 1 held-out sample, found " + samples);
        }
        if (x.length % samples != 0 || d.length % samples != 0 || x.length == 0 || d.length == 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "x, d: expected a whole number of values per sample for %d samples, found %d and %d values",
                    samples, x.length, d.length));
        }
        finite("x", x);
        finite("d", d);
        this.x = x.clone();
        this.d = d.clone();
        this.samples = samples;
    }

    private static void finite(String name, float[] values) {
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new IllegalArgumentException(name + ": expected finite values, found " + values[k] + " at index " + k);
            }
        }
    }

    /**
     * As {@link #ValidationLoss(Backend, float[], float[], int)}, on the held-out part of a split.
     *
     * @param backend the backend the {@link Trainer} trains on
     * @param split   whose {@link HeldOut#validationX()} and {@link HeldOut#validationD()} are measured
     */
    public ValidationLoss(Backend backend, HeldOut split) {
        this(backend, split.validationX(), split.validationD(), split.validationSamples());
    }

    @Override
    public void epochEnded(EpochSummary summary) {
        double measured = measure();
        synchronized (losses) {
            losses.add(measured);
            accuracies.add(accuracy);
        }
    }

    /**
     * The held-out loss with the backend's current parameters, {@code (1/V) Σ_s E_s}, accumulated in
     * double from the outputs {@code y}: {@code ½ Σ_j (y_j − d_j)²}, {@code −Σ_j d_j log y_j} (softmax), or
     * {@code −Σ_j [d_j log y_j + (1 − d_j) log(1 − y_j)]} (sigmoid), with {@code y} kept at least
     * {@link Float#MIN_NORMAL} inside a logarithm so that an output rounded to 0 gives a large finite loss.
     *
     * @return the mean loss per held-out sample
     */
    public double measure() {
        if (loss == null) {
            Network network = backend.network();
            loss = network.loss();
            output = network.layer(network.depth() - 1).activation();
            classifier = Evaluation.kindOf(network) == Evaluation.Kind.CLASSES;
        }
        int inputs = x.length / samples;
        int outputs = d.length / samples;
        double sum = 0;
        long correct = 0;
        for (int start = 0; start < samples; start += CHUNK) {
            int rows = Math.min(CHUNK, samples - start);
            float[] y = backend.predict(Arrays.copyOfRange(x, start * inputs, (start + rows) * inputs), rows);
            float[] teachers = Arrays.copyOfRange(d, start * outputs, (start + rows) * outputs);
            for (int k = 0; k < rows * outputs; k++) {
                sum += loss(y[k], teachers[k]);
            }
            if (classifier && Double.isFinite(sum)) {
                int[] predicted = Evaluation.classes(y, outputs);
                int[] actual = Evaluation.classes(teachers, outputs);
                for (int s = 0; s < rows; s++) {
                    correct += predicted[s] == actual[s] ? 1 : 0;
                }
            }
        }
        accuracy = classifier && Double.isFinite(sum) ? (double) correct / samples : Double.NaN;
        return sum / samples;
    }

    /** One output's share of {@code E}. */
    private double loss(double y, double d) {
        if (loss == Loss.SQUARED_ERROR) {
            return 0.5 * (y - d) * (y - d);
        }
        if (output == Activation.SOFTMAX) {
            return d == 0 ? 0 : -d * Math.log(Math.max(y, Float.MIN_NORMAL));
        }
        return -(d * Math.log(Math.max(y, Float.MIN_NORMAL)) + (1 - d) * Math.log(Math.max(1 - y, Float.MIN_NORMAL)));
    }

    /** @return the held-out loss after each epoch so far, in order */
    public List<Double> losses() {
        synchronized (losses) {
            return List.copyOf(losses);
        }
    }

    /**
     * The accuracy with the backend's current parameters (one {@link #measure()}), not recorded.
     *
     * @return the share of samples classified right, or NaN for a network that is not a classifier
     */
    public double measureAccuracy() {
        measure();
        return accuracy;
    }

    /** @return the accuracy after each epoch so far, in order (NaN for a network that is not a classifier) */
    public List<Double> accuracies() {
        synchronized (losses) {
            return List.copyOf(accuracies);
        }
    }

    /**
     * @return the accuracy after the last epoch, or NaN before the first has ended or for a network
     *         that is not a classifier
     */
    public double lastAccuracy() {
        synchronized (losses) {
            return accuracies.isEmpty() ? Double.NaN : accuracies.get(accuracies.size() - 1);
        }
    }

    /** @return the held-out loss after the last epoch, or NaN before the first has ended */
    public double last() {
        synchronized (losses) {
            return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
        }
    }
}

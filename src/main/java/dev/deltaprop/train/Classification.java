package dev.deltaprop.train;

import java.util.Locale;
import java.util.Objects;

/**
 * The classification metrics of {@code N} samples over {@code K} classes, from the confusion
 * matrix {@code C[a][p]} = the number of samples of actual class {@code a} that were predicted as
 * class {@code p}:
 *
 * <ul>
 * <li>accuracy {@code = Σ_c C[c][c] / N};</li>
 * <li>precision of class {@code c} {@code = C[c][c] / Σ_a C[a][c]} (of the samples predicted as
 *     {@code c}, the share that are {@code c});</li>
 * <li>recall of class {@code c} {@code = C[c][c] / Σ_p C[c][p]} (of the samples that are {@code c},
 *     the share predicted as {@code c}).</li>
 * </ul>
 *
 * <p>A ratio whose denominator is 0 is undefined and reported as {@code NaN}, never as 0: a class
 * that is never predicted has no precision, a class that never occurs has no recall. Printing
 * shows such a value as {@code n/a}. Immutable.
 */
public final class Classification {
    private final long[][] confusion;
    private final long samples;

    private Classification(long[][] confusion, long samples) {
        this.confusion = confusion;
        this.samples = samples;
    }

    /**
     * Counts the pairs {@code (actual[s], predicted[s])}.
     *
     * @param actual    the true class of each sample, {@code 0..classes−1}
     * @param predicted the predicted class of each sample, {@code 0..classes−1}, as many as {@code actual}
     * @param classes   {@code K}, at least 2
     * @throws IllegalArgumentException naming the array and the sample when the lengths differ, there
     *                                  are no samples, or a class is outside {@code 0..K−1}
     */
    public static Classification of(int[] actual, int[] predicted, int classes) {
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(predicted, "predicted");
        if (classes < 2) {
            throw new IllegalArgumentException("classes: expected at least 2, found " + classes);
        }
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException("predicted: expected " + actual.length + " classes (one per sample of actual), found "
                    + predicted.length);
        }
        if (actual.length == 0) {
            throw new IllegalArgumentException("actual: expected at least 1 sample, found none");
        }
        long[][] confusion = new long[classes][classes];
        for (int s = 0; s < actual.length; s++) {
            requireClass("actual", s, actual[s], classes);
            requireClass("predicted", s, predicted[s], classes);
            confusion[actual[s]][predicted[s]]++;
        }
        return new Classification(confusion, actual.length);
    }

    private static void requireClass(String name, int s, int c, int classes) {
        if (c < 0 || c >= classes) {
            throw new IllegalArgumentException(name + "[" + s + "]: expected a class in 0.." + (classes - 1) + ", found " + c);
        }
    }

    /** @return {@code K} */
    public int classes() {
        return confusion.length;
    }

    /** @return {@code N} */
    public long samples() {
        return samples;
    }

    /** @return {@code C[actual][predicted]} */
    public long count(int actual, int predicted) {
        return confusion[actual][predicted];
    }

    /** @return a copy of {@code C}, rows the actual class, columns the predicted class */
    public long[][] confusion() {
        long[][] copy = new long[confusion.length][];
        for (int a = 0; a < confusion.length; a++) {
            copy[a] = confusion[a].clone();
        }
        return copy;
    }

    /** @return the samples predicted correctly, {@code Σ_c C[c][c]} */
    public long correct() {
        long correct = 0;
        for (int c = 0; c < confusion.length; c++) {
            correct += confusion[c][c];
        }
        return correct;
    }

    /** @return {@code Σ_c C[c][c] / N}, in {@code [0, 1]} */
    public double accuracy() {
        return (double) correct() / samples;
    }

    /** @return {@code C[c][c] / Σ_a C[a][c]}, or {@code NaN} when class {@code c} is never predicted */
    public double precision(int c) {
        long predictedAsC = 0;
        for (long[] row : confusion) {
            predictedAsC += row[c];
        }
        return predictedAsC == 0 ? Double.NaN : (double) confusion[c][c] / predictedAsC;
    }

    /** @return {@code C[c][c] / Σ_p C[c][p]}, or {@code NaN} when class {@code c} never occurs */
    public double recall(int c) {
        long actuallyC = 0;
        for (long n : confusion[c]) {
            actuallyC += n;
        }
        return actuallyC == 0 ? Double.NaN : (double) confusion[c][c] / actuallyC;
    }

    /** @return the samples whose actual class is {@code c}, {@code Σ_p C[c][p]} */
    public long support(int c) {
        long actuallyC = 0;
        for (long n : confusion[c]) {
            actuallyC += n;
        }
        return actuallyC;
    }

    /**
     * The confusion matrix as text: one row per actual class, one column per predicted class,
     * each headed by its class index.
     */
    public String confusionTable() {
        int width = Math.max(Long.toString(samples).length(), Integer.toString(classes() - 1).length()) + 1;
        String label = "actual\\predicted";
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%" + label.length() + "s", label));
        for (int p = 0; p < classes(); p++) {
            s.append(String.format(Locale.ROOT, "%" + width + "d", p));
        }
        for (int a = 0; a < classes(); a++) {
            s.append('\n').append(String.format(Locale.ROOT, "%" + label.length() + "d", a));
            for (int p = 0; p < classes(); p++) {
                s.append(String.format(Locale.ROOT, "%" + width + "d", confusion[a][p]));
            }
        }
        return s.toString();
    }

    /** Per class: precision, recall and support, as text; undefined values are shown as {@code n/a}. */
    public String perClassTable() {
        StringBuilder s = new StringBuilder("class  precision  recall  support");
        for (int c = 0; c < classes(); c++) {
            s.append(String.format(Locale.ROOT, "\n%5d  %9s  %6s  %7d", c, ratio(precision(c)), ratio(recall(c)), support(c)));
        }
        return s.toString();
    }

    static String ratio(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.4f", value);
    }

    /** Accuracy, the confusion matrix and the per-class table, as {@code evaluate} prints them. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "accuracy %.4f (%d of %d)\n", accuracy(), correct(), samples)
                + "confusion matrix (rows: actual class, columns: predicted class)\n" + confusionTable() + "\n"
                + perClassTable();
    }
}

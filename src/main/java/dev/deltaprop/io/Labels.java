package dev.deltaprop.io;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.util.Objects;

/**
 * Class labels in data files. With a {@link Activation#SOFTMAX} output of {@code K = n_L} units, a
 * data file's teacher part may be one column of class indices {@code c ∈ {0, …, K−1}} instead of
 * {@code K} columns: each index becomes the one-hot row {@code d_j = 1} for {@code j = c}, else 0,
 * because backends always receive {@code batch × n_L} teachers (DESIGN §1b). A teacher part of
 * {@code K} columns is taken as it is (one-hot rows, or probabilities). Since softmax needs
 * {@code K ≥ 2}, the two layouts never have the same width.
 *
 * <p>An index must be a whole number in {@code 0..K−1}, written as an integer or as a float with no
 * fraction ({@code 3} or {@code 3.0}); anything else is a {@link DataFormatException} naming the
 * place (the file with its line and column, or its row) and the expected range.
 */
public final class Labels {
    private Labels() {
    }

    /**
     * @return {@code K = n_L} when {@code network} has a softmax output, so that a one-column teacher
     *         part holds class indices; 0 otherwise (teachers are read as values)
     */
    public static int classes(Network network) {
        Objects.requireNonNull(network, "network");
        return network.layer(network.depth() - 1).activation() == Activation.SOFTMAX ? network.outputs() : 0;
    }

    /**
     * Checks that {@code value} is a class index and returns it.
     *
     * @param value   the number read
     * @param classes {@code K}
     * @param place   where it was read, for the message (e.g. {@code "digits.csv line 3, column 65"})
     * @param text    the value as written in the file, for the message
     * @throws DataFormatException naming {@code place} when {@code value} is not a whole number in {@code 0..K−1}
     */
    public static int index(double value, int classes, String place, String text) throws DataFormatException {
        if (!(value >= 0 && value <= classes - 1 && value == Math.rint(value))) {
            throw new DataFormatException(place + ": expected a class index, a whole number 0.." + (classes - 1)
                    + " (the one teacher column for a softmax output of " + classes + " units), found '" + text + "'");
        }
        return (int) value;
    }

    /**
     * The one-hot rows of a column of class indices.
     *
     * @param column  {@code N} class indices, as read from a file
     * @param classes {@code K}, at least 2
     * @param name    the file, for messages: an error names its row ({@code name row r}, 1-based)
     * @return {@code N × K} teachers, row {@code s} all 0 but {@code d_{s, column[s]} = 1}
     * @throws DataFormatException naming the row when an entry is not a class index
     */
    public static float[] oneHot(float[] column, int classes, String name) throws DataFormatException {
        Objects.requireNonNull(column, "column");
        if (classes < 2) {
            throw new IllegalArgumentException("classes: expected at least 2 (a softmax output), found " + classes);
        }
        if ((long) column.length * classes > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(name + ": " + column.length + " samples × " + classes
                    + " classes is more one-hot values than a Java array holds");
        }
        float[] d = new float[column.length * classes];
        for (int s = 0; s < column.length; s++) {
            d[s * classes + index(column[s], classes, name + " row " + (s + 1), text(column[s]))] = 1;
        }
        return d;
    }

    /** A whole number without {@code .0}, so a message shows {@code 12} as the file had it. */
    static String text(float value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Float.toString(value);
    }
}

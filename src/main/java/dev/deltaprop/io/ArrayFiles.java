package dev.deltaprop.io;

import dev.deltaprop.model.Network;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Samples from array files, the inputs {@code x} and the teachers {@code d} in two files, each a
 * NumPy {@code .npy} file ({@link NpyReader}, by its name ending in {@code .npy}) or else an IDX
 * file, plain or gzip-compressed ({@link IdxReader}: MNIST's {@code train-images-idx3-ubyte.gz}).
 * The two formats may be mixed. IDX unsigned bytes are read as {@code value / 255} in {@code x}
 * and as their values in {@code d} (labels).
 *
 * <p>{@code x} has shape {@code (N, n_0)} ({@code (N,)} when {@code n_0 = 1}; an IDX image array
 * {@code (N, 28, 28)} counts as {@code (N, 784)}); {@code d} has shape {@code (N, n_L)}
 * ({@code (N,)} when {@code n_L = 1}), or, for a softmax output ({@link Labels}), {@code (N,)} or
 * {@code (N, 1)} holding class indices that become one-hot rows.
 */
public final class ArrayFiles {
    private ArrayFiles() {
    }

    /**
     * Reads one array file by its name: {@code .npy} as NumPy, anything else as IDX.
     *
     * @param file   the file
     * @param inputs whether the array is inputs, so that IDX unsigned bytes are scaled by {@code 1/255}
     * @throws DataFormatException naming the file when it is not an array this package reads
     * @throws IOException         when it cannot be read
     */
    public static NpyArray read(Path file, boolean inputs) throws IOException {
        return isNpy(file) ? NpyReader.read(file) : IdxReader.read(file, inputs);
    }

    /** Whether {@link #read} reads {@code file} as NumPy: its name ends in {@code .npy} (any case). */
    public static boolean isNpy(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }

    /**
     * Reads training samples for {@code network}: class indices in {@code d} when its output is softmax.
     *
     * @throws DataFormatException naming the file (and the row) when a shape does not fit, a value is not
     *                             finite, or a label is not a class index
     * @throws IOException         when a file cannot be read
     */
    public static DataTable readTable(Path x, Path d, Network network) throws IOException {
        return readTable(x, d, network.inputs(), network.outputs(), Labels.classes(network));
    }

    /**
     * Reads training samples.
     *
     * @param inputs  {@code n_0}
     * @param outputs {@code n_L}
     * @param classes {@code K = n_L} when a one-column {@code d} holds class indices (a softmax output),
     *                else 0
     * @throws DataFormatException naming the file (and the row) when a shape does not fit, a value is not
     *                             finite, or a label is not a class index
     * @throws IOException         when a file cannot be read
     */
    public static DataTable readTable(Path x, Path d, int inputs, int outputs, int classes) throws IOException {
        positive(inputs, outputs);
        return table(read(x, true), x, read(d, false), d, inputs, outputs, classes);
    }

    /**
     * Reads inputs for prediction: {@code x} of shape {@code (N, inputs)}, or {@code (N,)} when {@code inputs = 1}.
     *
     * @throws DataFormatException naming the file when the shape does not fit or a value is not finite
     * @throws IOException         when the file cannot be read
     */
    public static DataTable readInputs(Path x, int inputs) throws IOException {
        positive(inputs, 1);
        NpyArray xs = read(x, true);
        fits(xs, x, "x", inputs);
        return new DataTable(finite(xs, x), new float[0], xs.rows(), inputs, 0);
    }

    /** The table of two arrays read already, checked against the network's widths. */
    static DataTable table(NpyArray xs, Path x, NpyArray ds, Path d, int inputs, int outputs, int classes)
            throws DataFormatException {
        if (classes != 0 && classes != outputs) {
            throw new IllegalArgumentException("classes: expected 0 or the outputs (" + outputs + "), found " + classes);
        }
        fits(xs, x, "x", inputs);
        float[] teachers;
        if (classes > 0 && ds.columns() == 1) {
            teachers = Labels.oneHot(ds.values(), classes, d.toString());
        } else {
            if (classes > 0 && ds.columns() != outputs) {
                throw new DataFormatException(d + ": expected class indices of shape (N,) or (N, 1), or d of shape (N, "
                        + outputs + "), to fit the softmax output of " + outputs + " units, found " + ds.shapeText());
            }
            fits(ds, d, "d", outputs);
            teachers = finite(ds, d);
        }
        if (xs.rows() != ds.rows()) {
            throw new DataFormatException(d + ": expected " + xs.rows() + " rows, one per sample of " + x
                    + ", found " + ds.rows());
        }
        return new DataTable(finite(xs, x), teachers, xs.rows(), inputs, outputs);
    }

    static void positive(int inputs, int outputs) {
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException("inputs, outputs: expected at least 1 each, found " + inputs + ", "
                    + outputs);
        }
    }

    static void fits(NpyArray array, Path file, String role, int width) throws DataFormatException {
        boolean fits = array.columns() == width && (array.dimensions() == 2 || width == 1);
        if (!fits) {
            throw new DataFormatException(file + ": expected " + role + " of shape (N, " + width + ")"
                    + (width == 1 ? " or (N,)" : "") + " to fit the network, found " + array.shapeText());
        }
        if (array.rows() < 1) {
            throw new DataFormatException(file + ": expected at least 1 sample, found shape " + array.shapeText());
        }
    }

    static float[] finite(NpyArray array, Path file) throws DataFormatException {
        float[] values = array.values();
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new DataFormatException(file + " row " + (k / array.columns() + 1) + ", column "
                        + (k % array.columns() + 1) + ": expected a finite number, found " + values[k]);
            }
        }
        return values;
    }
}

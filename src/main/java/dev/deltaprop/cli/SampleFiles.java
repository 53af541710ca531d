package dev.deltaprop.cli;

import dev.deltaprop.io.ArrayFiles;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where {@code train} and {@code evaluate} read their samples: one CSV file ({@code --data}), or
 * two array files ({@code --x X --d D}), each NumPy {@code .npy} as a Python user has them or IDX
 * (MNIST's {@code train-images-idx3-ubyte.gz}). For a softmax output the teacher part may be one
 * column of class indices ({@link dev.deltaprop.io.Labels}). A picocli mixin, so the options read
 * the same wherever they are used.
 */
final class SampleFiles {
    @Option(names = "--data", paramLabel = "F.csv",
            description = "Samples: one a row, the first n_0 columns are x, the rest d (for a softmax output,"
                    + " n_L columns or one column of class indices 0..n_L-1).")
    Path csv;

    @Option(names = "--x", paramLabel = "X.npy",
            description = "Instead of --data: the inputs, shape (N, n_0): a NumPy .npy file (float or integer), or"
                    + " else an IDX file, optionally .gz (unsigned bytes read as value/255, images flattened).")
    Path x;

    @Option(names = "--d", paramLabel = "D.npy",
            description = "With --x: the teacher values, shape (N, n_L) (or (N,) when n_L = 1; for a softmax"
                    + " output (N,) class indices), .npy or IDX like --x.")
    Path d;

    /** The samples, checked against {@code network}'s {@code n_0} and {@code n_L} (class indices for softmax). */
    DataTable read(Network network) throws IOException {
        if (csv != null && (x != null || d != null)) {
            throw new IllegalArgumentException("--data or --x/--d: expected one source of samples, found both");
        }
        if (csv != null) {
            return CsvReader.read(csv, network);
        }
        if (x == null || d == null) {
            throw new IllegalArgumentException("--data F.csv or --x X.npy --d D.npy: expected one of them, found "
                    + (x == null && d == null ? "neither" : x == null ? "--d without --x" : "--x without --d"));
        }
        return ArrayFiles.readTable(x, d, network);
    }

    /** The file names, for the run's description. */
    String describe() {
        return csv != null ? csv.toString() : x + " and " + d;
    }
}

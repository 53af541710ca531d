package dev.deltaprop.cli;

import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.NpyReader;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where {@code train} reads its samples: one CSV file ({@code --data}), or two NumPy files
 * ({@code --x X.npy --d D.npy}) as a Python user has them. A picocli mixin, so the options read
 * the same wherever they are used.
 */
final class SampleFiles {
    @Option(names = "--data", paramLabel = "F.csv",
            description = "Training samples: one a row, the first n_0 columns are x, the rest d.")
    Path csv;

    @Option(names = "--x", paramLabel = "X.npy",
            description = "Instead of --data: the inputs, a NumPy float32/float64 array of shape (N, n_0).")
    Path x;

    @Option(names = "--d", paramLabel = "D.npy",
            description = "With --x: the teacher values, shape (N, n_L) (or (N,) when n_L = 1).")
    Path d;

    /** The samples, checked against the network's {@code n_0} and {@code n_L}. */
    DataTable read(int inputs, int outputs) throws IOException {
        if (csv != null && (x != null || d != null)) {
            throw new IllegalArgumentException("--data or --x/--d: expected one source of samples, found both");
        }
        if (csv != null) {
            return CsvReader.read(csv, inputs, outputs);
        }
        if (x == null || d == null) {
            throw new IllegalArgumentException("--data F.csv or --x X.npy --d D.npy: expected one of them, found "
                    + (x == null && d == null ? "neither" : x == null ? "--d without --x" : "--x without --d"));
        }
        return NpyReader.readTable(x, d, inputs, outputs);
    }

    /** The file names, for the run's description. */
    String describe() {
        return csv != null ? csv.toString() : x + " and " + d;
    }
}

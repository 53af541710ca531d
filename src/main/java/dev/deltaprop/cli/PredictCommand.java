package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.CsvWriter;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.io.NpyArray;
import dev.deltaprop.io.NpyReader;
import dev.deltaprop.io.NpyWriter;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deltaprop predict}: the outputs of a model for every row of a CSV file or NumPy array, as
 * CSV on standard output or as a NumPy file ({@code --output Y.npy}).
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Writes the model's outputs y1..yN for every row of a CSV file, as CSV on standard output.")
final class PredictCommand implements Callable<Integer> {
    /** Rows per call to the backend, so that a large file does not need one huge batch. */
    static final int CHUNK = 4096;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.json", description = "The model file: deltaprop JSON, or ONNX (*.onnx).")
    Path model;

    @Option(names = "--data", paramLabel = "F.csv",
            description = "Rows of n_0 inputs (teacher columns after them are ignored).")
    Path data;

    @Option(names = "--x", paramLabel = "X.npy",
            description = "Instead of --data: the inputs as a NumPy array of shape (N, n_0).")
    Path x;

    @Option(names = "--output", paramLabel = "Y.npy",
            description = "Write the outputs to this NumPy file, shape (N, n_L) float32, instead of CSV on standard output.")
    Path output;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME", description = "Backend (default auto).")
    String backend;

    @Override
    public Integer call() throws Exception {
        if (output != null && !output.toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            throw new IllegalArgumentException("--output: expected a file name ending in .npy, found " + output
                    + " (CSV goes to standard output without --output)");
        }
        if ((data == null) == (x == null)) {
            throw new IllegalArgumentException("--data F.csv or --x X.npy: expected one of them, found "
                    + (data == null ? "neither" : "both"));
        }
        new OutputFiles().input("--model", model).input("--data", data).input("--x", x).output("--output", output)
                .check();
        Network network = ModelFiles.read(model);
        DataTable table = data != null ? CsvReader.readInputs(data, network.inputs(), network.outputs())
                : NpyReader.readInputs(x, network.inputs());
        float[] inputs = table.x();
        int n0 = network.inputs();
        int nL = network.outputs();
        float[] y = new float[Sizes.elements("outputs: rows × n_L", table.samples(), nL)];
        try (Backend chosen = Backends.open(backend)) {
            chosen.load(network);
            for (int start = 0; start < table.samples(); start += CHUNK) {
                int rows = Math.min(CHUNK, table.samples() - start);
                float[] chunk = Arrays.copyOfRange(inputs, start * n0, (start + rows) * n0);
                System.arraycopy(chosen.predict(chunk, rows), 0, y, start * nL, rows * nL);
            }
        }
        // deltaprop refuses NaN and ∞ in the data it reads: it does not write them either
        for (int k = 0; k < y.length; k++) {
            if (!Float.isFinite(y[k])) {
                throw new IllegalStateException("output y" + (k % nL + 1) + " of row " + (k / nL + 1) + " of "
                        + (data != null ? "--data " + data : "--x " + x) + " is " + y[k] + ": the model overflows float32"
                        + " for that input; nothing was written");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output != null) {
            NpyWriter.write(output, new NpyArray(y, table.samples(), nL));
            out.printf(Locale.ROOT, "wrote %s: %d × %d float32%n", output, table.samples(), nL);
        } else {
            out.println(CsvWriter.header("y", nL));
            CsvWriter.rows(out, y, nL);
        }
        out.flush();
        return 0;
    }
}

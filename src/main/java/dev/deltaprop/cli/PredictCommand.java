package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.ArrayFiles;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.CsvWriter;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.io.NpyArray;
import dev.deltaprop.io.NpyWriter;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Sizes;
import dev.deltaprop.train.Evaluation;
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
 * {@code deltaprop predict}: the outputs of a model for every row of a CSV file or array file
 * (NumPy or IDX), as CSV on standard output or as a NumPy file ({@code --output Y.npy}); with
 * {@code --classes}, the class of each row instead ({@link #classes}).
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Writes the model's outputs y1..yN (or with --classes the class) for every row of a CSV file,"
                + " as CSV on standard output.")
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
            description = "Instead of --data: the inputs, shape (N, n_0), a NumPy .npy file or else an IDX file"
                    + " (optionally .gz; unsigned bytes read as value/255).")
    Path x;

    @Option(names = "--output", paramLabel = "Y.npy",
            description = "Write the outputs to this NumPy file, shape (N, n_L) float32 (with --classes int32),"
                    + " instead of CSV on standard output.")
    Path output;

    @Option(names = "--classes",
            description = "Write the class of each row instead of y: the index of the largest output (one column,"
                    + " 'class'); with one output 1 when y >= 0.5, else 0; for a cross_entropy model with several"
                    + " sigmoid outputs, one 0/1 column per output.")
    boolean classes;

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
        DataTable table = data != null ? CsvReader.readInputs(data, network) : ArrayFiles.readInputs(x, network.inputs());
        int nL = network.outputs();
        float[] y;
        try (Backend chosen = Backends.open(backend)) {
            y = outputs(chosen, network, table.x(), table.samples());
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
        if (classes) {
            writeClasses(out, network, y, table.samples());
        } else if (output != null) {
            NpyWriter.write(output, new NpyArray(y, table.samples(), nL));
            out.printf(Locale.ROOT, "wrote %s: %d × %d float32%n", output, table.samples(), nL);
        } else {
            out.println(CsvWriter.header("y", nL));
            CsvWriter.rows(out, y, nL);
        }
        out.flush();
        return 0;
    }

    /** {@code y} for {@code samples} rows of {@code x}, predicted {@link #CHUNK} rows at a time on {@code backend}. */
    static float[] outputs(Backend backend, Network network, float[] x, int samples) {
        int n0 = network.inputs();
        int nL = network.outputs();
        float[] y = new float[Sizes.elements("outputs: rows × n_L", samples, nL)];
        backend.load(network);
        for (int start = 0; start < samples; start += CHUNK) {
            int rows = Math.min(CHUNK, samples - start);
            float[] chunk = Arrays.copyOfRange(x, start * n0, (start + rows) * n0);
            System.arraycopy(backend.predict(chunk, rows), 0, y, start * nL, rows * nL);
        }
        return y;
    }

    /**
     * The classes of {@code y}, as {@link Evaluation#classes(float[], int)} finds them (argmax, or
     * {@code y ≥ 0.5} for one output); for {@link Evaluation.Kind#BINARY_PER_OUTPUT} each output's
     * {@code y_j ≥ 0.5}, one column per output, since such a model gives no single class.
     */
    private void writeClasses(PrintWriter out, Network network, float[] y, int samples) throws Exception {
        int nL = network.outputs();
        boolean perOutput = Evaluation.kindOf(network) == Evaluation.Kind.BINARY_PER_OUTPUT;
        int[] found = perOutput ? Evaluation.classes(y, 1) : Evaluation.classes(y, nL);
        int width = perOutput ? nL : 1;
        if (output != null) {
            if (perOutput) {
                NpyWriter.writeIntegers(output, found, samples, nL);
            } else {
                NpyWriter.writeIntegers(output, found, samples);
            }
            out.printf(Locale.ROOT, "wrote %s: %s int32 classes%n", output, perOutput ? samples + " × " + nL : samples);
            return;
        }
        out.println(perOutput ? CsvWriter.header("class", nL) : "class");
        StringBuilder line = new StringBuilder();
        for (int s = 0; s < samples; s++) {
            line.setLength(0);
            for (int j = 0; j < width; j++) {
                line.append(j > 0 ? "," : "").append(found[s * width + j]);
            }
            out.println(line);
        }
    }
}

package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.CsvWriter;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Network;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code deltaprop predict}: the outputs of a model for every row of a CSV file, as CSV on standard output. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Writes the model's outputs y1..yN for every row of a CSV file, as CSV on standard output.")
final class PredictCommand implements Callable<Integer> {
    /** Rows per call to the backend, so that a large file does not need one huge batch. */
    static final int CHUNK = 4096;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.json", description = "The model file.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "F.csv",
            description = "Rows of n_0 inputs (teacher columns after them are ignored).")
    Path data;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME", description = "Backend (default auto).")
    String backend;

    @Override
    public Integer call() throws Exception {
        Network network = ModelFiles.load(model);
        DataTable table = CsvReader.readInputs(data, network.inputs(), network.outputs());
        float[] x = table.x();
        int n0 = network.inputs();
        int nL = network.outputs();
        PrintWriter out = spec.commandLine().getOut();
        out.println(CsvWriter.header("y", nL));
        try (Backend chosen = Backends.open(backend)) {
            chosen.load(network);
            for (int start = 0; start < table.samples(); start += CHUNK) {
                int rows = Math.min(CHUNK, table.samples() - start);
                float[] chunk = Arrays.copyOfRange(x, start * n0, (start + rows) * n0);
                CsvWriter.rows(out, chosen.predict(chunk, rows), nL);
            }
        }
        out.flush();
        return 0;
    }
}

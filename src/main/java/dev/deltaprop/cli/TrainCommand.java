package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingListener;
import dev.deltaprop.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deltaprop train}: trains a network on a CSV file and saves it. Everything is checked
 * (options, model, data) before the backend is opened.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a network on a CSV file (first columns x, the rest d) and saves it as a model file.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "F.csv",
            description = "Training samples: one a row, the first n_0 columns are x, the rest d.")
    Path data;

    @Option(names = "--layers", paramLabel = "2-16-1", description = "Widths: the input, then each layer.")
    String layers;

    @Option(names = "--activation", paramLabel = "NAME",
            description = "Activation of the hidden layers (default tanh): identity, sigmoid, tanh, relu, leaky_relu, softplus.")
    String activation;

    @Option(names = "--output-activation", paramLabel = "NAME", description = "Activation of the output layer (default identity).")
    String outputActivation;

    @Option(names = "--init", paramLabel = "M.json", description = "Start from this model file (architecture and weights) instead of --layers.")
    Path init;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "100", description = "Passes over the data (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Samples per step, B (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "ETA", defaultValue = "0.05", description = "Learning rate η (default ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the initial weights and of the shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-shuffle", description = "Keep the file's order in every epoch.")
    boolean noShuffle;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME",
            description = "reference, cpu, opencl, cuda, opencl-lwjgl, cuda-lwjgl or auto (default).")
    String backend;

    @Option(names = "--save", required = true, paramLabel = "OUT.json", description = "Where to write the trained model.")
    Path save;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TrainerConfig config = TrainerConfig.builder().epochs(epochs).batch(batch).learningRate(learningRate)
                .shuffle(!noShuffle).seed(seed).build();
        Network network = startingNetwork();
        DataTable table = CsvReader.read(data, network.inputs(), network.outputs());
        out.printf(Locale.ROOT, "network %s, %d parameters%n", network, network.parameterCount());
        out.printf(Locale.ROOT, "data %s: %d samples%n", data, table.samples());
        out.printf(Locale.ROOT, "training: %s%n", config);

        Backends.Selection selection = Backends.select(backend);
        for (String line : selection.report()) {
            out.println("backend: " + line);
        }
        out.flush();
        TrainingResult result;
        try (Backend chosen = selection.backend()) {
            Trainer trainer = new Trainer(config).addListener(new TrainingListener() {
                @Override
                public void epochEnded(EpochSummary summary) {
                    out.println(summary);
                    out.flush();
                }
            });
            result = trainer.train(chosen, network, table.x(), table.d(), table.samples());
        }
        ModelFiles.save(result.network(), save);
        out.printf(Locale.ROOT, "saved %s (final loss %.6e)%n", save, result.finalLoss());
        out.flush();
        return 0;
    }

    private Network startingNetwork() throws Exception {
        if (init != null) {
            if (layers != null || activation != null || outputActivation != null) {
                throw new IllegalArgumentException(
                        "--layers/--activation/--output-activation: not allowed with --init (the model file gives the architecture)");
            }
            return ModelFiles.load(init);
        }
        if (layers == null) {
            throw new IllegalArgumentException("--layers or --init: expected one of them, found neither");
        }
        int[] widths = Architecture.widths(layers);
        return Architecture.network(widths,
                Architecture.activation("--activation", activation == null ? "tanh" : activation),
                Architecture.activation("--output-activation", outputActivation == null ? "identity" : outputActivation),
                seed);
    }
}

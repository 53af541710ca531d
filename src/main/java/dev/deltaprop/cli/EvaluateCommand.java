package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deltaprop evaluate}: how well a saved model fits labelled samples, as {@link Evaluation}
 * measures it: accuracy, the confusion matrix and per-class precision and recall for a classifier
 * (cross entropy), MAE, RMSE and R² for a regression (squared error), or what {@code --as} asks for.
 * The data are read and checked before the backend is opened.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints a model's metrics on labelled samples (a CSV file, or --x/--d array files):"
                + " accuracy, confusion matrix and per-class precision/recall for a classifier; MAE, RMSE and R²"
                + " for a regression.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.json", description = "The model file: deltaprop JSON, or ONNX (*.onnx).")
    Path model;

    @Mixin
    SampleFiles samples;

    @Option(names = "--as", paramLabel = "KIND",
            description = "classes or regression: the metrics to print, instead of those the model's loss implies"
                    + " (cross_entropy: classes; squared_error: regression), e.g. classes for a squared-error"
                    + " model trained on one-hot rows.")
    String as;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME", description = "Backend (default auto).")
    String backend;

    @Override
    public Integer call() throws Exception {
        Network network = ModelFiles.read(model);
        Evaluation.Kind kind = kind(network);
        DataTable table = samples.read(network);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model %s: %s, loss %s%n", model, network.shape(), network.loss());
        out.printf(Locale.ROOT, "data %s: %d samples%n", samples.describe(), table.samples());
        out.flush();
        float[] y;
        try (Backend chosen = Backends.open(backend)) {
            y = PredictCommand.outputs(chosen, network, table.x(), table.samples());
        }
        out.println(Evaluation.of(kind, y, table.d(), network.outputs()));
        out.flush();
        return 0;
    }

    private Evaluation.Kind kind(Network network) {
        if (as == null) {
            return Evaluation.kindOf(network);
        }
        switch (as.trim().toLowerCase(Locale.ROOT)) {
            case "classes":
                // several sigmoid outputs under cross entropy stay per-output yes/no decisions
                Evaluation.Kind implied = Evaluation.kindOf(network);
                return implied == Evaluation.Kind.REGRESSION ? Evaluation.Kind.CLASSES : implied;
            case "regression":
                return Evaluation.Kind.REGRESSION;
            default:
                throw new IllegalArgumentException("--as: expected classes or regression, found '" + as + "'");
        }
    }
}

package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.LossPlot;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.ConsoleProgress;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.HeldOut;
import dev.deltaprop.train.Standardization;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingResult;
import dev.deltaprop.train.ValidationLoss;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deltaprop train}: trains a network on a CSV file or two NumPy files and saves it,
 * optionally holding out a validation share and drawing the losses. Everything is checked
 * (options, model, data, the plot's file name) before the backend is opened.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a network on a CSV file (first columns x, the rest d) or on NumPy files (--x, --d)"
                + " and saves it as a model file.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    SampleFiles samples;

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

    @Option(names = "--validation", paramLabel = "FRACTION",
            description = "Hold out this share of the samples (e.g. 0.2, drawn with --seed) and show their loss per epoch.")
    Double validation;

    @Option(names = "--standardize",
            description = "Train on (v − μ)/σ per column (μ, σ of the training samples) and fold the scaling into the"
                    + " saved weights, so the model reads and writes the data's own units. Needs an identity output.")
    boolean standardize;

    @Option(names = "--plot", paramLabel = "LOSS.png",
            description = "Draw the loss per epoch (and the held-out loss) to a .png or .svg file.")
    Path plot;

    @Option(names = "--save", required = true, paramLabel = "OUT.json", description = "Where to write the trained model.")
    Path save;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TrainerConfig config = TrainerConfig.builder().epochs(epochs).batch(batch).learningRate(learningRate)
                .shuffle(!noShuffle).seed(seed).build();
        if (validation != null && !(validation > 0 && validation < 1)) {
            throw new IllegalArgumentException("--validation: expected a share of the samples between 0 and 1"
                    + " (exclusive), found " + validation);
        }
        if (plot != null) {
            LossPlot.checkFileName(plot);
        }
        // before any work: a long run must not be lost to an output path that was wrong from the start
        new OutputFiles().input("--data", samples.csv).input("--x", samples.x).input("--d", samples.d)
                .input("--init", init).output("--save", save).output("--plot", plot).check();
        Network network = startingNetwork();
        if (standardize && init != null) {
            throw new IllegalArgumentException("--standardize: not allowed with --init (the model file's weights are"
                    + " in the data's units, not standardised ones)");
        }
        if (standardize && network.layer(network.depth() - 1).activation() != Activation.IDENTITY) {
            throw new IllegalArgumentException("--standardize: expected the identity output activation (the teacher's"
                    + " scaling folds into it), found " + network.layer(network.depth() - 1).activation().id());
        }
        DataTable table = samples.read(network.inputs(), network.outputs());
        out.printf(Locale.ROOT, "network %s, %d parameters%n", network, network.parameterCount());
        out.printf(Locale.ROOT, "data %s: %d samples%n", samples.describe(), table.samples());
        float[] x = table.x();
        float[] d = table.d();
        int count = table.samples();
        HeldOut split = null;
        if (validation != null) {
            split = HeldOut.split(x, d, count, validation, seed);
            x = split.trainX();
            d = split.trainD();
            count = split.trainSamples();
            out.printf(Locale.ROOT, "validation: %d samples held out, training on %d%n", split.validationSamples(),
                    count);
        }
        float[] heldX = split == null ? null : split.validationX();
        float[] heldD = split == null ? null : split.validationD();
        Standardization scaling = null;
        if (standardize) {
            scaling = Standardization.fit(x, d, count);
            x = scaling.inputs(x);
            d = scaling.teachers(d);
            if (split != null) {
                heldX = scaling.inputs(heldX);
                heldD = scaling.teachers(heldD);
            }
            out.println("standardized: every column to mean 0, deviation 1 (of the training samples);"
                    + " losses below are in those units");
        }
        out.printf(Locale.ROOT, "training: %s%n", config);

        Backends.Selection selection = Backends.select(backend);
        for (String line : selection.report()) {
            out.println("backend: " + line);
        }
        out.flush();
        TrainingResult result;
        Network trained;
        List<Double> heldOutLosses = List.of();
        String title;
        String fit = null;
        try (Backend chosen = selection.backend()) {
            title = network.shape() + " on " + samples.describe() + " (" + chosen.name()
                    + (standardize ? ", standardized" : "") + ")";
            Trainer trainer = new Trainer(config);
            // added before the progress display, which shows its value (listeners run in order)
            ValidationLoss heldOut = split == null ? null
                    : new ValidationLoss(chosen, heldX, heldD, split.validationSamples());
            if (heldOut != null) {
                trainer.addListener(heldOut);
            }
            try (ConsoleProgress progress = ConsoleProgress.auto(out, heldOut)) {
                result = trainer.addListener(progress).train(chosen, network, x, d, count);
            }
            trained = scaling == null ? result.network() : scaling.fold(result.network());
            if (heldOut != null) {
                heldOutLosses = heldOut.losses();
                fit = HeldOutFit.describe(chosen, trained, split);
            }
        }
        ModelFiles.save(trained, save);
        out.printf(Locale.ROOT, "saved %s (final loss %.6e%s)%n", save, result.finalLoss(), heldOutLosses.isEmpty() ? ""
                : String.format(Locale.ROOT, ", validation loss %.6e", heldOutLosses.get(heldOutLosses.size() - 1)));
        if (plot != null) {
            List<Double> losses = result.epochs().stream().map(EpochSummary::loss).toList();
            try {
                LossPlot.write(plot, title, losses, heldOutLosses);
            } catch (java.io.IOException | RuntimeException e) {
                throw new java.io.IOException(plotFailed(plot, save, e), e);
            }
            out.printf(Locale.ROOT, "plot %s%n", plot);
        }
        if (fit != null) {
            out.println(fit);
        }
        out.flush();
        return 0;
    }

    /** The error of a plot that failed after the model was saved: it says so, so that nobody trains again. */
    static String plotFailed(Path plot, Path save, Exception e) {
        String message = String.valueOf(e.getMessage());
        return "--plot " + (message.startsWith(plot.toString()) ? "" : plot + ": ") + message + " (the model " + save
                + " was saved)";
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

package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.AtomicFile;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.LossPlot;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.Checkpoint;
import dev.deltaprop.train.CheckpointFiles;
import dev.deltaprop.train.ConsoleProgress;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.Evaluation;
import dev.deltaprop.train.HeldOut;
import dev.deltaprop.train.Standardization;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingResult;
import dev.deltaprop.train.ValidationLoss;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
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
 * optionally holding out a validation share (with early stopping on its loss), writing
 * checkpoints and resuming from one, and drawing the losses. Everything is checked (options,
 * model, data, the plot's file name, the checkpoint) before the backend is opened.
 *
 * <p>{@code --resume DIR} continues the run whose checkpoint is in {@code DIR}: the network, the
 * optimizer, the schedule, {@code B}, {@code η} and the seed come from the checkpoint (giving them
 * again is refused), {@code --epochs} is the total to reach (default: the checkpoint's run's), and
 * the data, {@code --validation} and {@code --standardize} must be as before (the checkpoint
 * recognises its training data). Checkpoints then go on being written to {@code DIR}.
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

    @Option(names = "--init", paramLabel = "M.json", description = "Start from this model file (architecture and weights; deltaprop JSON or ONNX *.onnx) instead of --layers.")
    Path init;

    @Mixin
    LearningOptions learning;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Passes over the data (default 100; with --resume, the total to reach, default the checkpoint's run's).")
    Integer epochs;

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

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "With --validation: stop when the held-out loss has not improved for PATIENCE epochs, and"
                    + " keep the weights of the epoch where it was lowest.")
    Integer earlyStopping;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Write a checkpoint (model, optimizer state, epoch, schedule and shuffling position) to DIR,"
                    + " replacing the previous one atomically.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Epochs between checkpoints (default 1; the last epoch always writes one).")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run whose checkpoint is in DIR, up to --epochs in total.")
    Path resume;

    @Option(names = "--plot", paramLabel = "LOSS.png",
            description = "Draw the loss per epoch (and the held-out loss) to a .png or .svg file.")
    Path plot;

    @Option(names = "--save", required = true, paramLabel = "OUT.json", description = "Where to write the trained model.")
    Path save;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Checkpoint resumed = resume == null ? null : readCheckpoint();
        TrainerConfig config = resumed != null
                ? resumed.config().toBuilder().epochs(epochs == null ? resumed.config().epochs() : epochs).build()
                : TrainerConfig.builder().epochs(epochs == null ? 100 : epochs).batch(batch).learningRate(learningRate)
                        .shuffle(!noShuffle).seed(seed).optimizer(learning.optimizer()).schedule(learning.schedule())
                        .build();
        long seed = config.seed();
        if (validation != null && !(validation > 0 && validation < 1)) {
            throw new IllegalArgumentException("--validation: expected a share of the samples between 0 and 1"
                    + " (exclusive), found " + validation);
        }
        if (earlyStopping != null && validation == null) {
            throw new IllegalArgumentException("--early-stopping: expected --validation too (the held-out loss it watches)");
        }
        if (earlyStopping != null && earlyStopping < 1) {
            throw new IllegalArgumentException("--early-stopping: expected a patience of at least 1 epoch, found "
                    + earlyStopping);
        }
        Path checkpointTo = checkpoint != null ? checkpoint : resume;
        if (checkpointEvery != null && checkpointTo == null) {
            throw new IllegalArgumentException("--checkpoint-every: expected --checkpoint DIR (or --resume DIR) too");
        }
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every: expected at least 1 epoch, found " + checkpointEvery);
        }
        if (checkpoint != null && java.nio.file.Files.exists(checkpoint) && !java.nio.file.Files.isDirectory(checkpoint)) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + ": expected a folder, found a file");
        }
        if (checkpoint != null && !checkpoint.equals(resume) && new CheckpointFiles(checkpoint).exists()) {
            // a long run's checkpoint is worth more than a typing mistake
            throw new IllegalArgumentException("--checkpoint " + checkpoint + ": holds the checkpoint of another run;"
                    + " continue it with --resume " + checkpoint + ", or name an empty folder");
        }
        if (resumed != null && config.epochs() <= resumed.epoch()) {
            throw new IllegalArgumentException("--epochs: expected more than the " + resumed.epoch()
                    + " epochs the checkpoint in " + resume + " has done (the total to reach), found " + config.epochs());
        }
        if (plot != null) {
            LossPlot.checkFileName(plot);
        }
        // before any work: a long run must not be lost to an output path that was wrong from the start
        new OutputFiles().input("--data", samples.csv).input("--x", samples.x).input("--d", samples.d)
                .input("--init", init).output("--save", save).output("--plot", plot).folder("--checkpoint", checkpointTo)
                .check();
        Network network = resumed != null ? resumed.network() : startingNetwork();
        // and room for the model file in its folder: at most about 16 bytes of text per parameter
        try {
            AtomicFile.checkWritable(save, MemoryEstimate.bytes(network.parameterCount(), 16));
        } catch (java.io.IOException e) {
            throw new java.io.IOException("--save " + e.getMessage(), e);
        }
        if (standardize && init != null) {
            throw new IllegalArgumentException("--standardize: not allowed with --init (the model file's weights are"
                    + " in the data's units, not standardised ones)");
        }
        if (standardize && network.layer(network.depth() - 1).activation() != Activation.IDENTITY) {
            throw new IllegalArgumentException("--standardize: expected the identity output activation (the teacher's"
                    + " scaling folds into it), found " + network.layer(network.depth() - 1).activation().id());
        }
        DataTable table = samples.read(network);
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
            if (earlyStopping != null) {
                trainer.earlyStopping(heldOut, earlyStopping);
            }
            if (checkpointTo != null) {
                trainer.checkpoints(new CheckpointFiles(checkpointTo), checkpointEvery == null ? 1 : checkpointEvery);
            }
            if (resumed != null) {
                out.printf(Locale.ROOT, "resuming from %s: epoch %d of %d done%n", resume, resumed.epoch(),
                        config.epochs());
                out.flush();
            }
            // a classifier's training accuracy: one more forward pass over the training samples per epoch
            ValidationLoss trainingMetrics = Evaluation.kindOf(network) == Evaluation.Kind.CLASSES
                    ? new ValidationLoss(chosen, x, d, count) : null;
            if (trainingMetrics != null) {
                trainer.addListener(trainingMetrics);
            }
            try (ConsoleProgress progress = ConsoleProgress.auto(out, heldOut).withTrainingAccuracy(trainingMetrics)) {
                trainer.addListener(progress);
                result = resumed != null ? resume(trainer, chosen, resumed, x, d, count)
                        : trainer.train(chosen, network, x, d, count);
            }
            if (result.restoredEpoch() > 0) {
                // the held-out losses of this process: a resumed run's earlier epochs are not among them
                int index = result.restoredEpoch() - 1 - (resumed == null ? 0 : resumed.epoch());
                out.printf(Locale.ROOT, "early stopping: %s; kept epoch %d, where the validation loss was lowest%s%n",
                        result.ending() == TrainingResult.Ending.EARLY_STOPPED
                                ? "no improvement for " + earlyStopping + " epochs, stopped after epoch "
                                        + result.epochs().size()
                                : "ran all " + config.epochs() + " epochs",
                        result.restoredEpoch(), index < 0 ? ""
                                : String.format(Locale.ROOT, " (%.6e)", heldOut.losses().get(index)));
            }
            trained = scaling == null ? result.network() : scaling.fold(result.network());
            if (heldOut != null) {
                heldOutLosses = heldOut.losses();
                fit = trainingMetrics != null
                        ? String.format(Locale.ROOT, "held out (%d samples): accuracy %.4f", split.validationSamples(),
                                heldOut.measureAccuracy())
                        : HeldOutFit.describe(chosen, trained, split);
            }
        }
        ModelFiles.save(trained, save);
        if (result.restoredEpoch() > 0) {
            out.printf(Locale.ROOT, "saved %s (the weights of epoch %d, kept by early stopping)%n", save,
                    result.restoredEpoch());
        } else {
            out.printf(Locale.ROOT, "saved %s (final loss %.6e%s)%n", save, result.finalLoss(), heldOutLosses.isEmpty()
                    ? "" : String.format(Locale.ROOT, ", validation loss %.6e", heldOutLosses.get(heldOutLosses.size() - 1)));
        }
        if (plot != null) {
            List<Double> losses = result.epochs().stream().map(EpochSummary::loss).toList();
            // a resumed run knows the training losses of every epoch, the held-out ones only of its own
            boolean whole = heldOutLosses.size() == losses.size();
            try {
                LossPlot.write(plot, title, losses, whole ? heldOutLosses : List.of());
            } catch (java.io.IOException | RuntimeException e) {
                throw new java.io.IOException(plotFailed(plot, save, e), e);
            }
            out.printf(Locale.ROOT, "plot %s%s%n", plot, whole || heldOutLosses.isEmpty() ? ""
                    : " (the training loss only: the checkpoint does not keep the held-out losses before the resume)");
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

    /** Continues from the checkpoint; a mismatch of the data is explained in the command line's terms. */
    private TrainingResult resume(Trainer trainer, Backend backend, Checkpoint from, float[] x, float[] d, int count) {
        try {
            return trainer.resume(backend, from, x, d, count);
        } catch (IllegalArgumentException e) {
            if (String.valueOf(e.getMessage()).startsWith("data:")) {
                throw new IllegalArgumentException("--resume " + resume + ": " + e.getMessage() + "; give the same data,"
                        + " --validation and --standardize as the run that wrote it", e);
            }
            throw e;
        }
    }

    /** The checkpoint of {@code --resume}, after refusing the options it replaces. */
    private Checkpoint readCheckpoint() throws java.io.IOException {
        List<String> replaced = List.of("--layers", "--activation", "--output-activation", "--init", "--batch", "--lr",
                "--seed", "--no-shuffle", "--loss", "--optimizer", "--momentum", "--beta1", "--beta2", "--epsilon",
                "--weight-decay", "--schedule", "--warmup-epochs");
        for (String option : replaced) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new IllegalArgumentException(option + ": not allowed with --resume (the checkpoint holds the"
                        + " network and the training settings)");
            }
        }
        try {
            return new CheckpointFiles(resume).read();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--resume " + resume + ": expected a checkpoint folder (with "
                    + CheckpointFiles.MANIFEST + "), found none", e);
        } catch (java.io.IOException e) {
            throw new java.io.IOException("--resume " + resume + ": " + e.getMessage(), e);
        }
    }

    private Network startingNetwork() throws Exception {
        Loss loss = learning.loss();
        if (init != null) {
            if (layers != null || activation != null || outputActivation != null) {
                throw new IllegalArgumentException(
                        "--layers/--activation/--output-activation: not allowed with --init (the model file gives the architecture)");
            }
            Network loaded = ModelFiles.read(init);
            if (loss != null && loss != loaded.loss()) {
                throw new IllegalArgumentException("--loss: expected the loss of the --init model file (" + loaded.loss()
                        + "), found " + loss);
            }
            return loaded;
        }
        if (layers == null) {
            throw new IllegalArgumentException("--layers or --init: expected one of them, found neither");
        }
        int[] widths = Architecture.widths(layers);
        // before any weight is drawn: a network too large for the heap is one line, not minutes and an OutOfMemoryError
        Architecture.requireHeap("--layers " + layers, widths, backend);
        Network network = Architecture.network(widths,
                Architecture.activation("--activation", activation == null ? "tanh" : activation),
                Architecture.activation("--output-activation", outputActivation == null ? "identity" : outputActivation),
                seed);
        // unset, the network's default: cross entropy under a softmax output, else squared error
        return loss == null ? network : LearningOptions.flag("--loss", () -> new Network(network.layers(), loss));
    }
}

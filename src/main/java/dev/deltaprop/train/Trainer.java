package dev.deltaprop.train;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.backend.LazyLoss;
import dev.deltaprop.backend.LossTally;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.OptimizerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Minibatch training over a data set, on any {@link Backend}, with the {@link TrainerConfig}'s
 * optimizer and learning-rate schedule.
 *
 * <p>The optimizer is handed to the backend once, by {@link Backend#load(Network,
 * dev.deltaprop.model.Optimizer, OptimizerState)}; its state then lives in the backend. Each epoch
 * visits every sample once. The data set is uploaded to the backend once ({@link Backend#upload});
 * per epoch the trainer sets the order of the samples ({@link Dataset#order(int[])}: a fresh
 * Fisher–Yates permutation of the previous epoch's order, drawn from one {@link SplittableRandom}
 * seeded with {@link TrainerConfig#seed()}, or file order when shuffling is off) and then takes
 * steps on consecutive slices of that order, {@code B} samples each, the last one smaller when
 * {@code B} does not divide {@code N}. Every step of epoch {@code e} is given {@code η_e}
 * ({@link TrainerConfig#learningRate(int)}) and uses its own batch's mean gradient. The epoch's
 * loss is the mean per sample, {@code (1/N) Σ_k B_k · loss_k}, each batch's loss measured before
 * its update.
 *
 * <p>Steps are queued ({@link LazyLoss#queueStep}): on a device backend a step does not wait for
 * its loss, which stays in device memory until the trainer reads the losses of the steps so far,
 * every {@link #readLossEvery} steps ({@value #LOSS_EVERY} by default) and at the end of each
 * epoch. The numbers are those of steps that each read their loss — the same parameters, the same
 * batch losses and epoch losses bit for bit — but the listeners' {@code batchEnded} calls for the
 * steps of one reading arrive together, after its last step, and a {@link #stop()} from one of them
 * ends the run before the next step not yet queued. On a backend that computes on the host
 * ({@link LazyLoss#readingWaits()} is false) a reading costs nothing, so the trainer reads after
 * every step.
 *
 * <p>Control:
 * <ul>
 * <li>A loss that is NaN or infinite stops the run with a {@link TrainingDivergedException} naming
 *     the epoch and batch, when it is read (on a device, the loss record's non-finite flag says
 *     which step it was).</li>
 * <li>{@link #stop()} (from a listener, or any thread) ends the run cleanly before the next batch:
 *     {@link #train} returns a result with {@link TrainingResult.Ending#STOPPED}; an epoch cut short
 *     has no summary.</li>
 * <li>Interrupting the training thread ends the run before the next batch with a
 *     {@link TrainingInterruptedException} that carries the result so far; the thread's interrupt
 *     status stays set, so the caller's own blocking calls see it too. An exception rather than a
 *     result, so that code that does not expect an interruption cannot mistake a cut-short run for a
 *     finished one.</li>
 * <li>{@link #earlyStopping} ends the run once the held-out loss has not improved for a number of
 *     epochs, and leaves the best epoch's parameters (and optimizer state) in the backend and the
 *     result.</li>
 * <li>{@link #checkpoints} writes a {@link Checkpoint} every few epochs, and {@link #resume}
 *     continues from one exactly as if the run had not stopped.</li>
 * </ul>
 * Listeners are called on the training thread, in the order they were added.
 */
public final class Trainer {
    /** The steps between two readings of the loss on a device backend, by default. */
    public static final int LOSS_EVERY = 100;

    private final TrainerConfig config;
    private int lossEvery = LOSS_EVERY;
    private final List<TrainingListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean stopRequested;
    private ValidationLoss earlyStoppingLoss;
    private int patience;
    private CheckpointFiles checkpointFiles;
    private int checkpointEvery;

    public Trainer(TrainerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public TrainerConfig config() {
        return config;
    }

    /**
     * Reads the loss on a device backend every {@code steps} steps (and at the end of every epoch):
     * fewer readings keep the device busier, more make divergence and {@link #stop()} act sooner.
     * It changes no number the run computes. Returns this trainer.
     *
     * @param steps {@code 1 ≤ steps ≤} {@value LossTally#KEPT}
     * @throws IllegalArgumentException naming {@code steps} and the range
     */
    public Trainer readLossEvery(int steps) {
        if (steps < 1 || steps > LossTally.KEPT) {
            throw new IllegalArgumentException("steps: expected 1 to " + LossTally.KEPT + " steps between two readings"
                    + " of the loss, found " + steps);
        }
        this.lossEvery = steps;
        return this;
    }

    /** The steps between two readings of the loss on a device backend. */
    public int lossEvery() {
        return lossEvery;
    }

    /** Adds a listener for progress events; returns this trainer. */
    public Trainer addListener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Asks the run in progress to end before its next batch (safe from any thread, e.g. a listener or
     * a user interface). The request is cleared when a run starts.
     */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Stops a run when the held-out loss has not improved (fallen below its lowest so far) for
     * {@code patience} epochs in a row, and keeps the parameters of the epoch with the lowest held-out
     * loss: at the end of the run, stopped early or not, the backend holds them (with the optimizer
     * state of that epoch) and so does the result. {@code heldOut} is added as a listener if it is not
     * one yet.
     *
     * @param heldOut  the held-out loss, measured on the backend that trains
     * @param patience epochs without improvement before stopping, at least 1
     * @return this trainer
     * @throws IllegalArgumentException naming {@code patience} when it is below 1
     */
    public Trainer earlyStopping(ValidationLoss heldOut, int patience) {
        if (patience < 1) {
            throw new IllegalArgumentException("patience: expected at least 1 epoch without improvement, found " + patience);
        }
        this.earlyStoppingLoss = Objects.requireNonNull(heldOut, "heldOut");
        this.patience = patience;
        if (!listeners.contains(heldOut)) {
            listeners.add(heldOut);
        }
        return this;
    }

    /**
     * Writes a checkpoint to {@code files} after every {@code every}-th epoch and after the last one.
     *
     * @param files where checkpoints go; each replaces the previous one as a whole
     * @param every epochs between checkpoints, at least 1
     * @return this trainer
     */
    public Trainer checkpoints(CheckpointFiles files, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("checkpointEvery: expected at least 1 epoch, found " + every);
        }
        this.checkpointFiles = Objects.requireNonNull(files, "files");
        this.checkpointEvery = every;
        return this;
    }

    /**
     * Loads {@code network} into {@code backend} with the configuration's optimizer (fresh state)
     * and trains it on {@code samples} samples.
     *
     * @param x {@code samples × n_0} inputs, batch-major, finite
     * @param d {@code samples × n_L} teacher values, batch-major, finite
     * @return the trained network and the per-epoch losses
     * @throws IllegalArgumentException     naming the field when the data do not fit the network
     *                                      or are not finite, before any work in the backend
     * @throws TrainingDivergedException    if the loss becomes NaN or infinite
     * @throws TrainingInterruptedException if the thread is interrupted
     * @throws UncheckedIOException         if a checkpoint cannot be written
     */
    public TrainingResult train(Backend backend, Network network, float[] x, float[] d, int samples) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(network, "network");
        checkData(network, x, d, samples);
        backend.load(network, config.optimizer());
        // the checksum only when a checkpoint will carry it: it reads every number once
        long fingerprint = checkpointFiles == null ? 0 : Checkpoint.fingerprint(x, d);
        return run(backend, x, d, samples, new Progress(0, List.of(), null, fingerprint));
    }

    /**
     * Continues the run that wrote {@code checkpoint}, up to {@link TrainerConfig#epochs()} epochs in
     * total: the backend gets the checkpoint's parameters and optimizer state, and the samples are
     * visited in the order the interrupted run would have used, so that the result is bit for bit
     * the one of a run that never stopped (on the same backend; for {@code cosine}, with the same
     * {@code E}). The data must be the checkpoint's, and this trainer's configuration the same as
     * the checkpoint's but for the number of epochs.
     *
     * @throws IllegalArgumentException naming the field when the configuration or the data differ
     *                                  from the checkpoint's, or it already has all the epochs
     * @see #train
     */
    public TrainingResult resume(Backend backend, Checkpoint checkpoint, float[] x, float[] d, int samples) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(checkpoint, "checkpoint");
        checkData(checkpoint.network(), x, d, samples);
        long fingerprint = Checkpoint.fingerprint(x, d);
        checkpoint.requireContinuableBy(config, fingerprint, samples);
        if (earlyStoppingLoss == null && checkpoint.best() != null) {
            throw new IllegalArgumentException("earlyStopping: expected as in the checkpoint's run (patience "
                    + checkpoint.best().patience() + "), found none");
        }
        if (earlyStoppingLoss != null && checkpoint.best() == null) {
            throw new IllegalArgumentException("earlyStopping: expected none, as in the checkpoint's run, found patience "
                    + patience);
        }
        backend.load(checkpoint.network(), config.optimizer(), checkpoint.optimizerState());
        return run(backend, x, d, samples, new Progress(checkpoint.epoch(), checkpoint.history(), checkpoint.best(),
                fingerprint));
    }

    /** Where a run starts: the epochs already done, their summaries, early stopping's memory, the data's checksum. */
    private record Progress(int epochsDone, List<EpochSummary> history, Checkpoint.Best best, long fingerprint) {
    }

    private TrainingResult run(Backend backend, float[] x, float[] d, int samples, Progress start) {
        stopRequested = false;
        int batches = Math.toIntExact(((long) samples + config.batch() - 1) / config.batch());
        List<EpochSummary> summaries = new ArrayList<>(start.history());
        Checkpoint.Best best = start.best();
        if (best != null && best.patience() != patience) {
            throw new IllegalArgumentException("earlyStopping: expected patience " + best.patience()
                    + " as in the checkpoint's run, found " + patience);
        }
        long fingerprint = start.fingerprint();
        // SplittableRandom has no state to save: the order after e epochs is replayed from the seed
        SplittableRandom random = new SplittableRandom(config.seed());
        int[] order = Checks.identity(samples);
        if (config.shuffle()) {
            for (int e = 1; e <= start.epochsDone(); e++) {
                shuffle(order, random);
            }
        }
        TrainingResult.Ending ending = TrainingResult.Ending.COMPLETED;
        try (Dataset data = backend.upload(x, d, samples)) {
            if (config.shuffle() && start.epochsDone() > 0) {
                data.order(order);
            }
            for (int epoch = start.epochsDone() + 1; epoch <= config.epochs(); epoch++) {
                if (config.shuffle()) {
                    shuffle(order, random);
                    data.order(order);
                }
                // file order is the data set's initial order: nothing to set without shuffling
                EpochSummary summary = epoch(backend, data, epoch, batches, samples, summaries);
                if (summary == null) {
                    ending = TrainingResult.Ending.STOPPED;
                    break;
                }
                summaries.add(summary);
                if (earlyStoppingLoss != null) {
                    best = improve(backend, best, epoch, earlyStoppingLoss.last(), batches);
                }
                boolean patienceOut = best != null && epoch - best.epoch() >= patience;
                if (checkpointFiles != null && (epoch % checkpointEvery == 0 || epoch == config.epochs() || patienceOut)) {
                    write(new Checkpoint(trained(backend, epoch, batches), backend.optimizerState(), config, epoch,
                            summaries, fingerprint, samples, best));
                }
                if (patienceOut) {
                    ending = TrainingResult.Ending.EARLY_STOPPED;
                    break;
                }
            }
        }
        int restored = 0;
        if (best != null) {
            backend.load(best.network(), config.optimizer(), best.optimizerState());
            restored = best.epoch();
        }
        int last = summaries.isEmpty() ? start.epochsDone() : summaries.get(summaries.size() - 1).epoch();
        return new TrainingResult(trained(backend, last, batches), summaries, ending, restored);
    }

    /**
     * The parameters after the last step of {@code epoch} (at its end, for a checkpoint or early
     * stopping, or at the end of the run). Each step's loss is measured before its update, so an
     * update that overflowed shows in the next step's loss — except the epoch's last one's: checked
     * here, and reported as the divergence it is, where it happened.
     */
    private Network trained(Backend backend, int epoch, int batches) {
        try {
            return backend.network();
        } catch (IllegalArgumentException e) {
            throw new TrainingDivergedException(String.format(Locale.ROOT,
                    "the parameters became non-finite in the last step (epoch %d of %d, batch %d of %d), after its"
                            + " loss was measured: %s; the learning rate %s is probably too large",
                    epoch, config.epochs(), batches, batches, e.getMessage(), config.learningRate()), epoch, batches);
        }
    }

    /** Keeps the epoch's parameters when its held-out loss is the lowest so far. */
    private Checkpoint.Best improve(Backend backend, Checkpoint.Best best, int epoch, double loss, int batches) {
        if (!Double.isFinite(loss)) {
            trained(backend, epoch, batches); // parameters gone non-finite: that divergence, not a missing loss
        }
        if (Double.isNaN(loss)) {
            throw new IllegalStateException("earlyStopping: the held-out loss was not measured in epoch " + epoch);
        }
        if (best == null || loss < best.loss()) {
            return new Checkpoint.Best(epoch, loss, patience, trained(backend, epoch, batches), backend.optimizerState());
        }
        return best;
    }

    private void write(Checkpoint checkpoint) {
        try {
            checkpointFiles.write(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint: could not write epoch " + checkpoint.epoch() + " to "
                    + checkpointFiles.directory() + ": " + e.getMessage(), e);
        }
    }

    /** One epoch; null when {@link #stop()} ended it before its last batch. */
    private EpochSummary epoch(Backend backend, Dataset data, int epoch, int batches, int samples,
            List<EpochSummary> done) {
        if (stopRequested) {
            return null;
        }
        float learningRate = config.learningRate(epoch);
        for (TrainingListener listener : listeners) {
            listener.epochStarted(epoch, config.epochs(), batches);
        }
        long start = System.nanoTime();
        LazyLoss steps = LazyLoss.of(backend);
        int every = steps.readingWaits() ? lossEvery : 1;
        EpochLosses losses = new EpochLosses(config, listeners, epoch, batches, samples, learningRate, start);
        for (int k = 0; k < batches; k++) {
            if (Thread.currentThread().isInterrupted()) {
                losses.read(steps); // the steps taken are reported (and a divergence among them) first
                throw new TrainingInterruptedException(String.format(Locale.ROOT,
                        "training: the thread was interrupted; stopped before batch %d of %d of epoch %d of %d",
                        k + 1, batches, epoch, config.epochs()), epoch, k + 1,
                        new TrainingResult(backend.network(), done, TrainingResult.Ending.STOPPED, 0));
            }
            if (stopRequested) {
                losses.read(steps);
                return null;
            }
            int offset = (int) ((long) k * config.batch());
            int size = (int) Math.min(config.batch(), (long) samples - offset);
            steps.queueStep(data, offset, size, learningRate);
            if (k + 1 - losses.read == every) {
                losses.read(steps);
            }
        }
        losses.read(steps);
        double lossSum = losses.sum;
        EpochSummary summary = new EpochSummary(epoch, config.epochs(), lossSum / samples, samples,
                System.nanoTime() - start);
        for (TrainingListener listener : listeners) {
            listener.epochEnded(summary);
        }
        return summary;
    }

    private static void checkData(Network network, float[] x, float[] d, int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples: expected at least 1 sample to train on, found " + samples);
        }
        // checked here, not only in the backend, so that a device backend never sees bad data
        size("x", x, samples, network.inputs(), "inputs");
        size("d", d, samples, network.outputs(), "outputs");
        Checks.finite("x", x, network.inputs());
        Checks.finite("d", d, network.outputs());
    }

    private static void size(String field, float[] values, int samples, int width, String what) {
        long expected = (long) samples * width;
        if (values == null || values.length != expected) {
            throw new IllegalArgumentException(field + ": expected " + expected + " numbers (" + samples + " samples × "
                    + width + " " + what + "), found " + (values == null ? "null" : String.valueOf(values.length)));
        }
    }

    /** Fisher–Yates: every permutation equally likely, the same one for the same random state. */
    static void shuffle(int[] order, SplittableRandom random) {
        for (int k = order.length - 1; k > 0; k--) {
            int other = random.nextInt(k + 1);
            int swap = order[k];
            order[k] = order[other];
            order[other] = swap;
        }
    }
}

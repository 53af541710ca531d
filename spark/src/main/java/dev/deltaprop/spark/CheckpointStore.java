package dev.deltaprop.spark;

import dev.deltaprop.model.Network;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.train.Checkpoint;
import dev.deltaprop.train.CheckpointFiles;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.TrainerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The checkpoints of a distributed run, in the core library's format ({@link CheckpointFiles}: the
 * exact bits of the parameters and the optimizer state, replaced atomically), in a folder that the
 * tasks and the driver see alike (a local path in local mode; on a cluster a shared file system
 * mounted at the same path everywhere). A checkpoint is only taken up by a run with the same
 * network, optimizer, schedule, batch, learning rate and seed on the same data (the partitions'
 * sizes and fingerprints, in order); anything else is refused with the field that differs.
 */
final class CheckpointStore {
    private final FitSettings settings;
    private final CheckpointFiles files;
    private final long fingerprint;
    private final int samples;

    /** What a run starts from: the epochs already done, and their parameters, state and summaries. */
    record Resume(Network network, OptimizerState state, int epoch, List<EpochSummary> history) {
    }

    CheckpointStore(FitSettings settings, String partitions, long samples) {
        this.settings = settings;
        this.files = settings.checkpointDir().isEmpty() ? null : new CheckpointFiles(Path.of(settings.checkpointDir()));
        CRC32 crc = new CRC32();
        crc.update(partitions.getBytes(StandardCharsets.UTF_8));
        this.fingerprint = crc.getValue();
        if (samples > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dataset: expected at most " + Integer.MAX_VALUE + " rows, found " + samples);
        }
        this.samples = (int) samples;
    }

    /** The latest checkpoint if there is one (checked against this run), else the fresh start. */
    Resume resume() {
        Network initial = settings.network();
        if (files == null || !files.exists()) {
            return new Resume(initial, null, 0, List.of());
        }
        Checkpoint checkpoint;
        try {
            checkpoint = files.read();
        } catch (IOException e) {
            throw new UncheckedIOException("checkpointDir: could not read " + files.directory() + ": " + e.getMessage(), e);
        }
        requireSettings(checkpoint, initial);
        if (checkpoint.samples() != samples || checkpoint.dataFingerprint() != fingerprint) {
            throw new IllegalArgumentException("dataset: expected the data of the checkpoint in " + files.directory() + " ("
                    + checkpoint.samples() + " rows, fingerprint " + Long.toHexString(checkpoint.dataFingerprint())
                    + "), found " + samples + " rows with fingerprint " + Long.toHexString(fingerprint)
                    + " (the same rows in the same partitions are needed)");
        }
        return new Resume(checkpoint.network(), checkpoint.optimizerState(), checkpoint.epoch(), checkpoint.history());
    }

    /**
     * On the driver, before any task starts: a checkpoint in {@code settings.checkpointDir()} must
     * be of the same network, optimizer, schedule, batch, learning rate, seed and epochs (the data
     * is checked by the tasks, which alone see the partitions).
     */
    static void precheck(FitSettings settings) {
        if (settings.checkpointDir().isEmpty()) {
            return;
        }
        CheckpointStore store = new CheckpointStore(settings, "", 0);
        if (store.files.exists()) {
            try {
                store.requireSettings(store.files.read(), settings.network());
            } catch (IOException e) {
                throw new UncheckedIOException("checkpointDir: could not read " + store.files.directory() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private void requireSettings(Checkpoint checkpoint, Network initial) {
        TrainerConfig ours = settings.config();
        TrainerConfig theirs = checkpoint.config();
        same("batchSize", theirs.batch(), ours.batch());
        same("learningRate", theirs.learningRate(), ours.learningRate());
        same("optimizer", theirs.optimizer(), ours.optimizer());
        same("schedule", theirs.schedule(), ours.schedule());
        same("seed", theirs.seed(), ours.seed());
        same("epochs", theirs.epochs(), ours.epochs());
        same("layers", checkpoint.network().shape(), initial.shape());
        same("activations", activations(checkpoint.network()), activations(initial));
    }

    private static String activations(Network network) {
        StringBuilder text = new StringBuilder();
        for (int l = 0; l < network.depth(); l++) {
            text.append(l == 0 ? "" : "-").append(network.layer(l).activation());
        }
        return text.toString();
    }

    private void same(String field, Object checkpoint, Object ours) {
        if (!checkpoint.equals(ours)) {
            throw new IllegalArgumentException(field + ": expected " + checkpoint + " as in the checkpoint in "
                    + files.directory() + ", found " + ours);
        }
    }

    /** Replaces the checkpoint with the state after {@code history.size()} epochs; nothing without a folder. */
    void write(Network network, OptimizerState state, List<EpochSummary> history) {
        if (files == null) {
            return;
        }
        try {
            files.write(new Checkpoint(network, state, settings.config(), history.size(), history, fingerprint, samples, null));
        } catch (IOException e) {
            throw new UncheckedIOException("checkpointDir: could not write " + files.directory() + ": " + e.getMessage(), e);
        }
    }
}

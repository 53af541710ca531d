package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints: a run stopped after epoch 2 and resumed from its checkpoint ends bit for bit where
 * the straight run ends (schedule position, optimizer state and shuffling order all restored), and
 * the files replace each other whole and refuse damage.
 */
class CheckpointTest {
    private static final int SAMPLES = 23;

    @TempDir
    Path folder;

    static Stream<Arguments> runs() {
        return Stream.of("reference", "cpu").flatMap(backend -> Stream.of(
                Arguments.of(backend, Optimizer.sgd(), "constant", 0),
                Arguments.of(backend, Optimizer.of(Optimizer.Kind.MOMENTUM), "cosine", 2),
                Arguments.of(backend, Optimizer.of(Optimizer.Kind.ADAM), "step:1:0.5", 1)));
    }

    private static float[] random(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int k = 0; k < values.length; k++) {
            values[k] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    @ParameterizedTest(name = "{0}, {1}, {2}, warm-up {3}")
    @MethodSource("runs")
    void stoppedAndResumedEqualsStraightBitForBit(String name, Optimizer optimizer, String schedule, int warmup)
            throws IOException {
        long seed = 77;
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = random(random, SAMPLES * 3);
        float[] d = random(random, SAMPLES * 2);
        Network start = Network.builder(3).layer(6, Activation.TANH).layer(2, Activation.IDENTITY).build(seed);
        TrainerConfig config = TrainerConfig.builder().epochs(4).batch(5).learningRate(0.05f).seed(seed)
                .optimizer(optimizer).schedule(LearningRateSchedule.parse(schedule).withWarmup(warmup)).build();
        Network straight;
        OptimizerState straightState;
        try (Backend backend = Backends.open(name)) {
            straight = new Trainer(config).train(backend, start, x, d, SAMPLES).network();
            straightState = backend.optimizerState();
        }
        CheckpointFiles files = new CheckpointFiles(folder.resolve("run"));
        try (Backend backend = Backends.open(name)) {
            Trainer first = new Trainer(config).checkpoints(files, 1);
            first.addListener(new TrainingListener() {
                @Override
                public void epochEnded(EpochSummary summary) {
                    if (summary.epoch() == 2) {
                        first.stop();
                    }
                }
            });
            assertEquals(TrainingResult.Ending.STOPPED, first.train(backend, start, x, d, SAMPLES).ending());
        }
        Checkpoint checkpoint = files.read();
        assertEquals(2, checkpoint.epoch());
        try (Backend backend = Backends.open(name)) {
            TrainingResult resumed = new Trainer(config).checkpoints(files, 1).resume(backend, checkpoint, x, d, SAMPLES);
            assertEquals(straight, resumed.network(), "parameters after 4 epochs (seed " + seed + ")");
            assertEquals(4, resumed.epochs().size());
            OptimizerState state = backend.optimizerState();
            assertEquals(straightState.steps(), state.steps());
            for (int l = 0; l < start.depth(); l++) {
                for (int s = 0; s < optimizer.kind().slots(); s++) {
                    assertArrayEquals(straightState.weights(l, s), state.weights(l, s));
                    assertArrayEquals(straightState.bias(l, s), state.bias(l, s));
                }
            }
        }
        assertEquals(4, files.read().epoch(), "the resumed run went on writing checkpoints");
    }

    /** Early stopping's memory (the best epoch, its loss and parameters) travels in the checkpoint too. */
    @Test
    void aResumedRunWithEarlyStoppingKeepsTheSameBestEpoch() throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        float[] x = random(random, SAMPLES * 3);
        float[] d = random(random, SAMPLES * 2);
        float[] heldX = random(random, 9 * 3);
        float[] heldD = random(random, 9 * 2);
        Network start = Network.builder(3).layer(12, Activation.TANH).layer(2, Activation.IDENTITY).build(5);
        TrainerConfig config = TrainerConfig.builder().epochs(200).batch(4).learningRate(0.01f).seed(5)
                .optimizer(Optimizer.of(Optimizer.Kind.ADAM)).build();
        TrainingResult straight;
        try (Backend backend = Backends.open("reference")) {
            straight = new Trainer(config).earlyStopping(new ValidationLoss(backend, heldX, heldD, 9), 4)
                    .train(backend, start, x, d, SAMPLES);
        }
        assertEquals(TrainingResult.Ending.EARLY_STOPPED, straight.ending(), "random teachers: it must stop early");
        int stopAt = straight.epochs().size() - 2; // after the best epoch, before patience runs out
        CheckpointFiles files = new CheckpointFiles(folder.resolve("early"));
        try (Backend backend = Backends.open("reference")) {
            Trainer first = new Trainer(config).earlyStopping(new ValidationLoss(backend, heldX, heldD, 9), 4)
                    .checkpoints(files, 1);
            first.addListener(new TrainingListener() {
                @Override
                public void epochEnded(EpochSummary summary) {
                    if (summary.epoch() == stopAt) {
                        first.stop();
                    }
                }
            });
            first.train(backend, start, x, d, SAMPLES);
        }
        try (Backend backend = Backends.open("reference")) {
            TrainingResult resumed = new Trainer(config).earlyStopping(new ValidationLoss(backend, heldX, heldD, 9), 4)
                    .resume(backend, files.read(), x, d, SAMPLES);
            assertEquals(TrainingResult.Ending.EARLY_STOPPED, resumed.ending());
            assertEquals(straight.restoredEpoch(), resumed.restoredEpoch());
            assertEquals(straight.epochs().size(), resumed.epochs().size());
            assertEquals(straight.network(), resumed.network());
            assertEquals("earlyStopping: expected as in the checkpoint's run (patience 4), found none",
                    assertThrows(IllegalArgumentException.class, () -> new Trainer(config).resume(backend, files.read(),
                            x, d, SAMPLES)).getMessage());
        }
    }

    @Test
    void filesRoundTripAndReplaceThePreviousCheckpointWhole() throws IOException {
        Network network = Network.builder(2).layer(3, Activation.RELU).layer(4, Activation.SOFTMAX).build(5);
        Optimizer adam = Optimizer.builder(Optimizer.Kind.ADAM).beta1(0.8f).epsilon(1e-7f).weightDecay(0.001f).build();
        OptimizerState state = filled(network, adam.kind(), 9);
        TrainerConfig config = TrainerConfig.builder().epochs(9).batch(3).learningRate(0.013f).seed(-4)
                .optimizer(adam).schedule(LearningRateSchedule.step(3, 0.3).withWarmup(2)).build();
        List<EpochSummary> history = List.of(new EpochSummary(1, 9, 0.7, 11, 123), new EpochSummary(2, 9, 0.1 / 3, 11, 456));
        Checkpoint.Best best = new Checkpoint.Best(1, 0.25 / 3, 4, Network.builder(2).layer(3, Activation.RELU)
                .layer(4, Activation.SOFTMAX).build(6), filled(network, adam.kind(), 3));
        Checkpoint written = new Checkpoint(network, state, config, 2, history, 0xdeadbeefL, 11, best);
        CheckpointFiles files = new CheckpointFiles(folder.resolve("a/b"));
        files.write(written);
        Checkpoint read = files.read();
        assertEquals(network, read.network());
        assertEquals(config.toString(), read.config().toString());
        assertEquals(config.optimizer(), read.config().optimizer());
        assertEquals(config.schedule(), read.config().schedule());
        assertEquals(history, read.history());
        assertEquals(0xdeadbeefL, read.dataFingerprint());
        assertEquals(best.network(), read.best().network());
        assertEquals(best.loss(), read.best().loss(), 0.0);
        assertEquals(9, read.optimizerState().steps());
        assertArrayEquals(state.weights(1, 1), read.optimizerState().weights(1, 1));
        assertArrayEquals(best.optimizerState().bias(0, 0), read.best().optimizerState().bias(0, 0));

        // what a write cut short leaves behind: binaries and a temporary manifest that no manifest names
        Files.write(files.directory().resolve("epoch-000002-deadbeef.parameters"), new byte[] {1});
        Files.write(files.directory().resolve(".checkpoint.json.epoch-000002-deadbeef.tmp"), new byte[] {1});
        Files.write(files.directory().resolve("notes.txt"), new byte[] {1});
        files.write(new Checkpoint(network, state, config, 2, history, 1, 11, null));
        Files.delete(files.directory().resolve("notes.txt")); // not ours: kept
        try (Stream<Path> left = Files.list(files.directory())) {
            assertEquals(3, left.count(), "the manifest and the new checkpoint's two files, nothing of the previous one");
        }
        assertEquals(null, files.read().best());
    }

    @Test
    void damagedOrMissingFilesAreRefusedByName() throws IOException {
        CheckpointFiles files = new CheckpointFiles(folder.resolve("c"));
        assertThrows(NoSuchFileException.class, files::read);
        Network network = Network.builder(2).layer(2, Activation.TANH).build(1);
        TrainerConfig config = TrainerConfig.builder().build();
        files.write(new Checkpoint(network, OptimizerState.initial(network, Optimizer.Kind.SGD), config, 1,
                List.of(new EpochSummary(1, 100, 1, 4, 1)), 7, 4, null));
        Path parameters;
        try (Stream<Path> list = Files.list(files.directory())) {
            parameters = list.filter(p -> p.toString().endsWith(".parameters")).findFirst().orElseThrow();
        }
        byte[] content = Files.readAllBytes(parameters);
        content[3] ^= 1;
        Files.write(parameters, content);
        assertTrue(assertThrows(IOException.class, files::read).getMessage().contains("SHA-256"));
        Files.write(parameters, java.util.Arrays.copyOf(content, 8));
        assertTrue(assertThrows(IOException.class, files::read).getMessage().contains("(truncated?)"));
        Files.writeString(files.directory().resolve(CheckpointFiles.MANIFEST), "{\"format\": \"other\"}");
        assertTrue(assertThrows(IOException.class, files::read).getMessage().endsWith("format: expected \"deltaprop-checkpoint\""));
    }

    @Test
    void resumeRefusesOtherSettingsOrData() throws IOException {
        Network network = Network.builder(1).layer(1, Activation.IDENTITY).build(1);
        float[] x = {1, 2, 3};
        float[] d = {2, 4, 6};
        TrainerConfig config = TrainerConfig.builder().epochs(3).batch(2).build();
        Checkpoint checkpoint = new Checkpoint(network, OptimizerState.initial(network, Optimizer.Kind.SGD), config, 1,
                List.of(new EpochSummary(1, 3, 1, 3, 1)), Checkpoint.fingerprint(x, d), 3, null);
        TrainerTest.RecordingBackend backend = new TrainerTest.RecordingBackend();
        assertEquals("batch: expected 2 as in the checkpoint's run, found 3", assertThrows(IllegalArgumentException.class,
                () -> new Trainer(config.toBuilder().batch(3).build()).resume(backend, checkpoint, x, d, 3)).getMessage());
        assertEquals("optimizer: expected sgd as in the checkpoint's run, found adam (β₁ 0.9, β₂ 0.999, ε 1.0E-8, λ 0.0)",
                assertThrows(IllegalArgumentException.class, () -> new Trainer(config.toBuilder()
                        .optimizer(Optimizer.of(Optimizer.Kind.ADAM)).build()).resume(backend, checkpoint, x, d, 3)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Trainer(config).resume(backend, checkpoint, x,
                new float[] {2, 4, 7}, 3)).getMessage().startsWith("data: expected the checkpoint's training data (3 samples"));
        assertEquals("epochs: expected more than the checkpoint's 1 finished epochs (the total to reach), found 1",
                assertThrows(IllegalArgumentException.class, () -> new Trainer(config.toBuilder().epochs(1).build())
                        .resume(backend, checkpoint, x, d, 3)).getMessage());
        assertEquals(0, backend.inputs.size(), "no step before the checks");
    }

    private static OptimizerState filled(Network network, Optimizer.Kind kind, long steps) {
        SplittableRandom random = new SplittableRandom(steps);
        float[][][] w = new float[network.depth()][kind.slots()][];
        float[][][] b = new float[network.depth()][kind.slots()][];
        for (int l = 0; l < network.depth(); l++) {
            for (int s = 0; s < kind.slots(); s++) {
                w[l][s] = random(random, network.layer(l).inputs() * network.layer(l).outputs());
                b[l][s] = random(random, network.layer(l).outputs());
            }
        }
        return new OptimizerState(kind, steps, w, b);
    }
}

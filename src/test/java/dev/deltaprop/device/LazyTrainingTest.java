package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingDivergedException;
import dev.deltaprop.train.TrainingListener;
import dev.deltaprop.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 3 through the {@link Trainer}: on a device it queues its steps and reads the loss
 * every N steps; with N = 7 (readings inside epochs and at their ends, 10 batches per epoch, the
 * last one short) the run must give the model, the epoch losses and every batch loss a listener
 * sees bit for bit as with N = 1 (a reading after every step, what every step did before); and a
 * divergence is reported with the same message, epoch and batch.
 */
class LazyTrainingTest {
    private static final int SAMPLES = 93;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void readingEveryNStepsTrainsTheSameModelAsReadingEveryStep(String backend) {
        long seed = Seeds.seed();
        String what = backend + " (seed " + seed + ")";
        Network start = Network.builder(6).layer(17, Activation.TANH).layer(2, Activation.IDENTITY).build(seed);
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = Compare.uniform(random, SAMPLES * 6, 1.0);
        float[] d = Compare.uniform(random, SAMPLES * 2, 1.0);
        TrainerConfig config = TrainerConfig.builder().epochs(4).batch(10).learningRate(0.05f).seed(seed).build();
        List<Float> everyStep = new ArrayList<>();
        List<Float> everySeven = new ArrayList<>();
        TrainingResult eager;
        TrainingResult lazy;
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            eager = new Trainer(config).readLossEvery(1).addListener(batches(everyStep)).train(device, start, x, d, SAMPLES);
        }
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            Trainer trainer = new Trainer(config).readLossEvery(7).addListener(batches(everySeven));
            lazy = trainer.train(device, start, x, d, SAMPLES);
        }
        assertEquals(4 * 10, everyStep.size(), what);
        assertEquals(everyStep, everySeven, what + ": every batch loss a listener sees");
        for (int e = 0; e < 4; e++) {
            assertEquals(Double.doubleToLongBits(eager.epochs().get(e).loss()),
                    Double.doubleToLongBits(lazy.epochs().get(e).loss()), what + ": loss of epoch " + (e + 1));
        }
        for (int l = 0; l < start.depth(); l++) {
            assertArrayEquals(eager.network().layer(l).weights(), lazy.network().layer(l).weights(), 0f, what + ": W^" + (l + 1));
            assertArrayEquals(eager.network().layer(l).bias(), lazy.network().layer(l).bias(), 0f, what + ": b^" + (l + 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void aDivergenceIsReportedAtTheSameEpochAndBatch(String backend) {
        long seed = Seeds.seed();
        String what = backend + " (seed " + seed + ")";
        Network start = Network.builder(6).layer(17, Activation.IDENTITY).layer(2, Activation.IDENTITY).build(seed);
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = Compare.uniform(random, SAMPLES * 6, 30.0);
        float[] d = Compare.uniform(random, SAMPLES * 2, 30.0);
        // a learning rate that blows up within a few epochs
        TrainerConfig config = TrainerConfig.builder().epochs(50).batch(10).learningRate(5f).seed(seed).build();
        TrainingDivergedException eager;
        TrainingDivergedException lazy;
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            eager = assertThrows(TrainingDivergedException.class,
                    () -> new Trainer(config).readLossEvery(1).train(device, start, x, d, SAMPLES));
        }
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            lazy = assertThrows(TrainingDivergedException.class,
                    () -> new Trainer(config).readLossEvery(7).train(device, start, x, d, SAMPLES));
        }
        assertTrue(eager.getMessage().startsWith("loss became"), what + ": " + eager.getMessage());
        assertEquals(eager.getMessage(), lazy.getMessage(), what);
        assertEquals(eager.epoch(), lazy.epoch(), what);
        assertEquals(eager.batch(), lazy.batch(), what);
    }

    private static TrainingListener batches(List<Float> losses) {
        return new TrainingListener() {
            @Override
            public void batchEnded(int epoch, int batch, int batches, float loss, double samplesPerSecond) {
                losses.add(loss);
            }
        };
    }
}

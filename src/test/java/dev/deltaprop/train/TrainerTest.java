package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training loop: batching, order, mean loss, listeners, divergence, hyper-parameter checks. */
class TrainerTest {

    /**
     * A backend that records every step: the first input of each sample it was given and the
     * batch size, and returns a loss of its choosing. It keeps no parameters.
     */
    static final class RecordingBackend implements Backend {
        final List<float[]> inputs = new ArrayList<>();
        final List<Float> learningRates = new ArrayList<>();
        Network network;
        int uploads;
        /** The loss the k-th step returns (k counts from 0 over the whole run). */
        java.util.function.IntFunction<Float> loss = k -> 1f;

        @Override public String name() { return "recording"; }
        @Override public String device() { return "test"; }
        @Override public void load(Network network, dev.deltaprop.model.Optimizer optimizer, dev.deltaprop.model.OptimizerState state) { this.network = network; this.optimizer = optimizer; }
        private dev.deltaprop.model.Optimizer optimizer;
        @Override public dev.deltaprop.model.Optimizer optimizer() { return optimizer; }
        @Override public dev.deltaprop.model.OptimizerState optimizerState() { return dev.deltaprop.model.OptimizerState.initial(network, optimizer.kind()); }
        @Override public Network network() { return network; }

        @Override
        public float step(float[] x, float[] d, int batch, float learningRate) {
            float[] firsts = new float[batch];
            for (int b = 0; b < batch; b++) {
                firsts[b] = x[b * network.inputs()];
            }
            inputs.add(firsts);
            learningRates.add(learningRate);
            return loss.apply(inputs.size() - 1);
        }

        @Override
        public float step(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] predict(float[] x, int batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public dev.deltaprop.backend.Dataset upload(float[] x, float[] d, int samples) {
            uploads++;
            return Backend.super.upload(x, d, samples);
        }

        @Override public void close() { }
    }

    private static final Network NET = Network.builder(1).layer(1, Activation.IDENTITY).build(1);

    /** Sample s has x = s, so the recorded inputs are the sample indices. */
    private static float[] indices(int samples) {
        float[] x = new float[samples];
        for (int s = 0; s < samples; s++) {
            x[s] = s;
        }
        return x;
    }

    @Test
    void fileOrderPartialLastBatchAndOneUpload() {
        RecordingBackend backend = new RecordingBackend();
        TrainerConfig config = TrainerConfig.builder().epochs(2).batch(4).learningRate(0.25f).shuffle(false).build();
        new Trainer(config).train(backend, NET, indices(10), new float[10], 10);
        assertEquals(1, backend.uploads);
        assertEquals(6, backend.inputs.size());
        for (int epoch = 0; epoch < 2; epoch++) {
            assertArrayEquals(new float[] {0, 1, 2, 3}, backend.inputs.get(3 * epoch));
            assertArrayEquals(new float[] {4, 5, 6, 7}, backend.inputs.get(3 * epoch + 1));
            // the last batch has 2 samples, not 4: the backend takes its own mean over them
            assertArrayEquals(new float[] {8, 9}, backend.inputs.get(3 * epoch + 2));
        }
        assertTrue(backend.learningRates.stream().allMatch(rate -> rate == 0.25f));
    }

    @Test
    void shuffledEpochsVisitEverySampleOnceAndRepeatWithTheSeed() {
        List<Float> first = visits(7);
        assertEquals(first, visits(7));
        assertNotEquals(first, visits(8));
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Float> seen = new ArrayList<>(first.subList(epoch * 11, (epoch + 1) * 11));
            seen.sort(null);
            for (int s = 0; s < 11; s++) {
                assertEquals(s, seen.get(s), 0f, "epoch " + epoch);
            }
        }
        // and not all in file order
        assertNotEquals(first.subList(0, 11), List.of(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f));
    }

    private static List<Float> visits(long seed) {
        RecordingBackend backend = new RecordingBackend();
        TrainerConfig config = TrainerConfig.builder().epochs(3).batch(3).seed(seed).build();
        new Trainer(config).train(backend, NET, indices(11), new float[11], 11);
        List<Float> order = new ArrayList<>();
        for (float[] batch : backend.inputs) {
            for (float v : batch) {
                order.add(v);
            }
        }
        return order;
    }

    @Test
    void epochLossIsTheMeanPerSample() {
        RecordingBackend backend = new RecordingBackend();
        // batches of 4, 4, 2 with mean losses 1, 2, 4: per sample (4·1 + 4·2 + 2·4) / 10 = 2
        backend.loss = k -> new float[] {1f, 2f, 4f}[k % 3];
        TrainerConfig config = TrainerConfig.builder().epochs(1).batch(4).shuffle(false).build();
        TrainingResult result = new Trainer(config).train(backend, NET, indices(10), new float[10], 10);
        assertEquals(2.0, result.finalLoss(), 1e-12);
        assertEquals(10, result.epochs().get(0).samples());
    }

    @Test
    void listenersHearEveryEpochAndBatch() {
        List<String> events = new ArrayList<>();
        RecordingBackend backend = new RecordingBackend();
        backend.loss = k -> 0.5f;
        TrainerConfig config = TrainerConfig.builder().epochs(2).batch(2).shuffle(false).build();
        new Trainer(config).addListener(new TrainingListener() {
            @Override public void epochStarted(int epoch, int epochs, int batches) {
                events.add("start " + epoch + "/" + epochs + " " + batches);
            }
            @Override public void batchEnded(int epoch, int batch, int batches, float loss, double samplesPerSecond) {
                assertTrue(samplesPerSecond > 0);
                events.add("batch " + epoch + "." + batch + "/" + batches + " " + loss);
            }
            @Override public void epochEnded(EpochSummary summary) {
                events.add("end " + summary.epoch() + " " + summary.loss());
            }
        }).train(backend, NET, indices(3), new float[3], 3);
        assertEquals(List.of("start 1/2 2", "batch 1.1/2 0.5", "batch 1.2/2 0.5", "end 1 0.5",
                "start 2/2 2", "batch 2.1/2 0.5", "batch 2.2/2 0.5", "end 2 0.5"), events);
    }

    @Test
    void nonFiniteLossStopsWithEpochAndBatch() {
        RecordingBackend backend = new RecordingBackend();
        // the 6th step overall: epoch 2 (3 batches an epoch), batch 3
        backend.loss = k -> k == 5 ? Float.NaN : 1f;
        TrainerConfig config = TrainerConfig.builder().epochs(5).batch(4).shuffle(false).learningRate(0.5f).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(config).train(backend, NET, indices(10), new float[10], 10));
        assertEquals(2, e.epoch());
        assertEquals(3, e.batch());
        assertTrue(e.getMessage().startsWith("loss became NaN at epoch 2 of 5, batch 3 of 3 (samples 8..9"), e.getMessage());
        assertEquals(6, backend.inputs.size(), "no step after the loss stopped being finite");
    }

    @Test
    void realDivergenceOnTheReferenceIsCaught() {
        // a learning rate far too large for data of this scale: the weights overflow within a few steps
        float[] x = {100, -200, 300, -400};
        float[] d = {1000, 2000, 3000, 4000};
        TrainerConfig config = TrainerConfig.builder().epochs(50).batch(1).learningRate(10f).shuffle(false).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(config).train(new ReferenceBackend(), NET, x, d, 4));
        assertTrue(e.getMessage().contains("at epoch " + e.epoch() + " of 50, batch " + e.batch() + " of 4"), e.getMessage());
    }

    @Test
    void hyperParametersAreCheckedByName() {
        assertMessage("epochs: expected at least 1, found 0", () -> TrainerConfig.builder().epochs(0).build());
        assertMessage("batch: expected at least 1 sample, found 0", () -> TrainerConfig.builder().batch(0).build());
        assertMessage("batch: expected at least 1 sample, found -3", () -> TrainerConfig.builder().batch(-3).build());
        for (float rate : new float[] {0f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertMessage("learningRate: expected a finite number > 0, found " + rate,
                    () -> TrainerConfig.builder().learningRate(rate).build());
        }
    }

    @Test
    void dataAreCheckedBeforeTheBackendIsTouched() {
        RecordingBackend backend = new RecordingBackend();
        Trainer trainer = new Trainer(TrainerConfig.builder().build());
        assertMessage("samples: expected at least 1 sample to train on, found 0",
                () -> trainer.train(backend, NET, new float[0], new float[0], 0));
        assertMessage("x: expected 3 numbers (3 samples × 1 inputs), found 2",
                () -> trainer.train(backend, NET, new float[2], new float[3], 3));
        assertMessage("d: expected 3 numbers (3 samples × 1 outputs), found 4",
                () -> trainer.train(backend, NET, new float[3], new float[4], 3));
        assertMessage("x[1][0]: expected a finite number, found NaN",
                () -> trainer.train(backend, NET, new float[] {0, Float.NaN, 1}, new float[3], 3));
        assertMessage("d[2][0]: expected a finite number, found -Infinity",
                () -> trainer.train(backend, NET, new float[3], new float[] {0, 0, Float.NEGATIVE_INFINITY}, 3));
        assertEquals(null, backend.network, "nothing was loaded into the backend");
        assertEquals(0, backend.uploads);
    }

    /** Without shuffling, the trainer takes exactly the steps one would take by hand, in file order. */
    @Test
    void sameResultAsStepsByHand() {
        Network network = Network.builder(3).layer(5, Activation.TANH).layer(2, Activation.SIGMOID).build(9);
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        int samples = 13;
        float[] x = new float[samples * 3];
        float[] d = new float[samples * 2];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) random.nextDouble(-1, 1);
        }
        for (int k = 0; k < d.length; k++) {
            d[k] = (float) random.nextDouble();
        }
        TrainerConfig config = TrainerConfig.builder().epochs(3).batch(5).learningRate(0.3f).shuffle(false).build();
        Network trained = new Trainer(config).train(new ReferenceBackend(), network, x, d, samples).network();

        ReferenceBackend byHand = new ReferenceBackend();
        byHand.load(network);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int offset = 0; offset < samples; offset += 5) {
                int size = Math.min(5, samples - offset);
                byHand.step(java.util.Arrays.copyOfRange(x, offset * 3, (offset + size) * 3),
                        java.util.Arrays.copyOfRange(d, offset * 2, (offset + size) * 2), size, 0.3f);
            }
        }
        assertEquals(byHand.network(), trained);
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertEquals(expected, e.getMessage());
    }
}

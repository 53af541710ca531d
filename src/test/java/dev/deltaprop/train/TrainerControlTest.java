package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ending a run early: {@link Trainer#stop()}, thread interruption, and early stopping on the held-out loss. */
class TrainerControlTest {
    private static final Network NET = Network.builder(1).layer(1, Activation.IDENTITY).build(1);

    @Test
    void stopFromABatchEndsTheRunBeforeTheNextBatch() {
        TrainerTest.RecordingBackend backend = new TrainerTest.RecordingBackend();
        TrainerConfig config = TrainerConfig.builder().epochs(5).batch(2).shuffle(false).build();
        Trainer trainer = new Trainer(config);
        List<Integer> started = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                started.add(epoch);
            }

            @Override
            public void batchEnded(int epoch, int batch, int batches, float loss, double samplesPerSecond) {
                if (epoch == 2 && batch == 1) {
                    trainer.stop();
                }
            }
        });
        TrainingResult result = trainer.train(backend, NET, new float[6], new float[6], 6);
        assertEquals(TrainingResult.Ending.STOPPED, result.ending());
        assertEquals(1, result.epochs().size(), "the epoch cut short has no summary");
        assertEquals(3 + 1, backend.inputs.size(), "epoch 1's three steps and one of epoch 2");
        assertEquals(List.of(1, 2), started);

        // a new run clears the request
        TrainerTest.RecordingBackend again = new TrainerTest.RecordingBackend();
        Trainer plain = new Trainer(config);
        plain.stop();
        assertEquals(TrainingResult.Ending.COMPLETED, plain.train(again, NET, new float[6], new float[6], 6).ending());
        assertEquals(15, again.inputs.size());
    }

    @Test
    void stopAtTheEndOfAnEpochStartsNoOther() {
        TrainerTest.RecordingBackend backend = new TrainerTest.RecordingBackend();
        Trainer trainer = new Trainer(TrainerConfig.builder().epochs(5).batch(4).build());
        List<Integer> started = new ArrayList<>();
        trainer.addListener(new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                started.add(epoch);
            }

            @Override
            public void epochEnded(EpochSummary summary) {
                if (summary.epoch() == 2) {
                    trainer.stop();
                }
            }
        });
        TrainingResult result = trainer.train(backend, NET, new float[8], new float[8], 8);
        assertEquals(TrainingResult.Ending.STOPPED, result.ending());
        assertEquals(2, result.epochs().size());
        assertEquals(List.of(1, 2), started);
        assertEquals(4, backend.inputs.size());
    }

    @Test
    void anInterruptedThreadEndsTheRunWithTheResultSoFarAndKeepsItsStatus() {
        TrainerTest.RecordingBackend backend = new TrainerTest.RecordingBackend();
        Trainer trainer = new Trainer(TrainerConfig.builder().epochs(3).batch(1).shuffle(false).build());
        trainer.addListener(new TrainingListener() {
            @Override
            public void batchEnded(int epoch, int batch, int batches, float loss, double samplesPerSecond) {
                if (epoch == 2 && batch == 2) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try {
            TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class,
                    () -> trainer.train(backend, NET, new float[4], new float[4], 4));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status stays set");
            assertEquals("training: the thread was interrupted; stopped before batch 3 of 4 of epoch 2 of 3", e.getMessage());
            assertEquals(2, e.epoch());
            assertEquals(3, e.batch());
            assertEquals(6, backend.inputs.size(), "4 steps of epoch 1 and 2 of epoch 2");
            assertEquals(1, e.partialResult().epochs().size());
            assertEquals(TrainingResult.Ending.STOPPED, e.partialResult().ending());
        } finally {
            Thread.interrupted();
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    /**
     * y = w x from w = 0 on training samples with d = x, held out d = 0.5 x: w climbs towards 1, so the
     * held-out loss falls until w passes 0.5 and then rises. Early stopping must stop {@code patience}
     * epochs after the lowest one and leave that epoch's parameters in the result and the backend.
     */
    @Test
    void earlyStoppingKeepsTheEpochWithTheLowestHeldOutLoss() {
        Network start = new Network(List.of(new dev.deltaprop.model.Layer(1, 1, Activation.IDENTITY, new float[] {0},
                new float[] {0})));
        float[] x = {1, -1, 0.5f, -0.5f};
        float[] d = x.clone();
        float[] heldX = {0.75f, -0.25f};
        float[] heldD = {0.375f, -0.125f};
        int patience = 3;
        try (ReferenceBackend backend = new ReferenceBackend()) {
            Trainer trainer = new Trainer(TrainerConfig.builder().epochs(100).batch(4).learningRate(0.1f).shuffle(false)
                    .build());
            ValidationLoss heldOut = new ValidationLoss(backend, heldX, heldD, 2);
            List<Network> after = new ArrayList<>();
            trainer.earlyStopping(heldOut, patience).addListener(new TrainingListener() {
                @Override
                public void epochEnded(EpochSummary summary) {
                    after.add(backend.network());
                }
            });
            TrainingResult result = trainer.train(backend, start, x, d, 4);
            List<Double> losses = heldOut.losses();
            int best = 0;
            for (int e = 1; e < losses.size(); e++) {
                best = losses.get(e) < losses.get(best) ? e : best;
            }
            assertTrue(best > 0 && best < 20, "the held-out loss falls, then rises: lowest at epoch " + (best + 1));
            assertEquals(TrainingResult.Ending.EARLY_STOPPED, result.ending());
            assertEquals(best + 1 + patience, result.epochs().size());
            assertEquals(best + 1, result.restoredEpoch());
            assertEquals(after.get(best), result.network());
            assertEquals(after.get(best), backend.network(), "the backend holds the restored parameters");
            assertEquals(losses.get(best), heldOut.measure(), 0.0);
        }
    }

    @Test
    void earlyStoppingRefusesAPatienceBelowOne() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            ValidationLoss heldOut = new ValidationLoss(backend, new float[] {1}, new float[] {1}, 1);
            assertEquals("patience: expected at least 1 epoch without improvement, found 0",
                    assertThrows(IllegalArgumentException.class,
                            () -> new Trainer(TrainerConfig.builder().build()).earlyStopping(heldOut, 0)).getMessage());
        }
    }
}

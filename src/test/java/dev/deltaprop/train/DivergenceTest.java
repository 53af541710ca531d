package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #5: a last step whose loss was finite but whose update overflowed used to surface only
 * at save time, as "weights[0]: expected a finite number", naming no layer, epoch or learning
 * rate. It is a divergence, reported where it happened.
 */
class DivergenceTest {
    @Test
    void anOverflowingLastUpdateIsADivergenceNamingLayerEpochBatchAndLearningRate() {
        for (Supplier<Backend> open : List.<Supplier<Backend>>of(ReferenceBackend::new, () -> new CpuBackend(1))) {
            Network network = Network.builder(1).layer(1, Activation.IDENTITY).build(3);
            TrainerConfig config = TrainerConfig.builder().epochs(1).batch(1).learningRate(3e38f).build();
            try (Backend backend = open.get()) {
                // ½ (1000 w)² is finite; the step w − η · 1000 w is not
                TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                        () -> new Trainer(config).train(backend, network, new float[] {1000f}, new float[] {0f}, 1));
                String message = e.getMessage();
                assertTrue(message.contains("layers[0]") && message.contains("epoch 1") && message.contains("batch 1")
                        && message.contains("3.0E38"), backend.name() + ": " + message);
                assertEquals(1, e.epoch());
                assertEquals(1, e.batch());
            }
        }
    }

    /** The same overflow, found when the epoch's checkpoint copies the parameters out: still a divergence. */
    @Test
    void anOverflowFoundByACheckpointIsADivergenceToo(@TempDir Path folder) {
        Network network = Network.builder(1).layer(1, Activation.IDENTITY).build(3);
        TrainerConfig config = TrainerConfig.builder().epochs(3).batch(1).learningRate(3e38f).shuffle(false).build();
        try (Backend backend = new ReferenceBackend()) {
            Trainer trainer = new Trainer(config).checkpoints(new CheckpointFiles(folder.resolve("run")), 1);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.train(backend, network, new float[] {1000f}, new float[] {0f}, 1));
            assertTrue(e.getMessage().contains("layers[0]") && e.getMessage().contains("epoch 1 of 3"), e.getMessage());
        }
    }
}

package dev.deltaprop.spark;

import dev.deltaprop.model.Network;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task killed in the middle of training ({@link FaultInjection} throws in the first attempt of
 * the second partition's task of epoch 2, step 3) is retried by Spark ({@code local[2,2]}: two
 * attempts) and the model is the undisturbed run's, bit for bit; a fit that fails for good there
 * leaves the checkpoint of epoch 1, and a new fit resumes from it to the same model.
 */
class FaultToleranceTest {
    @TempDir
    Path folder;

    @AfterEach
    void disarm() {
        FaultInjection.disarm();
    }

    private static DistributedFit.Result fit(FitSettings settings) {
        Dataset<Row> frame = TestSpark.frame(ExactGradientsTest.rows(), 2);
        return DistributedFit.run(frame, "features", "label", settings, 10, 2);
    }

    @Test
    void aKilledTaskIsRetriedWithoutCorruptingTheModel() {
        for (FitSettings.Sync sync : FitSettings.Sync.values()) {
            FitSettings settings = ExactGradientsTest.settings("adam", sync, "");
            Network undisturbed = fit(settings).network();
            FaultInjection.failOnce(1, 2, sync == FitSettings.Sync.GRADIENTS ? 3 : 2);
            DistributedFit.Result retried = fit(settings);
            assertFalse(FaultInjection.armed(), sync + ": the injected failure fired");
            assertEquals(undisturbed, retried.network(), sync.toString());
        }
    }

    @Test
    void aFailedFitResumesFromItsCheckpoint() {
        FitSettings plain = ExactGradientsTest.settings("adam", FitSettings.Sync.GRADIENTS, "");
        DistributedFit.Result undisturbed = fit(plain);

        Path checkpoints = folder.resolve("checkpoints");
        FitSettings checkpointed = ExactGradientsTest.settings("adam", FitSettings.Sync.GRADIENTS, checkpoints.toString());
        FaultInjection.failAlways(1, 2, 3);
        Exception failure = assertThrows(Exception.class, () -> fit(checkpointed));
        assertTrue(String.valueOf(failure.getMessage()).contains("injected failure"), failure.getMessage());
        FaultInjection.disarm();
        assertTrue(Files.exists(checkpoints.resolve("checkpoint.json")), "epoch 1 left a checkpoint");

        DistributedFit.Result resumed = fit(checkpointed);
        assertEquals(1, resumed.outcome().resumedAt(), "the new fit resumed after epoch 1");
        assertEquals(undisturbed.network(), resumed.network());
        assertArrayEquals(undisturbed.outcome().losses(), resumed.outcome().losses());

        // a fit on a finished run's checkpoints returns its model
        DistributedFit.Result again = fit(checkpointed);
        assertEquals(plain.epochs(), again.outcome().resumedAt());
        assertEquals(undisturbed.network(), again.network());
    }

    @Test
    void aCheckpointOfOtherSettingsIsRefusedNamingTheField() {
        Path checkpoints = folder.resolve("other");
        fit(ExactGradientsTest.settings("adam", FitSettings.Sync.GRADIENTS, checkpoints.toString()));
        FitSettings sgd = ExactGradientsTest.settings("sgd", FitSettings.Sync.GRADIENTS, checkpoints.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(sgd));
        assertTrue(String.valueOf(e.getMessage()).contains("optimizer: expected adam"), e.getMessage());
    }
}

package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 #1: a batch far larger than the data set is one batch of every sample, never a
 * silent epoch without steps; size products past 2^31 are refused by name, not wrapped.
 */
class SizeOverflowTest {
    private static final float[] X = {0, 0, 0, 1, 1, 0, 1, 1};
    private static final float[] D = {0, 1, 1, 0};

    private static Network xor() {
        return Network.builder(2).layer(4, Activation.TANH).layer(1, Activation.IDENTITY).build(7);
    }

    @Test
    void aBatchOfIntegerMaxValueIsOneBatchOfAllSamples() {
        TrainerConfig huge = TrainerConfig.builder().epochs(3).batch(Integer.MAX_VALUE).learningRate(0.1f)
                .shuffle(false).build();
        TrainerConfig exact = huge.toBuilder().batch(4).build();
        TrainingResult big;
        TrainingResult four;
        try (ReferenceBackend backend = new ReferenceBackend()) {
            big = new Trainer(huge).train(backend, xor(), X, D, 4);
            four = new Trainer(exact).train(backend, xor(), X, D, 4);
        }
        assertTrue(big.finalLoss() > 0, "the loss of a real step, found " + big.finalLoss());
        assertNotEquals(xor(), big.network(), "the network was trained");
        assertEquals(four.network(), big.network(), "batch ≥ samples is the same as batch = samples");
        assertEquals(four.finalLoss(), big.finalLoss());
    }

    @Test
    void aBatchOfIntegerMaxValueOnCpuTrainsToo() {
        TrainerConfig huge = TrainerConfig.builder().epochs(2).batch(Integer.MAX_VALUE - 1).learningRate(0.1f).build();
        try (CpuBackend backend = new CpuBackend(1)) {
            TrainingResult result = new Trainer(huge).train(backend, xor(), X, D, 4);
            assertTrue(result.finalLoss() > 0);
            assertNotEquals(xor(), result.network());
        }
    }

    @Test
    void aLayerPastTheLargestArrayIsRefusedBeforeAllocating() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.builder(65536).layer(65536, Activation.TANH).build(1));
        assertTrue(e.getMessage().contains("layers[0]") && e.getMessage().contains("65536 × 65536"), e.getMessage());
    }

    @Test
    void aBatchTimesWidthPastTheLargestArrayIsRefusedByName() {
        Network wide = Network.builder(1).layer(3000, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
        try (CpuBackend backend = new CpuBackend(1)) {
            backend.load(wide);
            // 1 000 000 samples × 3000 units = 3·10^9 activations: more than an array holds
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.predict(new float[1_000_000], 1_000_000));
            assertTrue(e.getMessage().contains("1000000 × 3000"), e.getMessage());
        }
    }
}

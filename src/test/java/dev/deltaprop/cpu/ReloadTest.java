package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.testing.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A reload of the same shape keeps the gradient sums and the activations (it allocates the
 * parameters' copies, not a second parameter-sized array), without changing a number; and a closed
 * team of workers names its owner.
 */
class ReloadTest {
    private static final long SEED = Seeds.seed();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    static {
        System.out.println("ReloadTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    /**
     * sgd has no state, so a load copies the weights ({@code P} floats) and, before the sums were
     * kept, made the {@code P + biases} floats of gradient sums too: the bound lies between the two.
     */
    @Test
    void aReloadOfTheSameShapeAllocatesOnlyTheParameters() {
        Network network = Network.builder(300).layer(1000, Activation.TANH).layer(300, Activation.IDENTITY).build(SEED);
        long parameterBytes = 4L * network.parameterCount();
        try (CpuBackend cpu = new CpuBackend(1)) {
            cpu.load(network);
            long smallest = Long.MAX_VALUE;
            for (int reload = 0; reload < 5; reload++) { // the smallest of five: a class loaded once is not the load's
                long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
                cpu.load(network);
                smallest = Math.min(smallest, THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
            }
            assertTrue(smallest >= parameterBytes, "a reload copies the parameters: " + smallest + " bytes");
            assertTrue(smallest < parameterBytes * 3 / 2, "a reload of the same shape allocated " + smallest
                    + " bytes for " + parameterBytes + " bytes of parameters: the gradient sums were made again");
        }
    }

    /**
     * Gradient sums and activations left by the previous load read as a fresh backend's: zero sums
     * before any gradient, then the same gradients and the same steps, bit for bit, for a reload of
     * the same shape and for one of another shape and back.
     */
    @Test
    void aReloadedBackendComputesWhatAFreshOneDoes() {
        SplittableRandom random = new SplittableRandom(SEED);
        Network first = Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.SIGMOID).build(SEED);
        Network second = Network.builder(13).layer(33, Activation.RELU).layer(7, Activation.SIGMOID).build(SEED + 1);
        Network other = Network.builder(13).layer(5, Activation.TANH).layer(7, Activation.SIGMOID).build(SEED + 2);
        int batch = 19;
        float[] x = dev.deltaprop.testing.Compare.uniform(random, batch * 13, 1.0);
        float[] d = dev.deltaprop.testing.Compare.uniform(random, batch * 7, 1.0);
        try (CpuBackend reused = new CpuBackend(2)) {
            for (Network before : new Network[] {first, other}) {
                reused.load(before);
                reused.step(x, d, batch, 0.1f);
                reused.gradient(x, d, 0, batch); // sums left behind
                reused.load(second);
                float[] sums = new float[reused.gradientLength()];
                reused.readGradient(sums);
                assertArrayEquals(new float[sums.length], sums, "sums after a reload (previous " + before.shape() + ")");
                try (CpuBackend fresh = new CpuBackend(2)) {
                    fresh.load(second);
                    assertEquals(fresh.gradient(x, d, 0, batch), reused.gradient(x, d, 0, batch));
                    float[] expected = new float[sums.length];
                    fresh.readGradient(expected);
                    reused.readGradient(sums);
                    assertArrayEquals(expected, sums, "gradient after a reload (previous " + before.shape() + ")");
                    for (int step = 0; step < 3; step++) {
                        assertEquals(fresh.step(x, d, batch, 0.1f), reused.step(x, d, batch, 0.1f));
                    }
                    assertArrayEquals(fresh.predict(x, batch), reused.predict(x, batch));
                }
            }
        }
    }

    @Test
    void closedWorkersNameTheirOwner() {
        Workers workers = new Workers("a predictor", 2);
        workers.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> workers.run((part, parts) -> { }));
        assertTrue(e.getMessage().startsWith("a predictor: closed"), e.getMessage());
        Passes passes = new Passes(2, MicroKernels.chosen());
        passes.close();
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> passes.softmax(new float[4], new float[4], 2, 2));
        assertTrue(refused.getMessage().startsWith(Workers.PASSES + ": closed"), refused.getMessage());
        assertTrue(!refused.getMessage().contains("backend"), refused.getMessage());
    }
}

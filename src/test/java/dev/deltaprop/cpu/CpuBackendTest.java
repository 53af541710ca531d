package dev.deltaprop.cpu;

import dev.deltaprop.testing.SteadyWindows;
import static dev.deltaprop.testing.Compare.assertClose;
import static dev.deltaprop.testing.Compare.toDouble;
import static dev.deltaprop.testing.Compare.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.ReferenceBackend;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole training on the cpu backend against the reference backend, thread-count independence,
 * and refusal of bad input.
 */
class CpuBackendTest {
    private static final long SEED = Seeds.seed();

    static {
        System.out.println("CpuBackendTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    static MicroKernel kernel(String name) {
        return name.equals("scalar") ? new ScalarMicroKernel() : MicroKernels.vector();
    }

    /** Odd widths, every activation somewhere, identity output. */
    static Network oddNetwork(long seed) {
        return Network.builder(37).layer(33, Activation.TANH).layer(7, Activation.SIGMOID)
                .layer(257, Activation.RELU).layer(5, Activation.LEAKY_RELU).layer(9, Activation.SOFTPLUS)
                .layer(3, Activation.IDENTITY).build(seed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void tenStepsMatchReference(String kernel) {
        for (int batch : new int[] {1, 19, 300}) {
            Network network = oddNetwork(SEED);
            SplittableRandom random = new SplittableRandom(SEED + batch);
            try (CpuBackend cpu = new CpuBackend(2, kernel(kernel)); ReferenceBackend reference = new ReferenceBackend()) {
                cpu.load(network);
                reference.load(network);
                for (int step = 0; step < 10; step++) {
                    float[] x = uniform(random, batch * 37, 1.0);
                    float[] d = uniform(random, batch * 3, 1.0);
                    float lossCpu = cpu.step(x, d, batch, 0.05f);
                    float lossReference = reference.step(x, d, batch, 0.05f);
                    assertClose(kernel + " B=" + batch + " loss of step " + step, new float[] {lossCpu},
                            new double[] {lossReference}, 1, 1e-4, SEED);
                }
                Network trained = cpu.network();
                Network expected = reference.network();
                for (int l = 0; l < network.depth(); l++) {
                    assertClose(kernel + " B=" + batch + " weights of layer " + l, trained.layer(l).weights(),
                            toDouble(expected.layer(l).weights()), trained.layer(l).weights().length, 1e-4, SEED);
                    assertClose(kernel + " B=" + batch + " bias of layer " + l, trained.layer(l).bias(),
                            toDouble(expected.layer(l).bias()), trained.layer(l).outputs(), 1e-4, SEED);
                }
                float[] x = uniform(random, batch * 37, 1.0);
                assertClose(kernel + " B=" + batch + " predict", cpu.predict(x, batch),
                        toDouble(reference.predict(x, batch)), batch * 3, 1e-5, SEED);
            }
        }
    }

    /** Work is split over outputs only, so 1, 2 and 3 threads give bitwise the same parameters. */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void threadCountsGiveIdenticalResults(String kernel) {
        Network network = Network.builder(300).layer(129, Activation.TANH).layer(70, Activation.RELU)
                .layer(11, Activation.IDENTITY).build(SEED);
        float[][] results = new float[3][];
        float[] losses = new float[3];
        for (int threads = 1; threads <= 3; threads++) {
            SplittableRandom random = new SplittableRandom(SEED);
            try (CpuBackend cpu = new CpuBackend(threads, kernel(kernel))) {
                cpu.load(network);
                int batch = 261; // deeper than one K slice of the update GEMM
                for (int step = 0; step < 3; step++) {
                    losses[threads - 1] = cpu.step(uniform(random, batch * 300, 1.0), uniform(random, batch * 11, 1.0),
                            batch, 0.01f);
                }
                Network trained = cpu.network();
                results[threads - 1] = concat(trained);
            }
        }
        assertArrayEquals(results[0], results[1], kernel + ": 1 vs 2 threads (seed " + SEED + ")");
        assertArrayEquals(results[0], results[2], kernel + ": 1 vs 3 threads (seed " + SEED + ")");
        assertEquals(losses[0], losses[1]);
        assertEquals(losses[0], losses[2]);
    }

    /**
     * Every optimizer, fused into the update's epilogue, and both cross-entropy outputs are
     * bitwise the same on 1, 2 and 3 threads: parameters, optimizer state and losses.
     */
    @ParameterizedTest
    @EnumSource(Optimizer.Kind.class)
    void everyOptimizerAndLossIsThreadCountIndependent(Optimizer.Kind kind) {
        for (Activation output : new Activation[] {Activation.SOFTMAX, Activation.SIGMOID}) {
            Network network = Network.builder(300).layer(129, Activation.TANH).layer(70, Activation.RELU)
                    .layer(11, output).loss(Loss.CROSS_ENTROPY).build(SEED);
            Optimizer optimizer = Optimizer.builder(kind).weightDecay(0.01f).build();
            float[][] results = new float[3][];
            float[][] states = new float[3][];
            float[] losses = new float[3];
            for (int threads = 1; threads <= 3; threads++) {
                SplittableRandom random = new SplittableRandom(SEED);
                try (CpuBackend cpu = new CpuBackend(threads)) {
                    cpu.load(network, optimizer);
                    int batch = 261; // deeper than one K slice of the update GEMM
                    for (int step = 0; step < 2; step++) {
                        float[] d = uniform(random, batch * 11, 0.5);
                        for (int k = 0; k < d.length; k++) {
                            d[k] += 0.5f; // in [0, 1]: a probability per output (rows need not sum to 1 for this test)
                        }
                        losses[threads - 1] = cpu.step(uniform(random, batch * 300, 1.0), d, batch, 0.01f);
                    }
                    results[threads - 1] = concat(cpu.network());
                    dev.deltaprop.model.OptimizerState state = cpu.optimizerState();
                    float[] all = new float[0];
                    for (int l = 0; l < network.depth(); l++) {
                        for (int slot = 0; slot < kind.slots(); slot++) {
                            all = append(append(all, state.weights(l, slot)), state.bias(l, slot));
                        }
                    }
                    states[threads - 1] = all;
                }
            }
            String what = kind + " " + output + " (seed " + SEED + ")";
            assertArrayEquals(results[0], results[1], what + ": 1 vs 2 threads");
            assertArrayEquals(results[0], results[2], what + ": 1 vs 3 threads");
            assertArrayEquals(states[0], states[1], what + ": state, 1 vs 2 threads");
            assertArrayEquals(states[0], states[2], what + ": state, 1 vs 3 threads");
            assertEquals(losses[0], losses[1], what);
            assertEquals(losses[0], losses[2], what);
        }
    }

    private static float[] append(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float[] concat(Network network) {
        int total = 0;
        for (Layer layer : network.layers()) {
            total += (int) layer.parameterCount();
        }
        float[] all = new float[total];
        int at = 0;
        for (Layer layer : network.layers()) {
            float[] w = layer.weights();
            System.arraycopy(w, 0, all, at, w.length);
            at += w.length;
            System.arraycopy(layer.bias(), 0, all, at, layer.outputs());
            at += layer.outputs();
        }
        return all;
    }

    @Test
    void bufferStepEqualsArrayStep() {
        Network network = oddNetwork(SEED);
        SplittableRandom random = new SplittableRandom(SEED);
        float[] x = uniform(random, 7 * 37, 1.0);
        float[] d = uniform(random, 7 * 3, 1.0);
        try (CpuBackend a = new CpuBackend(2); CpuBackend b = new CpuBackend(2)) {
            a.load(network);
            b.load(network);
            FloatBuffer xb = FloatBuffer.allocate(x.length + 5).position(5);
            xb.duplicate().put(x);
            float lossA = a.step(x, d, 7, 0.1f);
            float lossB = b.step(xb, FloatBuffer.wrap(d), 7, 0.1f);
            assertEquals(lossA, lossB);
            assertEquals(a.network(), b.network());
            assertEquals(5, xb.position(), "the buffer's position must not move");
        }
    }

    /** Once buffers exist for a batch size, a step allocates nothing on the calling thread or the workers. */
    @Test
    void steadyStateStepAllocatesNothing() {
        assertSteadyStateAllocatesNothing(Network.builder(64).layer(96, Activation.TANH).layer(10, Activation.IDENTITY)
                .build(SEED), Optimizer.sgd());
    }

    /** The same through the piecewise {@code f'} ({@link Derivatives}: relu, leaky relu) and sigmoid's, at widths off the vector length. */
    @Test
    void steadyStateStepAllocatesNothingThroughEveryDerivative() {
        assertSteadyStateAllocatesNothing(Network.builder(64).layer(97, Activation.RELU).layer(45, Activation.LEAKY_RELU)
                .layer(33, Activation.SIGMOID).layer(10, Activation.IDENTITY).build(SEED), Optimizer.sgd());
    }

    /** The same with a softmax output and every optimizer: the state lives in the backend, the step allocates nothing. */
    @ParameterizedTest
    @EnumSource(Optimizer.Kind.class)
    void steadyStateStepAllocatesNothingWithAnyOptimizer(Optimizer.Kind kind) {
        assertSteadyStateAllocatesNothing(Network.builder(64).layer(96, Activation.TANH).layer(10, Activation.SOFTMAX)
                .build(SEED), Optimizer.builder(kind).weightDecay(0.01f).build());
    }

    private static void assertSteadyStateAllocatesNothing(Network network, Optimizer optimizer) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        SplittableRandom random = new SplittableRandom(SEED);
        float[] x = uniform(random, 32 * 64, 1.0);
        float[] d = uniform(random, 32 * 10, 1.0);
        try (CpuBackend cpu = new CpuBackend(2)) {
            cpu.load(network, optimizer);
            for (int step = 0; step < 2000; step++) {
                cpu.step(x, d, 32, 0.001f);
            }
            long[] ids = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("deltaprop-cpu-") || t == Thread.currentThread())
                    .mapToLong(Thread::getId).toArray();
            long smallest = Long.MAX_VALUE;
            long[] before = new long[ids.length];
            long[] after = new long[ids.length];
            for (SteadyWindows windows = new SteadyWindows(); windows.another(smallest); ) { // until the JIT has compiled every path (SteadyWindows)
                for (int k = 0; k < ids.length; k++) {
                    before[k] = threads.getThreadAllocatedBytes(ids[k]);
                }
                for (int step = 0; step < 100; step++) {
                    cpu.step(x, d, 32, 0.001f);
                }
                long total = 0;
                for (int k = 0; k < ids.length; k++) {
                    after[k] = threads.getThreadAllocatedBytes(ids[k]);
                    total += after[k] - before[k];
                }
                smallest = Math.min(smallest, total);
            }
            assertEquals(0, smallest, "bytes allocated by 100 steady-state steps (" + ids.length + " threads)");
        }
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            IllegalStateException notLoaded = assertThrows(IllegalStateException.class,
                    () -> cpu.step(new float[37], new float[3], 1, 0.1f));
            assertTrue(notLoaded.getMessage().contains("load"), notLoaded.getMessage());
            cpu.load(oddNetwork(1));
            assertMessage("x: expected 74", () -> cpu.step(new float[37], new float[6], 2, 0.1f));
            assertMessage("d: expected 6", () -> cpu.step(new float[74], new float[5], 2, 0.1f));
            assertMessage("batch: expected at least 1", () -> cpu.step(new float[0], new float[0], 0, 0.1f));
            float[] nan = new float[74];
            nan[40] = Float.NaN;
            assertMessage("x[1][3]: expected a finite number", () -> cpu.step(nan, new float[6], 2, 0.1f));
            assertMessage("learningRate", () -> cpu.step(new float[74], new float[6], 2, Float.NaN));
            assertMessage("learningRate", () -> cpu.step(new float[74], new float[6], 2, -1f));
            assertMessage("x: expected 37", () -> cpu.predict(new float[36], 1));
        }
        assertMessage("threads: expected 1 to", () -> new CpuBackend(0));
        CpuBackend closed = new CpuBackend(1);
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.load(oddNetwork(1)));
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "expected a message containing '" + expected + "', found '"
                + e.getMessage() + "'");
    }

    @Test
    void threadsPropertyIsRead() {
        String old = System.getProperty(CpuBackend.THREADS_PROPERTY);
        try {
            System.setProperty(CpuBackend.THREADS_PROPERTY, "3");
            try (Backend cpu = new CpuBackend()) {
                assertTrue(cpu.device().contains("3 threads"), cpu.device());
            }
            System.setProperty(CpuBackend.THREADS_PROPERTY, "many");
            assertMessage(CpuBackend.THREADS_PROPERTY, CpuBackend::new);
        } finally {
            if (old == null) {
                System.clearProperty(CpuBackend.THREADS_PROPERTY);
            } else {
                System.setProperty(CpuBackend.THREADS_PROPERTY, old);
            }
        }
    }
}

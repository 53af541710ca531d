package dev.deltaprop.cpu;

import dev.deltaprop.testing.SteadyWindows;
import static dev.deltaprop.testing.Compare.assertClose;
import static dev.deltaprop.testing.Compare.toDouble;
import static dev.deltaprop.testing.Compare.uniform;
import static dev.deltaprop.cpu.CpuBackendTest.assertMessage;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The embedded predictor against the reference backend's forward pass. */
class PredictorTest {
    private static final long SEED = Seeds.seed();

    static {
        System.out.println("PredictorTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void agreesWithReference(String kernel) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int width : new int[] {1, 7, 33, 257, 1100}) {
            for (Activation f : Activation.elementwiseValues()) {
                Network network = Network.builder(width).layer(width, f).layer(9, Activation.TANH).layer(width, f)
                        .build(SEED + width);
                Predictor predictor = Predictor.of(network, CpuBackendTest.kernel(kernel));
                try (ReferenceBackend reference = new ReferenceBackend()) {
                    reference.load(network);
                    for (int batch : new int[] {1, 3}) {
                        float[] x = uniform(random, batch * width, 2.0);
                        float[] y = new float[batch * width];
                        Arrays.fill(y, Float.NaN);
                        predictor.predict(x, y, batch);
                        assertClose(kernel + " predictor " + width + " " + f + " batch " + batch, y,
                                toDouble(reference.predict(x, batch)), y.length, 1e-5, SEED);
                    }
                }
            }
        }
    }

    /** A softmax output, at odd widths, against the reference; huge logits give one-hot rows, never NaN. */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void softmaxOutputAgreesWithReference(String kernel) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int width : new int[] {2, 7, 33, 257}) {
            Network network = Network.builder(13).layer(width + 4, Activation.TANH).layer(width, Activation.SOFTMAX)
                    .build(SEED + width);
            Predictor predictor = Predictor.of(network, CpuBackendTest.kernel(kernel));
            try (CpuBackend cpu = new CpuBackend(2); ReferenceBackend reference = new ReferenceBackend()) {
                reference.load(network);
                cpu.load(network);
                for (int batch : new int[] {1, 7}) {
                    float[] x = uniform(random, batch * 13, 2.0);
                    float[] y = new float[batch * width];
                    Arrays.fill(y, Float.NaN);
                    predictor.predict(x, y, batch);
                    double[] expected = toDouble(reference.predict(x, batch));
                    assertClose(kernel + " predictor softmax " + width + " batch " + batch, y, expected, y.length, 1e-5, SEED);
                    assertClose(kernel + " cpu backend softmax " + width + " batch " + batch, cpu.predict(x, batch), expected,
                            y.length, 1e-5, SEED);
                }
            }
        }
        float[] logits = {1e4f, -1e4f, 0f};
        Network confident = new Network(java.util.List.of(new dev.deltaprop.model.Layer(1, 3, Activation.SOFTMAX,
                new float[3], logits)));
        float[] y = new float[3];
        Predictor.of(confident, CpuBackendTest.kernel(kernel)).predict(new float[] {1f}, y);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1f, 0f, 0f}, y, kernel + ": softmax of (1e4, −1e4, 0)");
    }

    /**
     * Batches of 1, 7, 33 and 257 samples (one, a partial micro-panel, several, past a {@code K}
     * slice's worth of rows) through odd widths with every activation, the softmax output included,
     * against the reference; and a batch of two or more bitwise equal to the cpu backend's
     * {@code predict} with the same micro-kernel (the same GEMM and epilogue). Batches shrink and
     * grow in turn, so a reused buffer's stale rows would show.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void batchesAgreeWithReferenceAndEqualTheCpuBackend(String kernel) {
        SplittableRandom random = new SplittableRandom(SEED + 11);
        java.util.List<Activation> outputs = new java.util.ArrayList<>(Activation.elementwiseValues());
        outputs.add(Activation.SOFTMAX);
        for (int width : new int[] {1, 7, 33, 300}) {
            for (Activation f : outputs) {
                int out = f == Activation.SOFTMAX ? width + 2 : width; // softmax: 3, 9, 35 and 302 (past one tile)
                Activation hidden = f == Activation.SOFTMAX ? Activation.TANH : f;
                Network network = Network.builder(width).layer(width + 4, hidden).layer(9, Activation.RELU).layer(out, f)
                        .build(SEED + width);
                Predictor predictor = Predictor.of(network, CpuBackendTest.kernel(kernel));
                try (ReferenceBackend reference = new ReferenceBackend(); CpuBackend cpu = new CpuBackend(2,
                        CpuBackendTest.kernel(kernel))) {
                    reference.load(network);
                    cpu.load(network);
                    for (int batch : new int[] {257, 1, 7, 33, 2}) {
                        float[] x = uniform(random, batch * width, 2.0);
                        float[] y = new float[batch * out];
                        Arrays.fill(y, Float.NaN);
                        predictor.predict(x, y, batch);
                        String what = kernel + " predictor " + width + "-" + (width + 4) + "-9-" + out + " " + f + " batch "
                                + batch;
                        assertClose(what, y, toDouble(reference.predict(x, batch)), y.length, 1e-5, SEED);
                        if (batch > 1) {
                            org.junit.jupiter.api.Assertions.assertArrayEquals(cpu.predict(x, batch), y,
                                    what + ": not bitwise the cpu backend's predict (seed " + SEED + ")");
                        }
                    }
                }
            }
        }
    }

    /** Once a batch size has been seen, a batched call allocates nothing on the calling thread. */
    @Test
    void batchAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Network network = Network.builder(32).layer(64, Activation.TANH).layer(64, Activation.TANH)
                .layer(10, Activation.SOFTMAX).build(SEED);
        Predictor predictor = Predictor.of(network);
        float[] x = uniform(new SplittableRandom(SEED), 64 * 32, 1.0);
        float[] y = new float[64 * 10];
        float[] one = new float[10];
        float[] xOne = Arrays.copyOf(x, 32);
        for (int call = 0; call < 5_000; call++) { // both paths compiled
            predictor.predict(x, y, 64);
            predictor.predict(xOne, one, 1);
        }
        long smallest = Long.MAX_VALUE;
        for (SteadyWindows windows = new SteadyWindows(); windows.another(smallest); ) { // until the JIT has compiled every path (SteadyWindows)
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int call = 0; call < 1000; call++) {
                predictor.predict(x, y, 64);
                predictor.predict(xOne, one, 1);
            }
            smallest = Math.min(smallest, threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, smallest, "bytes allocated by 1000 calls of 64 and of 1 sample");
    }

    @Test
    void badInputIsRefused() {
        Predictor predictor = Predictor.of(Network.builder(4).layer(2, Activation.TANH).build(1));
        assertMessage("x: expected 4", () -> predictor.predict(new float[3], new float[2]));
        assertMessage("x: expected 4", () -> predictor.predict(null, new float[2]));
        assertMessage("y: expected an array of 2", () -> predictor.predict(new float[4], new float[1]));
        assertMessage("batch: expected at least 1", () -> predictor.predict(new float[0], new float[0], 0));
        assertMessage("x[0][2]: expected a finite number",
                () -> predictor.predict(new float[] {0, 0, Float.POSITIVE_INFINITY, 0}, new float[2]));
    }
}

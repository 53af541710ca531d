package dev.deltaprop.cpu;

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

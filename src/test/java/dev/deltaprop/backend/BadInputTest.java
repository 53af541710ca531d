package dev.deltaprop.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * DESIGN §6 at the backend: mismatched sizes, empty batches, NaN/∞ in data and in η each get an
 * exception naming the field and the expected value — here on the reference backend, through
 * the same {@link Checks} every backend uses.
 */
class BadInputTest {
    private final Network network = Network.builder(3).layer(4, Activation.TANH).layer(2, Activation.IDENTITY).build(1);

    private Backend loaded() {
        Backend backend = Backends.open("reference");
        backend.load(network);
        return backend;
    }

    @Test
    void mismatchedSizes() {
        Backend backend = loaded();
        assertMessage("x: expected 6 numbers (batch 2 × 3 inputs), found 5", () -> backend.step(new float[5], new float[4], 2, 0.1f));
        assertMessage("d: expected 4 numbers (batch 2 × 2 outputs), found 3", () -> backend.step(new float[6], new float[3], 2, 0.1f));
        assertMessage("x: expected 9 numbers (batch 3 × 3 inputs), found 6", () -> backend.predict(new float[6], 3));
        assertMessage("d: expected at least 4 numbers remaining, found 2",
                () -> backend.step(FloatBuffer.allocate(6), FloatBuffer.allocate(2), 2, 0.1f));
    }

    @Test
    void emptyBatch() {
        Backend backend = loaded();
        assertMessage("batch: expected at least 1 sample, found 0", () -> backend.step(new float[0], new float[0], 0, 0.1f));
        assertMessage("batch: expected at least 1 sample, found 0", () -> backend.predict(new float[0], 0));
        Dataset data = backend.upload(new float[6], new float[4], 2);
        assertMessage("batch: expected at least 1 sample, found 0", () -> backend.step(data, 0, 0, 0.1f));
        assertMessage("offset: expected 0 ≤ offset and offset + batch ≤ 2, found offset 1, batch 2",
                () -> backend.step(data, 1, 2, 0.1f));
    }

    @Test
    void nonFiniteData() {
        Backend backend = loaded();
        float[] x = new float[6];
        x[4] = Float.NaN;
        assertMessage("x[1][1]: expected a finite number, found NaN", () -> backend.step(x, new float[4], 2, 0.1f));
        float[] d = {0, 0, 0, Float.POSITIVE_INFINITY};
        assertMessage("d[1][1]: expected a finite number, found Infinity", () -> backend.step(new float[6], d, 2, 0.1f));
        assertMessage("x[1][1]: expected a finite number, found NaN", () -> backend.predict(x, 2));
        assertMessage("x[1][1]: expected a finite number, found NaN", () -> backend.upload(x, new float[4], 2));
    }

    @Test
    void nonFiniteOrNonPositiveLearningRate() {
        Backend backend = loaded();
        for (float rate : new float[] {Float.NaN, Float.POSITIVE_INFINITY, 0f, -1f}) {
            assertMessage("learningRate: expected a finite number > 0, found " + rate,
                    () -> backend.step(new float[3], new float[2], 1, rate));
        }
    }

    @Test
    void badOrderIsRefused() {
        Backend backend = loaded();
        Dataset data = backend.upload(new float[9], new float[6], 3);
        assertMessage("order[2]: expected a sample index in [0, 3) not used before, found 0", () -> data.order(new int[] {0, 1, 0}));
        assertMessage("order: expected a permutation of 3 samples, found 2 numbers", () -> data.order(new int[] {0, 1}));
    }

    @Test
    void nothingChangesWhenAStepIsRefused() {
        Backend backend = loaded();
        float[] x = {1, 2, Float.NaN};
        assertThrows(IllegalArgumentException.class, () -> backend.step(x, new float[2], 1, 0.1f));
        assertEquals(network, backend.network());
    }

    private static void assertMessage(String expected, Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertEquals(expected, e.getMessage());
    }
}

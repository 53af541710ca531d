package dev.deltaprop.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.cpu.Predictor;
import dev.deltaprop.model.Network;

/** What deltaprop computes for a network, and the relative-error comparison the ONNX tests use. */
final class Outputs {
    private Outputs() {
    }

    /** {@code y} for {@code batch} samples by {@link Predictor} (softmax outputs included), NaN-poisoned first. */
    static float[] predict(Network network, float[] x, int batch) {
        float[] y = new float[batch * network.outputs()];
        java.util.Arrays.fill(y, Float.NaN);
        Predictor.of(network).predict(x, y, batch);
        return y;
    }

    /** {@code ‖actual − expected‖ / ‖expected‖ ≤ bound}, NaN never passing. */
    static void assertClose(float[] expected, float[] actual, double bound, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double difference = 0;
        double norm = 0;
        for (int k = 0; k < expected.length; k++) {
            double e = expected[k];
            double a = actual[k];
            difference += (a - e) * (a - e);
            norm += e * e;
        }
        double relative = Math.sqrt(difference) / Math.max(Math.sqrt(norm), Double.MIN_NORMAL);
        assertTrue(relative <= bound, what + ": relative error " + relative + " > " + bound);
    }
}

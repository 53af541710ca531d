package dev.deltaprop.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.cpu.Predictor;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.List;

/** What deltaprop computes for a network, and the relative-error comparison the ONNX tests use. */
final class Outputs {
    private Outputs() {
    }

    /**
     * {@code y} for {@code batch} samples by {@link Predictor}. Predictor has no softmax kernel
     * yet, so a softmax output is Predictor's {@code u^L} (the same network with an identity
     * output) put through {@link Activation#softmax} in double.
     */
    static float[] predict(Network network, float[] x, int batch) {
        int outputs = network.outputs();
        float[] y = new float[batch * outputs];
        java.util.Arrays.fill(y, Float.NaN);
        if (network.layer(network.depth() - 1).activation() != Activation.SOFTMAX) {
            Predictor.of(network).predict(x, y, batch);
            return y;
        }
        List<Layer> layers = new ArrayList<>(network.layers());
        Layer last = layers.get(layers.size() - 1);
        layers.set(layers.size() - 1, new Layer(last.inputs(), last.outputs(), Activation.IDENTITY, last.weights(), last.bias()));
        Predictor.of(new Network(layers, Loss.SQUARED_ERROR)).predict(x, y, batch);
        double[] u = new double[y.length];
        for (int k = 0; k < y.length; k++) {
            u[k] = y[k];
        }
        double[] z = new double[y.length];
        for (int b = 0; b < batch; b++) {
            Activation.softmax(u, b * outputs, outputs, z);
        }
        for (int k = 0; k < y.length; k++) {
            y[k] = (float) z[k];
        }
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

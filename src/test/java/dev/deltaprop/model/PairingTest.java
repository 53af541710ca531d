package dev.deltaprop.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** DESIGN §1b: which output activations each loss accepts, refused where the network is built. */
class PairingTest {

    @Test
    void softmaxOutputDefaultsToCrossEntropyAndSigmoidMayTakeEither() {
        assertEquals(Loss.CROSS_ENTROPY, Network.builder(3).layer(4, Activation.TANH).layer(3, Activation.SOFTMAX).build(1).loss());
        assertEquals(Loss.SQUARED_ERROR, Network.builder(3).layer(2, Activation.SIGMOID).build(1).loss());
        assertEquals(Loss.CROSS_ENTROPY,
                Network.builder(3).layer(2, Activation.SIGMOID).loss(Loss.CROSS_ENTROPY).build(1).loss());
    }

    @Test
    void softmaxOnAHiddenLayerIsRefusedNamingTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.builder(3).layer(4, Activation.SOFTMAX).layer(3, Activation.SOFTMAX).build(1));
        assertEquals("layers[0].activation: softmax is an output-only activation; expected one of identity, sigmoid, tanh,"
                + " relu, leaky_relu, softplus for a hidden layer", e.getMessage());
    }

    @Test
    void softmaxWithSquaredErrorOrOneOutputIsRefused() {
        IllegalArgumentException squared = assertThrows(IllegalArgumentException.class,
                () -> Network.builder(3).layer(3, Activation.SOFTMAX).loss(Loss.SQUARED_ERROR).build(1));
        assertTrue(squared.getMessage().startsWith("loss: a softmax output (layers[0]) expects cross_entropy, found squared_error"),
                squared.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> Network.builder(3).layer(1, Activation.SOFTMAX).build(1));
        assertTrue(one.getMessage().startsWith("layers[0].outputs: softmax expects at least 2 outputs, found 1"), one.getMessage());
    }

    @Test
    void crossEntropyWithAnIdentityOrTanhOutputIsRefused() {
        for (Activation f : new Activation[] {Activation.IDENTITY, Activation.TANH, Activation.RELU}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Network.builder(2).layer(5, Activation.TANH).layer(2, f).loss(Loss.CROSS_ENTROPY).build(1));
            assertEquals("layers[1].activation: cross_entropy expects a softmax or sigmoid output, found " + f
                    + "; with " + f + " use squared_error", e.getMessage());
        }
    }

    @Test
    void softmaxIsNotElementwiseAndSubtractsTheMaximum() {
        assertThrows(UnsupportedOperationException.class, () -> Activation.SOFTMAX.f(1.0));
        double[] u = {1e4, -1e4, 1e4 - 1};
        double[] z = new double[3];
        Activation.softmax(u, 0, 3, z);
        double e = Math.exp(-1);
        assertArrayEquals(new double[] {1 / (1 + e), 0, e / (1 + e)}, z, 1e-15);
        double[] equal = {7, 7, 7, 7};
        Activation.softmax(equal, 0, 4, equal);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, equal, 0);
    }
}

package dev.deltaprop.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** f and f' of every activation at chosen points, the conventions at 0, and stability far out. */
class ActivationTest {

    @Test
    void valuesAtChosenPoints() {
        assertEquals(-2.5, Activation.IDENTITY.f(-2.5));
        assertEquals(0.5, Activation.SIGMOID.f(0));
        assertEquals(1 / (1 + Math.exp(-2)), Activation.SIGMOID.f(2), 1e-16);
        assertEquals(Math.tanh(0.7), Activation.TANH.f(0.7));
        assertEquals(0.0, Activation.RELU.f(-3));
        assertEquals(3.0, Activation.RELU.f(3));
        assertEquals(-0.03, Activation.LEAKY_RELU.f(-3), 1e-16);
        assertEquals(Math.log(2), Activation.SOFTPLUS.f(0), 1e-16);
        assertEquals(Math.log(1 + Math.exp(1.5)), Activation.SOFTPLUS.f(1.5), 1e-15);
    }

    @Test
    void reluAndLeakyReluConventionsAtZero() {
        assertEquals(0.0, Activation.RELU.derivative(0, 0));
        assertEquals(1.0, Activation.RELU.derivative(1e-300, 1e-300));
        assertEquals(0.01, Activation.LEAKY_RELU.derivative(0, 0));
        assertEquals(1.0, Activation.LEAKY_RELU.derivative(2, 2));
    }

    @Test
    void softplusAndSigmoidAreStableFarOut() {
        assertEquals(1000.0, Activation.SOFTPLUS.f(1000));
        assertEquals(0.0, Activation.SOFTPLUS.f(-1000));
        assertEquals(1.0, Activation.SOFTPLUS.derivative(1000, Activation.SOFTPLUS.f(1000)));
        assertEquals(0.0, Activation.SOFTPLUS.derivative(-1000, Activation.SOFTPLUS.f(-1000)));
        assertEquals(1.0, Activation.SIGMOID.f(1000));
        assertEquals(0.0, Activation.SIGMOID.f(-1000));
        // far out but not underflowed: log(1+t) = t − t²/2 + … with t = e^-30, to full relative precision
        double t = Math.exp(-30);
        assertEquals(t - t * t / 2, Activation.SOFTPLUS.f(-30), 1e-15 * t);
    }

    /** f' matches the central difference of f (away from the kinks of relu and leaky relu). */
    @Test
    void derivativeMatchesFiniteDifferenceOfF() {
        double h = 1e-6;
        for (Activation a : Activation.elementwiseValues()) {
            for (double u : new double[] {-3.1, -0.4, 0.3, 0.9, 2.7}) {
                double expected = (a.f(u + h) - a.f(u - h)) / (2 * h);
                double actual = a.derivative(u, a.f(u));
                assertEquals(expected, actual, 1e-8, a + " at u = " + u);
            }
        }
    }

    @Test
    void codesAreDistinctAndNamesParse() {
        for (Activation a : Activation.values()) {
            assertEquals(a, Activation.parse(a.id()));
            assertEquals(a, Activation.parse(a.id().toUpperCase().replace('_', '-')));
            for (Activation b : Activation.values()) {
                assertTrue(a == b || a.code() != b.code());
            }
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("swish"));
        assertEquals("unknown activation 'swish': expected one of identity, sigmoid, tanh, relu, leaky_relu, softplus, softmax",
                e.getMessage());
    }
}

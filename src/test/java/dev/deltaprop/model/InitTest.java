package dev.deltaprop.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded initialisation: compared with the formula evaluated here, in the test — Glorot
 * {@code a = √(6/(n_in+n_out))} for tanh-like units, He {@code a = √(6/n_in)} for relu-like ones,
 * {@code w = (2·U − 1)·a} drawn in row-major order from one {@link SplittableRandom}, biases 0.
 */
class InitTest {

    @Test
    void glorotAndHeFromTheFormula() {
        long seed = 42;
        Network network = Network.builder(3).layer(5, Activation.TANH).layer(4, Activation.RELU)
                .layer(2, Activation.IDENTITY).build(seed);
        SplittableRandom random = new SplittableRandom(seed);
        int[][] shapes = {{3, 5}, {5, 4}, {4, 2}};
        double[] limits = {Math.sqrt(6.0 / (3 + 5)), Math.sqrt(6.0 / 5), Math.sqrt(6.0 / (4 + 2))};
        for (int l = 0; l < 3; l++) {
            float[] expected = new float[shapes[l][0] * shapes[l][1]];
            for (int k = 0; k < expected.length; k++) {
                expected[k] = (float) ((2.0 * random.nextDouble() - 1.0) * limits[l]);
            }
            assertArrayEquals(expected, network.layer(l).weights(), "layer " + l);
            assertArrayEquals(new float[shapes[l][1]], network.layer(l).bias(), "layer " + l + " bias");
            for (float w : expected) {
                // inside the range the formula promises
                assertEquals(true, Math.abs(w) <= limits[l], "layer " + l + " weight " + w);
            }
        }
    }

    @Test
    void sameSeedSameBitsOtherSeedOtherBits() {
        Network a = Network.builder(7).layer(33, Activation.SOFTPLUS).layer(1, Activation.SIGMOID).build(7);
        Network b = Network.builder(7).layer(33, Activation.SOFTPLUS).layer(1, Activation.SIGMOID).build(7);
        Network c = Network.builder(7).layer(33, Activation.SOFTPLUS).layer(1, Activation.SIGMOID).build(8);
        assertEquals(a, b);
        for (int l = 0; l < 2; l++) {
            float[] wa = a.layer(l).weights();
            float[] wb = b.layer(l).weights();
            for (int k = 0; k < wa.length; k++) {
                assertEquals(Float.floatToRawIntBits(wa[k]), Float.floatToRawIntBits(wb[k]));
            }
        }
        assertNotEquals(a, c);
    }

    @Test
    void networkRefusesMismatchedLayers() {
        Layer first = new Layer(2, 3, Activation.TANH, new float[6], new float[3]);
        Layer second = new Layer(4, 1, Activation.IDENTITY, new float[4], new float[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Network(java.util.List.of(first, second)));
        assertEquals("layers[1].inputs: expected 3 (the outputs of layers[0]), found 4", e.getMessage());
    }

    @Test
    void layerRefusesWrongSizesAndNonFiniteNumbers() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new Layer(2, 3, Activation.TANH, new float[5], new float[3]));
        assertEquals("weights: expected 6 numbers (2 × 3), found 5", size.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new Layer(1, 2, Activation.TANH, new float[] {0, Float.NaN}, new float[2]));
        assertEquals("weights[1]: expected a finite number, found NaN", nan.getMessage());
        IllegalArgumentException inf = assertThrows(IllegalArgumentException.class,
                () -> new Layer(1, 1, Activation.TANH, new float[1], new float[] {Float.POSITIVE_INFINITY}));
        assertEquals("bias[0]: expected a finite number, found Infinity", inf.getMessage());
    }
}

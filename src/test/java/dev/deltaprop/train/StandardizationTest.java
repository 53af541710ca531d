package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StandardizationTest {

    private static float[] random(SplittableRandom random, int count, int width, double[] centre, double[] spread) {
        float[] values = new float[count * width];
        for (int k = 0; k < values.length; k++) {
            values[k] = (float) (centre[k % width] + spread[k % width] * random.nextGaussian());
        }
        return values;
    }

    @Test
    void standardisedColumnsHaveMeanZeroAndDeviationOne() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        int samples = 257;
        float[] x = random(random, samples, 3, new double[] {50, 190, 4}, new double[] {13, 34, 1.3});
        float[] d = random(random, samples, 1, new double[] {152}, new double[] {77});
        Standardization scaling = Standardization.fit(x, d, samples);
        float[] scaled = scaling.inputs(x);
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double squares = 0;
            for (int s = 0; s < samples; s++) {
                sum += scaled[s * 3 + c];
                squares += scaled[s * 3 + c] * (double) scaled[s * 3 + c];
            }
            assertEquals(0, sum / samples, 1e-5, "column " + c + ", seed " + seed);
            assertEquals(1, squares / samples, 1e-4, "column " + c + ", seed " + seed);
        }
    }

    /** The folded network on raw inputs equals σ_d · (network on standardised inputs) + μ_d. */
    @Test
    void foldingGivesTheSameFunctionInTheDataUnits() {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (int[] widths : new int[][] {{3, 2}, {7, 33, 2}, {1, 7, 7, 1}}) {
            int n0 = widths[0];
            int nL = widths[widths.length - 1];
            int samples = 33;
            double[] centre = new double[n0];
            double[] spread = new double[n0];
            for (int i = 0; i < n0; i++) {
                centre[i] = 100 * random.nextGaussian();
                spread[i] = 0.1 + 20 * random.nextDouble();
            }
            float[] x = random(random, samples, n0, centre, spread);
            float[] d = random(random, samples, nL, new double[] {10, -3}, new double[] {5, 0.5});
            Standardization scaling = Standardization.fit(x, d, samples);
            Network.Builder builder = Network.builder(n0);
            for (int l = 1; l < widths.length; l++) {
                builder.layer(widths[l], l == widths.length - 1 ? Activation.IDENTITY : Activation.TANH);
            }
            Network trained = builder.build(seed);
            try (ReferenceBackend backend = new ReferenceBackend()) {
                backend.load(trained);
                float[] standardised = backend.predict(scaling.inputs(x), samples);
                backend.load(scaling.fold(trained));
                float[] raw = backend.predict(x, samples);
                // teachers() maps σ_d y' + μ_d back to y': on the folded outputs it must give the unfolded ones
                float[] back = scaling.teachers(raw);
                double errorSquares = 0;
                double normSquares = 0;
                for (int k = 0; k < raw.length; k++) {
                    errorSquares += Math.pow(back[k] - standardised[k], 2);
                    normSquares += Math.pow(standardised[k], 2);
                }
                double relative = Math.sqrt(errorSquares / normSquares);
                assertTrue(relative < 1e-4, "widths " + java.util.Arrays.toString(widths) + ", seed " + seed
                        + ": relative error " + relative);
            }
        }
    }

    @Test
    void aConstantColumnIsOnlyCentred() {
        float[] x = {5, 1, 5, 2, 5, 3};
        float[] d = {1, 2, 3};
        float[] scaled = Standardization.fit(x, d, 3).inputs(x);
        assertEquals(0f, scaled[0]);
        assertEquals(0f, scaled[4]);
        assertTrue(Float.isFinite(scaled[1]));
    }

    @Test
    void rejectsWhatCannotFold() {
        Standardization scaling = Standardization.fit(new float[] {1, 2, 3, 4}, new float[] {1, 2}, 2);
        Network sigmoid = Network.builder(2).layer(1, Activation.SIGMOID).build(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scaling.fold(sigmoid));
        assertEquals("trained: expected an identity output layer, into which the teacher's scaling folds, found sigmoid",
                e.getMessage());
        Network wide = Network.builder(3).layer(1, Activation.IDENTITY).build(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> scaling.fold(wide)).getMessage()
                .startsWith("trained: expected 2 inputs and 1 outputs"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Standardization.fit(new float[] {1, 2, 3}, new float[] {1, 2}, 2)).getMessage().startsWith("x, d:"));
    }
}

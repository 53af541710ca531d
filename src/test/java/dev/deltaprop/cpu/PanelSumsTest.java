package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link PanelSums}: the Vector API lanes give the scalar loop's bits (sums and lost bits) on odd
 * column counts, write only their slots, and their combined sum is as accurate as summing in
 * double; infinities and NaNs come out as a double sum gives them; {@link ColumnSums} built from
 * panels equals {@link ColumnSums#of} bit for bit, accumulating or not.
 */
class PanelSumsTest {
    private static final long SEED = Seeds.seed();

    static {
        System.out.println("PanelSumsTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    /** Values over twelve binary orders of magnitude and both signs: float sums of them round at every step. */
    private static float[] spread(SplittableRandom random, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) ((random.nextDouble() * 2 - 1) * Math.scalb(1.0, random.nextInt(-6, 6)));
        }
        return x;
    }

    @ParameterizedTest(name = "{0} rows, {1} columns")
    @CsvSource({"1, 1", "14, 15", "14, 16", "14, 17", "6, 33", "14, 53", "13, 512", "3, 7"})
    void vectorLanesAreTheScalarBits(int rows, int cols) {
        assumeTrue(MicroKernels.vectorAvailable(), "no jdk.incubator.vector: the Vector API path cannot load");
        SplittableRandom random = new SplittableRandom(SEED + 31L * rows + cols);
        int n = cols + 5; // δ's row is wider than the columns summed
        int from = 3;
        float[] delta = spread(random, from + rows * n);
        int at = 4;
        float[][] out = new float[4][];
        PanelSums[] sums = {PanelSums.vector(), PanelSums.SCALAR};
        for (int k = 0; k < 2; k++) {
            out[2 * k] = Compare.poisoned(at + cols + 3);
            out[2 * k + 1] = Compare.poisoned(at + cols + 3);
            sums[k].sum(delta, from, n, rows, cols, out[2 * k], out[2 * k + 1], at);
        }
        for (int i = 0; i < at + cols + 3; i++) {
            boolean inside = i >= at && i < at + cols;
            for (int a = 0; a < 4; a++) {
                assertTrue(inside != Float.isNaN(out[a][i]), "slot " + i + " of array " + a + (inside ? " unwritten" : " written"));
            }
            assertEquals(Float.floatToRawIntBits(out[2][i]), Float.floatToRawIntBits(out[0][i]), "sum of column " + (i - at));
            assertEquals(Float.floatToRawIntBits(out[3][i]), Float.floatToRawIntBits(out[1][i]), "lost bits of column " + (i - at));
        }
    }

    @Test
    void combinedSumIsAsAccurateAsDouble() {
        SplittableRandom random = new SplittableRandom(SEED);
        int rows = 14;
        int cols = 200;
        float[] delta = spread(random, rows * cols);
        float[] s = new float[cols];
        float[] c = new float[cols];
        PanelSums.CHOSEN.sum(delta, 0, cols, rows, cols, s, c, 0);
        double worstFloat = 0;
        for (int j = 0; j < cols; j++) {
            BigDecimal exact = BigDecimal.ZERO;
            double magnitude = 0;
            float plain = 0;
            for (int r = 0; r < rows; r++) {
                exact = exact.add(new BigDecimal(delta[r * cols + j]));
                magnitude += Math.abs(delta[r * cols + j]);
                plain += delta[r * cols + j];
            }
            double error = Math.abs(new BigDecimal(PanelSums.combine(s[j], c[j])).subtract(exact).doubleValue());
            // TwoSum's bound, about rows · 2⁻⁴⁸ of Σ|x|, where a float sum is off by up to rows · 2⁻²⁴
            assertTrue(error <= rows * Math.scalb(magnitude, -47), "column " + j + ": error " + error + " of Σ|x| " + magnitude);
            worstFloat = Math.max(worstFloat, Math.abs(new BigDecimal(plain).subtract(exact).doubleValue()) / magnitude);
        }
        assertTrue(worstFloat > Math.scalb(1.0, -30), "the data should make a plain float sum round visibly: " + worstFloat);
    }

    @Test
    void infinitiesAndNaNsAsInDouble() {
        float inf = Float.POSITIVE_INFINITY;
        float[] delta = {1, inf, Float.NaN, inf, 2, 3, 4, -inf, 5, 6, 7, 8}; // 3 rows × 4 columns
        float[] s = new float[4];
        float[] c = new float[4];
        PanelSums.SCALAR.sum(delta, 0, 4, 3, 4, s, c, 0);
        double[] expected = {1.0 + 2 + 5, (double) inf + 3 + 6, Double.NaN + 4 + 7, (double) inf - inf + 8};
        for (int j = 0; j < 4; j++) {
            assertEquals(expected[j], PanelSums.combine(s[j], c[j]), "column " + j);
        }
    }

    @ParameterizedTest(name = "batch {0}, n {1}, mr {2}, accumulate {3}")
    @CsvSource({"37, 23, 14, true", "37, 23, 14, false", "6, 40, 6, true", "61, 17, 6, false"})
    void panelsAddUpToOf(int batch, int n, int mr, boolean accumulate) {
        SplittableRandom random = new SplittableRandom(SEED + batch);
        float[] delta = spread(random, batch * n);
        ColumnSums sums = new ColumnSums();
        sums.prepare(batch, n, mr, accumulate);
        // two column blocks, panels in increasing order within each (as a column split meets them)
        int split = n / 2;
        for (int row = 0; row < batch; row += mr) {
            sums.add(delta, row, 0, Math.min(mr, batch - row), split);
        }
        for (int row = 0; row < batch; row += mr) {
            sums.add(delta, row, split, Math.min(mr, batch - row), n - split);
        }
        for (int j = 0; j < n; j++) {
            assertEquals(Double.doubleToRawLongBits(ColumnSums.of(delta, batch, n, mr, j)),
                    Double.doubleToRawLongBits(sums.sum(j, batch)), "column " + j);
        }
    }
}

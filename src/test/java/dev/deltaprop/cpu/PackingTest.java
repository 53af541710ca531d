package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Packing} against its definitions, value by value: {@code B} row-major (read in row runs
 * of {@link Packing#PANELS_PER_ROW_RUN} panels) and transposed, {@code A} both ways, with offsets,
 * slices that do not start at zero, blocks that end in a partial panel and blocks wider than one
 * row run; {@link Packing#packPanelsA} as {@code packA} panel by panel. {@code B} is packed for
 * each kernel's {@code NR} and by its {@link MicroKernel#copyPanelRow}: the Vector API tiles
 * (14 and 6 rows, {@code NR = 2L}) and the scalar one ({@code NR = 256}, by {@code System.arraycopy}).
 * The packed buffers are poisoned with NaN first, so a padding value left unwritten fails.
 */
class PackingTest {
    private static final long SEED = Seeds.seed();

    static {
        System.out.println("PackingTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    @ParameterizedTest(name = "B {0}x{1}, slice {2}+{3}, columns {4}+{5}, transposed {6}")
    @CsvSource({
            // rows, columns, pc, kc, jc, ncBlock, transposed
            "7, 5, 0, 7, 0, 5, false", // one partial panel
            "33, 300, 3, 29, 0, 300, false", // past one row run (8 · 32 = 256), partial last panel
            "40, 1031, 1, 37, 17, 1000, false", // an odd column start inside the matrix
            "12, 513, 0, 12, 0, 512, false", // whole runs only
            "9, 257, 2, 5, 256, 1, false", // a one-column block at the matrix's edge
            "33, 300, 3, 29, 0, 300, true", // Wᵀ of the δ pass
            "40, 77, 1, 37, 5, 70, true"})
    void packBIsBAsDefined(int rows, int columns, int pc, int kc, int jc, int ncBlock, boolean transposed) {
        for (MicroKernel kernel : new MicroKernel[] {MicroKernels.vector(14), MicroKernels.vector(6),
                new ScalarMicroKernel()}) {
            packBIsBAsDefined(kernel, rows, columns, pc, kc, jc, ncBlock, transposed);
        }
    }

    private static void packBIsBAsDefined(MicroKernel kernel, int rows, int columns, int pc, int kc, int jc, int ncBlock,
                                          boolean transposed) {
        int nr = kernel.nr();
        SplittableRandom random = new SplittableRandom(SEED);
        int offset = 3;
        float[] b = Compare.uniform(random, offset + rows * columns, 1.0);
        int rowStride = transposed ? 1 : columns;
        int colStride = transposed ? rows : 1; // transposed: B(p, j) = b[offset + j·rows + p]
        int panelStride = kc * nr + 5; // a gap between panels: packing writes inside its panels only
        int panels = (ncBlock + nr - 1) / nr;
        float[] packed = Compare.poisoned(panels * panelStride);
        Packing.packB(b, offset, rowStride, colStride, pc, kc, jc, ncBlock, packed, panelStride, kernel);
        for (int q = 0; q < panels; q++) {
            for (int p = 0; p < kc; p++) {
                for (int j = 0; j < nr; j++) {
                    int column = q * nr + j;
                    float expected = column < ncBlock ? b[offset + (pc + p) * rowStride + (jc + column) * colStride] : 0f;
                    assertEquals(expected, packed[q * panelStride + p * nr + j],
                            kernel.description() + ": panel " + q + ", p " + p + ", column " + j);
                }
            }
            for (int gap = kc * nr; gap < panelStride; gap++) {
                assertEquals(Float.NaN, packed[q * panelStride + gap], kernel.description() + ": panel " + q + "'s gap " + gap);
            }
        }
    }

    @ParameterizedTest(name = "A rows {0}+{1} of {2}, slice {3}+{4}, mr {5}, transposed {6}")
    @CsvSource({
            "0, 14, 30, 0, 9, 14, false",
            "14, 9, 30, 2, 17, 14, false", // a partial panel: 9 of 14 rows
            "6, 5, 13, 1, 8, 6, false",
            "0, 14, 30, 0, 9, 14, true", // Zᵀ of the update
            "14, 9, 30, 2, 17, 14, true",
            "6, 5, 13, 1, 8, 6, true"})
    void packAIsAAsDefined(int row, int rows, int m, int pc, int kc, int mr, boolean transposed) {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        int k = pc + kc + 2;
        int offset = 2;
        float[] a = Compare.uniform(random, offset + m * k, 1.0);
        int rowStride = transposed ? 1 : k;
        int colStride = transposed ? m : 1;
        int at = 7;
        float[] packed = Compare.poisoned(at + mr * kc + 3);
        Packing.packA(a, offset, rowStride, colStride, row, rows, pc, kc, packed, at, mr);
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < mr; r++) {
                float expected = r < rows ? a[offset + (row + r) * rowStride + (pc + p) * colStride] : 0f;
                assertEquals(expected, packed[at + p * mr + r], "p " + p + ", row " + r);
            }
        }
        for (int i = 0; i < at; i++) {
            assertEquals(Float.NaN, packed[i], "before the panel, " + i);
        }
        for (int i = at + mr * kc; i < packed.length; i++) {
            assertEquals(Float.NaN, packed[i], "after the panel, " + i);
        }
    }

    @ParameterizedTest(name = "A panels from row {0}, {1} rows of {2}, slice {3}+{4}, mr {5}, transposed {6}")
    @CsvSource({
            "0, 112, 300, 0, 9, 14, true", // a whole MC block of Zᵀ: eight full panels
            "14, 101, 300, 2, 17, 14, true", // seven full panels and one of 3 rows
            "6, 5, 13, 1, 8, 6, true", // one partial panel
            "12, 37, 60, 0, 5, 6, true",
            "14, 101, 300, 2, 17, 14, false", // row-major A: panel by panel
            "0, 37, 40, 3, 6, 6, false"})
    void packPanelsAIsPackAPanelByPanel(int row, int rows, int m, int pc, int kc, int mr, boolean transposed) {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        int k = pc + kc + 3;
        int offset = 1;
        float[] a = Compare.uniform(random, offset + m * k, 1.0);
        int rowStride = transposed ? 1 : k;
        int colStride = transposed ? m : 1;
        int panels = (rows + mr - 1) / mr;
        int at = 4;
        int panelStride = mr * kc + 9; // as Gemm's slots: a panel's slices lie between its panels
        float[] expected = Compare.poisoned(at + panels * panelStride);
        float[] packed = Compare.poisoned(expected.length);
        for (int i = 0; i < panels; i++) {
            Packing.packA(a, offset, rowStride, colStride, row + i * mr, Math.min(mr, rows - i * mr), pc, kc, expected,
                    at + i * panelStride, mr);
        }
        Packing.packPanelsA(a, offset, rowStride, colStride, row, rows, pc, kc, packed, at, panelStride, mr);
        for (int i = 0; i < packed.length; i++) {
            assertEquals(expected[i], packed[i], "packed[" + i + "]");
        }
    }
}

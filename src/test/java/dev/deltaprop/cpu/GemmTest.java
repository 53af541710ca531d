package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Gemm} with each micro-kernel (scalar, the Vector API's 6-row and 14-row tiles) in the
 * three layouts of a training step (NN, NT, TN) against a double-precision product, one dimension
 * at a time swept over 1, 7, 33, 257 and 1031 (past {@code KC} and {@code NC}, odd, so every edge
 * panel is partial), the output poisoned with NaN first. Then: computing the product in column or
 * row chunks (as {@code Passes} splits it among threads, reusing the packed {@code A}; chunks of
 * at most {@link Gemm#NARROW_COLUMNS} read {@code A} in place with the narrow kernel) gives
 * bitwise the same result as one call.
 */
class GemmTest {
    private static final int[] SIZES = {1, 7, 33, 257, 1031};
    private static final long SEED = Seeds.seed();
    private static final double BOUND = 1e-5;

    static {
        System.out.println("GemmTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    private static MicroKernel kernel(String name) {
        switch (name) {
            case "scalar":
                return new ScalarMicroKernel();
            case "vector6":
                return MicroKernels.vector(6);
            case "vector14":
                return MicroKernels.vector(14);
            default:
                throw new IllegalArgumentException(name);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector6", "vector14"}) {
            for (String op : new String[] {"NN", "NT", "TN"}) {
                for (int size : SIZES) {
                    cases.add(Arguments.of(kernel, op, size, 33, 7));
                    cases.add(Arguments.of(kernel, op, 7, size, 33));
                    cases.add(Arguments.of(kernel, op, 33, 7, size));
                }
            }
        }
        return cases.stream();
    }

    /** The operands of {@code C = op(A) op(B)} (C m×n, shared k) and how {@link Gemm} reads them (TileWarmUpTest too). */
    static final class Product {
        final int m, n, k, aRow, aCol, bRow, bCol;
        final float[] a, b;
        final double[] expected;

        Product(String op, int m, int n, int k, SplittableRandom random) {
            this.m = m;
            this.n = n;
            this.k = k;
            a = Compare.uniform(random, m * k, 1.0);
            b = Compare.uniform(random, k * n, 1.0);
            switch (op) {
                case "NN": aRow = k; aCol = 1; bRow = n; bCol = 1; break;
                case "NT": aRow = k; aCol = 1; bRow = 1; bCol = k; break;
                case "TN": aRow = 1; aCol = m; bRow = n; bCol = 1; break;
                default: throw new IllegalArgumentException(op);
            }
            expected = new double[m * n];
            for (int r = 0; r < m; r++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += (double) a[r * aRow + p * aCol] * b[p * bRow + j * bCol];
                    }
                    expected[r * n + j] = sum;
                }
            }
        }

        /** Runs rows [m0, m1) × columns [n0, n1) into c. */
        void run(Gemm gemm, float[] c, int m0, int m1, int n0, int n1) {
            run(gemm, c, m0, m1, n0, n1, n1 - n0);
        }

        /** As {@link #run(Gemm, float[], int, int, int, int)}, the columns a chunk of a product {@code columns} wide (as {@link GemmJob} calls it). */
        void run(Gemm gemm, float[] c, int m0, int m1, int n0, int n1, int columns) {
            gemm.multiply(a, 0, aRow, aCol, b, 0, bRow, bCol, m0, m1, n0, n1, columns, k,
                    (tile, stride, row, column, rows, cols) -> {
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(tile, r * stride, c, (row + r) * n + column, cols);
                        }
                    });
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}x{4}")
    @MethodSource("cases")
    void matchesDoubleProduct(String kernelName, String op, int m, int n, int k) {
        Product product = new Product(op, m, n, k, new SplittableRandom(SEED + 31L * m + 7L * n + k));
        Gemm gemm = new Gemm(kernel(kernelName));
        float[] c = Compare.poisoned(m * n);
        gemm.newProduct();
        product.run(gemm, c, 0, m, 0, n);
        Compare.assertClose(kernelName + " " + op + " " + m + "x" + n + "x" + k, c, product.expected, m * n, BOUND, SEED);
    }

    /**
     * The output cut into column chunks and into row chunks of whole panels, on one {@link Gemm}
     * (which reuses its packed panels of {@code A} across chunks) and on a fresh one per chunk (as
     * another thread would be): every result bitwise equal to the one-call product.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("splits")
    void chunksGiveBitwiseTheSameProduct(String kernelName, String op) {
        int m = 257;
        int n = 1031;
        int k = 1100; // three K slices
        Product product = new Product(op, m, n, k, new SplittableRandom(SEED ^ 0x5DEECE66DL));
        MicroKernel kernel = kernel(kernelName);
        float[] whole = Compare.poisoned(m * n);
        Gemm one = new Gemm(kernel);
        one.newProduct();
        product.run(one, whole, 0, m, 0, n);
        int mr = kernel.mr();
        int nr = kernel.nr();
        for (int chunks : new int[] {2, 3, 8, 20}) { // 20: chunks of one or two panels, narrow (A read in place)
            float[] byColumns = Compare.poisoned(m * n);
            float[] byRows = Compare.poisoned(m * n);
            float[] fresh = Compare.poisoned(m * n);
            float[] ofWide = Compare.poisoned(m * n);
            one.newProduct();
            for (int c = 0; c < chunks; c++) {
                product.run(one, byColumns, 0, m, Passes.boundary(n, nr, c, chunks), Passes.boundary(n, nr, c + 1, chunks));
            }
            // the same chunks as chunks of a product n wide: A packed even where a chunk is narrow
            one.newProduct();
            for (int c = 0; c < chunks; c++) {
                product.run(one, ofWide, 0, m, Passes.boundary(n, nr, c, chunks), Passes.boundary(n, nr, c + 1, chunks), n);
            }
            Gemm rows = new Gemm(kernel);
            rows.newProduct();
            for (int c = 0; c < chunks; c++) {
                product.run(rows, byRows, Passes.boundary(m, mr, c, chunks), Passes.boundary(m, mr, c + 1, chunks), 0, n);
            }
            for (int c = 0; c < chunks; c++) {
                Gemm other = new Gemm(kernel);
                other.newProduct();
                product.run(other, fresh, 0, m, Passes.boundary(n, nr, c, chunks), Passes.boundary(n, nr, c + 1, chunks));
            }
            assertArrayEquals(whole, byColumns, kernelName + " " + op + ": " + chunks + " column chunks, seed " + SEED);
            assertArrayEquals(whole, byRows, kernelName + " " + op + ": " + chunks + " row chunks, seed " + SEED);
            assertArrayEquals(whole, fresh, kernelName + " " + op + ": " + chunks + " chunks on fresh Gemms, seed " + SEED);
            assertArrayEquals(whole, ofWide, kernelName + " " + op + ": " + chunks + " chunks of a wide product, seed " + SEED);
        }
    }

    /**
     * {@code B} packed once ({@link Gemm#packWhole}) and read by {@link Gemm#multiplyPacked}, whole
     * and in column chunks, narrow and wide, past {@code KC} and {@code NC}: bitwise the product
     * that packs {@code B} per call (NN, the layout {@link Predictor} packs its weights in).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scalar", "vector6", "vector14"})
    void packedOnceGivesBitwiseTheSameProduct(String kernelName) {
        MicroKernel kernel = kernel(kernelName);
        for (int[] shape : new int[][] {{257, 1031, 600}, {33, 40, 300}, {7, 1, 5}}) {
            int m = shape[0], n = shape[1], k = shape[2];
            Product product = new Product("NN", m, n, k, new SplittableRandom(SEED + m));
            float[] perCall = Compare.poisoned(m * n);
            Gemm gemm = new Gemm(kernel);
            gemm.newProduct();
            product.run(gemm, perCall, 0, m, 0, n);
            float[] packedB = gemm.packWhole(product.b, k, n);
            for (int chunks : new int[] {1, 3}) {
                float[] once = Compare.poisoned(m * n);
                gemm.newProduct();
                for (int c = 0; c < chunks; c++) {
                    gemm.multiplyPacked(product.a, 0, k, 1, packedB, 0, m, Passes.boundary(n, kernel.nr(), c, chunks),
                            Passes.boundary(n, kernel.nr(), c + 1, chunks), k, (tile, stride, row, column, rows, cols) -> {
                                for (int r = 0; r < rows; r++) {
                                    System.arraycopy(tile, r * stride, once, (row + r) * n + column, cols);
                                }
                            });
                }
                assertArrayEquals(perCall, once, kernelName + " " + m + "x" + n + "x" + k + " in " + chunks
                        + " chunks, B packed once, seed " + SEED);
            }
        }
    }

    static Stream<Arguments> splits() {
        List<Arguments> cases = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector6", "vector14"}) {
            for (String op : new String[] {"NN", "NT", "TN"}) {
                cases.add(Arguments.of(kernel, op));
            }
        }
        return cases.stream();
    }

    /**
     * The packed panels of {@code A} belong to one product: after {@link Gemm#newProduct} a changed
     * {@code A} (same array, as the next phase's activations are) is packed afresh, and another
     * array starts a new product by itself.
     */
    @Test
    void changedOperandIsPackedAfresh() {
        Product product = new Product("NN", 40, 70, 300, new SplittableRandom(SEED + 1));
        Gemm gemm = new Gemm(kernel("vector14"));
        float[] c = Compare.poisoned(40 * 70);
        gemm.newProduct();
        product.run(gemm, c, 0, 40, 0, 70);
        Arrays.fill(product.a, 0f);
        gemm.newProduct();
        product.run(gemm, c, 0, 40, 0, 70);
        for (float value : c) {
            assertEquals(0f, value, "A changed after newProduct: its old panels were reused");
        }
        Product other = new Product("NN", 40, 70, 300, new SplittableRandom(SEED + 2));
        float[] d = Compare.poisoned(40 * 70);
        other.run(gemm, d, 0, 40, 0, 70); // no newProduct: another array is another product
        Compare.assertClose("another A", d, other.expected, 40 * 70, BOUND, SEED);
    }

    /**
     * The packed block of {@code B} likewise: the row chunks of one product pack it once and share
     * it (bitwise the one-call product, narrow and wide), and after {@link Gemm#newProduct} a
     * changed {@code B} (same array, as the weights are after an update) is packed afresh.
     */
    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"40, 10, 300", "45, 100, 200"})
    void changedBIsPackedAfreshAndRowChunksShareIt(int m, int n, int k) {
        Product product = new Product("NN", m, n, k, new SplittableRandom(SEED + 4));
        MicroKernel kernel = kernel("vector14");
        Gemm gemm = new Gemm(kernel);
        float[] whole = Compare.poisoned(m * n);
        gemm.newProduct();
        product.run(gemm, whole, 0, m, 0, n);
        float[] byRows = Compare.poisoned(m * n);
        gemm.newProduct();
        for (int c = 0; c < 3; c++) {
            product.run(gemm, byRows, Passes.boundary(m, kernel.mr(), c, 3), Passes.boundary(m, kernel.mr(), c + 1, 3), 0, n);
        }
        assertArrayEquals(whole, byRows, "row chunks sharing B's packed block, seed " + SEED);
        Arrays.fill(product.b, 0f);
        gemm.newProduct();
        for (int c = 0; c < 3; c++) {
            product.run(gemm, byRows, Passes.boundary(m, kernel.mr(), c, 3), Passes.boundary(m, kernel.mr(), c + 1, 3), 0, n);
        }
        for (float value : byRows) {
            assertEquals(0f, value, "B changed after newProduct: its old packed block was reused");
        }
    }

    @Test
    void rowChunksStartOnAPanel() {
        Gemm gemm = new Gemm(kernel("vector14"));
        Product product = new Product("NN", 30, 5, 5, new SplittableRandom(SEED + 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> product.run(gemm, new float[30 * 5], 3, 30, 0, 5));
        assertTrue(e.getMessage().startsWith("m0: expected a multiple of MR = 14"), e.getMessage());
    }

    @Test
    void vectorTileIsSixOrFourteenRows() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MicroKernels.vector(8));
        assertEquals("mr: expected 6 or 14, found 8", e.getMessage());
    }

    /** The tall tile only with 512-bit vectors on JDK 17 (JDK 25 ran it at two thirds of the short one). */
    @Test
    void tallTileOnlyWhereItWasMeasuredFast() {
        assertEquals(14, VectorMicroKernel.defaultRows(17, 512));
        assertEquals(6, VectorMicroKernel.defaultRows(17, 256));
        assertEquals(6, VectorMicroKernel.defaultRows(25, 512));
        assertEquals(6, VectorMicroKernel.defaultRows(21, 512));
        MicroKernel chosen = MicroKernels.vector();
        int vectorBits = chosen.nr() / 2 * Float.SIZE; // NR = 2L
        assertEquals(VectorMicroKernel.defaultRows(Runtime.version().feature(), vectorBits), chosen.mr(),
                "the default tile on this JVM");
    }

    @Test
    void tilePropertyNamesTheRowsOrAuto() {
        assertEquals(0, MicroKernels.tileRows("auto"));
        assertEquals(14, MicroKernels.tileRows(" 14 "));
        assertEquals(6, MicroKernels.tileRows("6"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MicroKernels.tileRows("12"));
        assertEquals("deltaprop.cpu.tile: expected auto, 14 or 6, found '12'", e.getMessage());
    }
}

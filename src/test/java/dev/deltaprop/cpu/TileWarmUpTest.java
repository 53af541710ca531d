package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltaprop.testing.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link TileWarmUp}: who it runs for, that it keeps to its limit and runs nothing past it, that
 * a quiet JIT ends a form that is not compiled and a busy one does not, what
 * "compiled" requires of a form, and that a product after it is the product without it. Whether
 * the JIT's code came out whole is a measurement (docs/perf.md), not a test: it depends on timing.
 */
class TileWarmUpTest {

    @Test
    void onlyTheVectorKernelAsksForIt() {
        assertFalse(new ScalarMicroKernel().warmsUpFirst());
        assumeTrue(MicroKernels.vectorAvailable());
        assertTrue(MicroKernels.vector(VectorMicroKernel.SHORT).warmsUpFirst());
        assertTrue(MicroKernels.vector(VectorMicroKernel.TALL).warmsUpFirst());
    }

    @Test
    void aZeroLimitRunsNoCall() {
        TileWarmUp.Result r = TileWarmUp.run(new ScalarMicroKernel(), 0);
        assertArrayEquals(new long[TileWarmUp.FORMS.length], r.calls());
        assertFalse(r.allCompiled());
        for (boolean compiled : r.compiled()) {
            assertFalse(compiled);
        }
    }

    @Test
    void aQuietJitEndsAFormThatIsNotCompiled() {
        // a kernel that never gets faster, and a JIT whose activity never changes
        TileWarmUp.Result r = TileWarmUp.run(new SteadyKernel(), 20_000_000_000L, 150_000_000L, () -> 7L);
        assertFalse(r.allCompiled());
        for (int f = 0; f < TileWarmUp.FORMS.length; f++) {
            assertTrue(r.calls()[f] > 0, TileWarmUp.FORMS[f] + " ran no call");
            assertTrue(r.formNanos()[f] >= 150_000_000L, TileWarmUp.FORMS[f] + " ended before the JIT was quiet for 150 ms: "
                    + r.formNanos()[f] + " ns");
        }
        // each form within a batch (8 calls of 0.2 ms) of its quiet time; the 20 s limit far away
        assertTrue(r.nanos() < 3 * (150_000_000L + 1_000_000_000L), r.nanos() + " ns");
    }

    @Test
    void aBusyJitKeepsTheWarmUpGoingToItsLimit() {
        long[] activity = {0};
        // the JIT's activity moves at every reading: never quiet, so only the 400 ms limit ends it
        TileWarmUp.Result r = TileWarmUp.run(new SteadyKernel(), 400_000_000L, 50_000_000L, () -> ++activity[0]);
        assertFalse(r.allCompiled());
        assertTrue(r.formNanos()[0] >= 400_000_000L, "the first form ended at " + r.formNanos()[0] + " ns, before the limit");
        assertEquals(0, r.calls()[1] + r.calls()[2], "calls past the limit");
    }

        @Test
    void aFormCountsAsCompiledOnlyAfterItsReferenceAndCompiledBatches() {
        assumeTrue(MicroKernels.vectorAvailable());
        // the short tile: half a second where C2 compiles it, cut at 300 ms here whatever it does
        TileWarmUp.Result r = TileWarmUp.run(MicroKernels.vector(VectorMicroKernel.SHORT), 300_000_000L);
        assertEquals(VectorMicroKernel.SHORT, r.mr());
        for (int f = 0; f < TileWarmUp.FORMS.length; f++) {
            if (r.compiled()[f]) {
                assertTrue(r.calls()[f] >= (16 + 64) * 8, TileWarmUp.FORMS[f] + ": " + r.calls()[f] + " calls");
            }
            assertTrue(r.formNanos()[f] >= 0);
        }
        // the limit is checked before each batch of eight calls, so it ends within one batch of it
        assertTrue(r.nanos() < 300_000_000L + 2_000_000_000L, r.nanos() + " ns");
    }

    @Test
    void offByItsPropertyAndOncePerTileHeight() {
        assumeTrue(MicroKernels.vectorAvailable());
        MicroKernel kernel = MicroKernels.vector(VectorMicroKernel.SHORT);
        String before = System.getProperty(TileWarmUp.PROPERTY);
        try {
            System.setProperty(TileWarmUp.PROPERTY, "false");
            assertNull(TileWarmUp.once(kernel));
        } finally {
            if (before == null) {
                System.clearProperty(TileWarmUp.PROPERTY);
            } else {
                System.setProperty(TileWarmUp.PROPERTY, before);
            }
        }
        TileWarmUp.once(kernel); // warms it unless an earlier test's GEMM has
        assertNull(TileWarmUp.once(kernel), "a second warm-up of the same tile height");
    }

    @Test
    void aProductAfterTheWarmUpIsTheProductWithout() {
        assumeTrue(MicroKernels.vectorAvailable());
        GemmTest.Product product = new GemmTest.Product("NN", 37, 45, 300, new SplittableRandom(Seeds.seed()));
        float[] first = new float[37 * 45];
        product.run(new Gemm(MicroKernels.vector(VectorMicroKernel.TALL)), first, 0, 37, 0, 45);
        TileWarmUp.run(MicroKernels.vector(VectorMicroKernel.TALL), 100_000_000L);
        float[] again = new float[37 * 45];
        product.run(new Gemm(MicroKernels.vector(VectorMicroKernel.TALL)), again, 0, 37, 0, 45);
        assertArrayEquals(first, again);
    }

    /**
     * A tile whose every call takes 0.2 ms, compiled or not: never 200× faster than its slowest
     * batch nor 20 GFLOP/s (4 × 8 × 256 × 2 flops in 0.2 ms is 0.08), so no form ever counts as compiled.
     */
    private static final class SteadyKernel implements MicroKernel {
        private static void spin() {
            long until = System.nanoTime() + 200_000L;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }

        @Override
        public int mr() {
            return 4;
        }

        @Override
        public int nr() {
            return 8;
        }

        @Override
        public void multiply(float[] a, int aOffset, float[] b, int bOffset, int kc, float[] from, int fromAt, int fromStride,
                             float[] to, int toAt, int toStride, boolean first) {
            spin();
        }

        @Override
        public void multiplyRows(float[] a, int aOffset, int lda, float[] b, int bOffset, int kc, float[] from, int fromAt,
                                 int fromStride, float[] to, int toAt, int toStride, boolean first) {
            spin();
        }

        @Override
        public void multiplyColumns(float[] a, int aOffset, int ldp, float[] b, int bOffset, int kc, float[] from, int fromAt,
                                    int fromStride, float[] to, int toAt, int toStride, boolean first) {
            spin();
        }

        @Override
        public void rowTimesMatrix(float[] x, int xOffset, int k, float[] w, float[] bias, int n, float[] out) {
            throw new UnsupportedOperationException("the warm-up multiplies tiles only");
        }

        @Override
        public String description() {
            return "a 0.2 ms tile";
        }
    }
}

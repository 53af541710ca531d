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
 * {@link TileWarmUp}: who it runs for, that it keeps to its limit and runs nothing past it, what
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
}

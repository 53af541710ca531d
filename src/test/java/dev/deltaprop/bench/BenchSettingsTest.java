package dev.deltaprop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchSettingsTest {

    @Test
    void defaultsAreFewerStepsOnTheReference() {
        assertEquals(new BenchSettings(3, 20, 10, false, 2.0), BenchSettings.choose("opencl", null, null, null));
        assertEquals(new BenchSettings(3, 20, 10, false, 2.0), BenchSettings.choose("cpu", null, null, null));
        assertEquals(new BenchSettings(1, 5, 10, false), BenchSettings.choose("reference", null, null, null));
        assertEquals(new BenchSettings(0, 2, 0, true), BenchSettings.choose("reference", 0, 2, 0));
    }

    @Test
    void theWarmUpTimeDefaultsOnItsOwnAndZeroMakesTheWarmUpACount() {
        assertEquals(0.0, new BenchSettings(3, 20, 10, false).warmupSeconds(), "the four-value form is count-only");
        // --warmup alone keeps the default time; --warmup-seconds alone keeps the default count
        assertEquals(new BenchSettings(0, 20, 10, false, 2.0), BenchSettings.choose("cpu", 0, null, null, null));
        assertEquals(new BenchSettings(3, 20, 10, false, 0.0), BenchSettings.choose("cpu", null, 0.0, null, null));
        assertEquals(new BenchSettings(1, 5, 10, false, 0.5), BenchSettings.choose("reference", null, 0.5, null, null));
        for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> BenchSettings.choose("cpu", null, bad, null, null)).getMessage();
            assertTrue(message.startsWith("warmup-seconds: expected a finite number at least 0, found " + bad), message);
        }
    }

    @Test
    void theWaitForAQuietJitHasALimitThatDefaultsTo120Seconds() {
        assertEquals(120.0, BenchSettings.choose("cuda", null, 1.0, null, null).warmupLimitSeconds());
        assertEquals(4.0, BenchSettings.choose("cuda", null, 1.0, 4.0, null, null).warmupLimitSeconds());
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class,
                    () -> BenchSettings.choose("cpu", null, 1.0, bad, null, null)).getMessage();
            assertTrue(message.startsWith("warmup-limit-seconds: expected a finite number at least 0, found " + bad), message);
        }
    }

    @Test
    void outOfRangeCountsAreRefusedNamingTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchSettings.choose("cpu", null, 0, null))
                .getMessage().startsWith("steps: expected at least 1, found 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchSettings.choose("cpu", -1, null, null))
                .getMessage().startsWith("warmup: expected at least 0, found -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchSettings.choose("cpu", null, null, -2))
                .getMessage().startsWith("profiled-steps: expected at least 0, found -2"));
    }

    @Test
    void theReferenceRefusesWideUnlessStepsAreGiven() {
        BenchSettings defaults = BenchSettings.choose("reference", null, null, null);
        String reason = defaults.refusal("reference", Workload.wide());
        assertNotNull(reason);
        assertTrue(reason.contains("wide") && reason.contains("--steps"), reason);
        assertNull(defaults.refusal("reference", Workload.tiny()));
        assertNull(defaults.refusal("reference", Workload.mnist()));
        // gemm-1260: 2·1260³ = 4.000752e9 > 4e9 counted operations; gemm-1259: 3.991e9 is under
        assertNotNull(defaults.refusal("reference", Workload.gemm(1260)));
        assertNull(defaults.refusal("reference", Workload.gemm(1259)));
        assertNull(BenchSettings.choose("reference", null, 1, null).refusal("reference", Workload.wide()));
        assertNull(BenchSettings.choose("opencl", null, null, null).refusal("opencl", Workload.wide()));
    }
}

package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tile-class and split-K rule of {@link GemmPlan}, on the GPU table: no device needed. */
class GemmPlanTest {
    /** An H100/H200: 132 multiprocessors. */
    private static final int SMS = 132;
    private final TileProfile gpu = TileProfile.forDevice(Driver.DeviceType.GPU, 1024);

    @AfterEach
    void clearOverride() {
        System.clearProperty(GemmPlan.PROPERTY);
    }

    @Test
    void aLargeSquareGemmTakesTheLargeClassUnsplit() {
        GemmPlan plan = GemmPlan.choose(gpu, SMS, 4096, 4096, 4096);
        assertEquals("large", plan.tiles().name());
        assertEquals(1, plan.splits(), plan.toString());
        assertEquals(4096, plan.kSplit(), "one split covers K");
    }

    @Test
    void aGridShortOfTheDeviceSplitsK() {
        // mnist's first layer: 256 × 512 over 784; 4 × 8 = 32 small groups, ⌊264 / 32⌋ = 8 splits
        GemmPlan plan = GemmPlan.choose(gpu, SMS, 256, 512, 784);
        assertEquals("small", plan.tiles().name(), "32 large groups would leave 100 SMs idle");
        assertEquals(112, plan.kSplit(), "⌈784/8⌉ = 98, rounded up to the K step 16");
        assertEquals(7, plan.splits(), "⌈784/112⌉ ranges, none empty");
        assertTrue((long) plan.splits() * GemmPlan.groups(plan.tiles(), 256, 512) <= 2 * SMS);
    }

    @Test
    void aCpuDeviceKeepsTheSmallClass() {
        TileProfile cpu = TileProfile.forDevice(Driver.DeviceType.CPU, 4096);
        assertEquals("small", GemmPlan.choose(cpu, 2, 1024, 1024, 1024).tiles().name());
        System.setProperty(GemmPlan.PROPERTY, "class=large");
        assertEquals("large", GemmPlan.choose(cpu, 2, 1024, 1024, 1024).tiles().name(), "unless told");
    }

    @Test
    void aShallowKIsNotSplit() {
        // tiny's layers: K = 32 or 64 is at most one split of MIN_SPLIT_K
        assertEquals(1, GemmPlan.choose(gpu, SMS, 1024, 64, 32).splits());
        assertEquals(1, GemmPlan.choose(gpu, SMS, 1024, 64, 64).splits());
        // one group, K = 1031: ⌊1031/64⌋ = 16 by depth, capped at MAX_SPLITS
        assertEquals(GemmPlan.MAX_SPLITS, GemmPlan.splits(gpu.small(), SMS, 5, 7, 1031));
    }

    @Test
    void aSmallLayersUpdateSplitsTheBatch() {
        TileProfile profile = gpu;
        // tiny's first update: (32 + 1) × 64 over K = 1024 is one small group: 16 splits of 64
        GemmPlan tiny = GemmPlan.choose(profile, SMS, 33, 64, 1024);
        assertEquals("small", tiny.tiles().name());
        assertEquals(GemmPlan.MAX_SPLITS, tiny.splits(), tiny.toString());
        assertEquals(64, tiny.kSplit());
        // mnist's first update: (784 + 1) × 512 over 256: 13 × 8 = 104 groups, ⌊264/104⌋ = 2 splits of 128
        GemmPlan mnist = GemmPlan.choose(profile, SMS, 785, 512, 256);
        assertEquals(2, mnist.splits(), mnist.toString());
        assertEquals(128, mnist.kSplit());
        // wide's first update: 1025 × 2048 over 512 fills 9 × 16 = 144 large groups: unsplit
        GemmPlan wide = GemmPlan.choose(profile, SMS, 1025, 2048, 512);
        assertEquals("large", wide.tiles().name());
        assertEquals(1, wide.splits(), wide.toString());
    }

    @Test
    void aSplitUpdateSumsTheBiasInItsReduceWhereTheRowOfOnesWouldAddARowOfTiles() {
        // tiny's second update: 64 inputs fill the small tiles' 64 rows exactly; split 16 ways
        GemmPlan split = GemmPlan.choose(gpu, SMS, 65, 64, 1024);
        assertTrue(split.splits() > 1, split.toString());
        assertTrue(!split.updateBiasRow(64), "the reduce sums the bias: " + split);
        assertTrue(split.updateBiasRow(32), "33 rows fit one row of tiles: the row of ones is free");
        GemmPlan unsplit = GemmPlan.of(gpu.small(), 1, 1024);
        assertTrue(unsplit.updateBiasRow(64), "unsplit: the extra row of tiles, not a launch of its own");
    }

    @Test
    void aGridOverOneWaveIsNotSplit() {
        // 133 groups > 132 SMs: ⌊264/133⌋ = 1
        assertEquals(1, GemmPlan.splits(gpu.small(), SMS, 7 * 64, 19 * 64, 4096));
        assertEquals(2, GemmPlan.splits(gpu.small(), SMS, 6 * 64, 22 * 64, 4096), "132 groups: two waves need 2");
    }

    @Test
    void splitsAreWholeKStepsAndNeverEmpty() {
        for (int k = 1; k <= 300; k++) {
            for (int wanted = 1; wanted <= 20; wanted++) {
                GemmPlan plan = GemmPlan.of(gpu.large(), wanted, k);
                assertEquals(0, plan.kSplit() % gpu.large().tk(), plan.toString());
                assertTrue(plan.splits() >= 1 && plan.splits() <= wanted, "k=" + k + " wanted=" + wanted + ": " + plan);
                assertTrue((long) (plan.splits() - 1) * plan.kSplit() < k, "the last split is not empty: " + plan);
                assertTrue((long) plan.splits() * plan.kSplit() >= k, "the splits cover K: " + plan);
            }
        }
    }

    @Test
    void thePropertyOverridesForMeasurement() {
        System.setProperty(GemmPlan.PROPERTY, "class=large, splits=4");
        GemmPlan plan = GemmPlan.choose(gpu, SMS, 33, 33, 1000);
        assertEquals("large", plan.tiles().name());
        assertEquals(4, plan.splits());
        System.setProperty(GemmPlan.PROPERTY, "splits=1");
        assertEquals(1, GemmPlan.choose(gpu, SMS, 256, 512, 784).splits());
        System.setProperty(GemmPlan.PROPERTY, "class=medium");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmPlan.choose(gpu, SMS, 1, 1, 1));
        assertEquals("deltaprop.gemm: class expected auto, small or large, found 'medium'", e.getMessage());
        System.setProperty(GemmPlan.PROPERTY, "splits=0");
        e = assertThrows(IllegalArgumentException.class, () -> GemmPlan.choose(gpu, SMS, 1, 1, 1));
        assertEquals("deltaprop.gemm: splits expected auto or a number from 1, found '0'", e.getMessage());
        System.setProperty(GemmPlan.PROPERTY, "tiles=8");
        e = assertThrows(IllegalArgumentException.class, () -> GemmPlan.choose(gpu, SMS, 1, 1, 1));
        assertTrue(e.getMessage().startsWith("deltaprop.gemm: expected class=auto|small|large"), e.getMessage());
        System.setProperty(GemmPlan.PROPERTY, "bias=column");
        e = assertThrows(IllegalArgumentException.class, () -> GemmPlan.choose(gpu, SMS, 1, 1, 1));
        assertEquals("deltaprop.gemm: bias expected auto or row, found 'column'", e.getMessage());
        System.setProperty(GemmPlan.PROPERTY, "bias=row");
        assertTrue(GemmPlan.choose(gpu, SMS, 65, 64, 1024).updateBiasRow(64), "bias=row keeps the row of ones");
    }
}

package dev.deltaprop.device.driver.jcuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The JCuda driver's memory, copies, marks and errors on a real GPU (kernels are covered by the
 * device suite on {@code cuda}); skipped with the reason where CUDA cannot start, failed instead
 * when {@code DELTAPROP_REQUIRE} names {@code cuda}.
 */
class JcudaDriverTest {

    private JcudaDriver driver;

    @BeforeEach
    void open() {
        CudaRequirement.assumeCuda();
        driver = new JcudaDriver();
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static float[] random(long seed, int count) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void describesTheDevice() {
        assertEquals(Driver.Language.CUDA_C, driver.language());
        assertEquals(Driver.DeviceType.GPU, driver.deviceType());
        assertTrue(driver.binding().startsWith("JCuda "), driver.binding());
        assertTrue(driver.deviceVersion().contains("compute capability " + driver.computeCapabilityMajor() + "."),
                driver.deviceVersion());
        assertTrue(driver.globalMemoryBytes() > 1L << 30 && driver.maxGroupSize() >= 256, driver.toString());
    }

    /** Sizes 1, 7, 33, 257, and over a staging half (8 MiB = 2 Mi floats) so uploads go in chunks. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 257, 1001, 5_000_003})
    void whatIsWrittenIsReadBack(int count) {
        long seed = System.nanoTime();
        float[] values = random(seed, count);
        Driver.Memory memory = driver.allocate(count + 3L);
        driver.write(memory, 3, values, 0, count);
        java.util.Arrays.fill(values, 0, Math.min(count, 5), Float.NaN);   // the source is free once write returns
        float[] back = new float[count];
        java.util.Arrays.fill(back, Float.NaN);
        driver.read(memory, 3, back, 0, count);
        float[] expected = random(seed, count);
        assertArrayEquals(expected, back, "seed " + seed);
    }

    @Test
    void manyUploadsInFlightKeepTheirOwnBytes() {
        // 40 uploads of 1 MiB each cycle both staging halves several times before anything waits
        int count = 1 << 18;
        Driver.Memory memory = driver.allocate(40L * count);
        for (int block = 0; block < 40; block++) {
            float[] values = new float[count];
            java.util.Arrays.fill(values, block);
            driver.write(memory, (long) block * count, values, 0, count);
        }
        float[] back = new float[40 * count];
        driver.read(memory, 0, back, 0, back.length);
        for (int block = 0; block < 40; block++) {
            assertEquals(block, back[block * count], "block " + block + " start");
            assertEquals(block, back[block * count + count - 1], "block " + block + " end");
        }
    }

    @Test
    void floatBuffersAreReadFromTheirPositionWhichStays() {
        float[] values = random(7, 100);
        FloatBuffer direct = ByteBuffer.allocateDirect(4 * 110).order(ByteOrder.nativeOrder()).asFloatBuffer();
        direct.position(10);
        direct.put(values).position(10);
        Driver.Memory memory = driver.allocate(100);
        driver.write(memory, 0, direct, 100);
        assertEquals(10, direct.position());
        FloatBuffer heap = FloatBuffer.wrap(values);
        Driver.Memory second = driver.allocate(100);
        driver.write(second, 0, heap, 100);
        float[] back = new float[100];
        driver.read(memory, 0, back, 0, 100);
        assertArrayEquals(values, back);
        driver.read(second, 0, back, 0, 100);
        assertArrayEquals(values, back);
    }

    @Test
    void intsKeepTheirBits() {
        int[] order = {4, 0, 3, 1, 2, Integer.MAX_VALUE, -1};
        Driver.Memory memory = driver.allocate(order.length);
        driver.write(memory, 0, order, 0, order.length);
        float[] back = new float[order.length];
        driver.read(memory, 0, back, 0, order.length);
        for (int i = 0; i < order.length; i++) {
            assertEquals(order[i], Float.floatToRawIntBits(back[i]), "element " + i);
        }
    }

    @Test
    void marksMeasureDeviceTime() {
        Driver.TimingMark start = driver.mark();
        Driver.Memory memory = driver.allocate(1 << 24);
        driver.write(memory, 0, new float[1 << 24], 0, 1 << 24);
        Driver.TimingMark end = driver.mark();
        long nanos = driver.elapsedNanos(start, end);
        assertTrue(nanos > 0 && nanos < 10_000_000_000L, nanos + " ns for a 64 MiB upload");
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyCall() {
        Driver.Memory memory = driver.allocate(10);
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> driver.write(memory, 5, new float[10], 0, 6));
        assertTrue(range.getMessage().startsWith("target: expected offset + count ≤ 10"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> driver.read(memory, 0, new float[3], 0, 4));
        assertThrows(IllegalArgumentException.class, () -> driver.allocate(0));
        driver.free(memory);
        IllegalArgumentException freed = assertThrows(IllegalArgumentException.class, () -> driver.free(memory));
        assertTrue(freed.getMessage().contains("freed memory"), freed.getMessage());
    }

    @Test
    void closingFreesEverythingAndIsIdempotent() {
        // a second driver keeps the primary context alive, so a leak would pile up: 100 × 2 GiB
        // exceeds any current GPU's memory
        try (JcudaDriver keeper = new JcudaDriver()) {
            for (int cycle = 0; cycle < 100; cycle++) {
                JcudaDriver inner = new JcudaDriver();
                inner.allocate(1L << 29);   // 2 GiB of floats
                inner.mark();
                inner.close();
                inner.close();
            }
            assertEquals(0, keeper.liveAllocations());
        }
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> {
            JcudaDriver done = new JcudaDriver();
            done.close();
            done.allocate(1);
        });
        assertEquals("driver: closed", closed.getMessage());
    }
}

package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.ProgramSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LWJGL CUDA driver on a real GPU: copies through the pinned slots (sizes across several
 * 4 MiB chunks, so that a slot is reused), the engine's program from the shipped fatbin, a
 * launch, marks, errors by name, and open/close cycles. The kernels themselves are the device
 * suite's. Skipped with the reason where {@code cuda-lwjgl} cannot start (no GPU), failed when
 * {@code DELTAPROP_REQUIRE} names it.
 */
class LwjglCudaDriverTest {

    private static Driver open() {
        return DeviceBackends.require("cuda-lwjgl").openDriver();
    }

    private static float[] random(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    @Test
    void copiesRoundTripAcrossChunks() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        try (Driver driver = open()) {
            assertTrue(driver.binding().startsWith("LWJGL 3.3.6"), driver.binding());
            for (int n : new int[] {1, 7, 33, 257, 3 * (1 << 20) + 5}) {
                float[] values = random(random, n + 3);
                Driver.Memory memory = driver.allocate(n + 11);
                driver.write(memory, 11, values, 3, n);
                float[] back = new float[n + 2];
                Arrays.fill(back, Float.NaN);
                driver.read(memory, 11, back, 2, n);
                assertArrayEquals(Arrays.copyOfRange(values, 3, n + 3), Arrays.copyOfRange(back, 2, n + 2),
                        "n=" + n + ", seed " + seed);
                FloatBuffer direct = ByteBuffer.allocateDirect(4 * (n + 1)).order(ByteOrder.nativeOrder()).asFloatBuffer();
                direct.put(values, 0, n + 1).position(1);
                driver.write(memory, 0, direct, n);
                assertEquals(1, direct.position());
                driver.read(memory, 0, back, 0, n);
                assertArrayEquals(Arrays.copyOfRange(values, 1, n + 1), Arrays.copyOf(back, n), "direct, n=" + n + ", seed " + seed);
                driver.free(memory);
                assertThrows(IllegalArgumentException.class, () -> driver.free(memory), "freeing twice");
            }
        }
    }

    /** The engine's program (shipped fatbin or NVRTC), its gather kernel launched between two marks. */
    @Test
    void buildsLaunchesAndTimes() {
        try (Driver driver = open()) {
            TileProfile tiles = TileProfile.forDevice(driver.deviceType(), driver.maxGroupSize());
            Driver.Program program = driver.build(KernelSource.load(Driver.Language.CUDA_C), tiles.defines());
            Driver.Kernel gather = driver.kernel(program, "gather_rows");
            int samples = 33;
            int width = 7;
            float[] data = random(new SplittableRandom(7), samples * width);
            int[] order = new int[samples];
            for (int i = 0; i < samples; i++) {
                order[i] = (i * 5 + 3) % samples;
            }
            Driver.Memory dataMemory = driver.allocate(data.length);
            driver.write(dataMemory, 0, data, 0, data.length);
            Driver.Memory orderMemory = driver.allocate(samples);
            driver.write(orderMemory, 0, order, 0, samples);
            Driver.Memory out = driver.allocate(samples * width);
            float[] poison = new float[samples * width];
            Arrays.fill(poison, Float.NaN);
            driver.write(out, 0, poison, 0, poison.length);
            int offset = 4;
            int batch = samples - offset;
            Driver.TimingMark start = driver.mark();
            driver.launch(gather, new int[] {(batch * width + tiles.reduce() - 1) / tiles.reduce()},
                    new int[] {tiles.reduce()}, dataMemory, orderMemory, out, offset, batch, width);
            Driver.TimingMark end = driver.mark();
            float[] result = new float[batch * width];
            driver.read(out, 0, result, 0, result.length);
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < width; c++) {
                    assertEquals(data[order[offset + b] * width + c], result[b * width + c], "row " + b + " column " + c);
                }
            }
            assertTrue(driver.elapsedNanos(start, end) >= 0);
            DriverException missing = assertThrows(DriverException.class, () -> driver.kernel(program, "missing"));
            assertTrue(missing.getMessage().contains("cuModuleGetFunction(missing") && missing.getMessage().contains("CUDA_ERROR_NOT_FOUND"),
                    missing.getMessage());
            IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class, () -> driver.launch(gather,
                    new int[] {1}, new int[] {driver.maxGroupSize() * 2}, dataMemory, orderMemory, out, 0, 1, 1));
            assertTrue(tooLarge.getMessage().startsWith("groupSize: expected at most"), tooLarge.getMessage());
        }
    }

    @Test
    void aCallerBinaryThatIsNotAnImageIsRefused() {
        try (Driver driver = open()) {
            DriverException e = assertThrows(DriverException.class, () -> driver.build(
                    new ProgramSource("kernels/garbage.cu", "this is not CUDA", new byte[] {1, 2, 3, 4}), java.util.Map.of()));
            // refused by cuModuleLoadData, then either NVRTC's compile error or the plan's "no kernels can be loaded"
            assertTrue(e.getMessage().contains("garbage.cu"), e.getMessage());
        }
    }

    private static long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** 200 open/close cycles (each pins 12 MiB and loads the module) leave resident memory where it was. */
    @Test
    void openCloseCyclesLeaveNoGrowth() throws IOException {
        Runnable cycle = () -> {
            try (Driver driver = open()) {
                Driver.Memory memory = driver.allocate(1 << 16);
                driver.write(memory, 0, new float[1 << 16], 0, 1 << 16);
                driver.read(memory, 0, new float[16], 0, 16);
                driver.mark();
            }
        };
        for (int k = 0; k < 20; k++) {
            cycle.run();
        }
        System.gc();
        long before = residentKilobytes();
        for (int k = 0; k < 200; k++) {
            cycle.run();
        }
        System.gc();
        long after = residentKilobytes();
        System.out.println("cuda-lwjgl: VmRSS after warm-up " + before + " kB, after 200 cycles " + after + " kB");
        assertTrue(after - before < 64 * 1024, "resident memory grew by " + (after - before) + " kB over 200 cycles");
    }
}

package dev.deltaprop.device.driver.lwjgl.opencl;

import dev.deltaprop.device.driver.opencl.ClStatus;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LWJGL OpenCL driver on whatever OpenCL device this machine has (PoCL in CI). */
class LwjglOpenClDriverTest {
    /** {@code v[i] = v[i] * a + OFFSET}: OFFSET comes from the build's defines. */
    private static final String SCALE = "__kernel void scale(__global float* v, float a, int n) {"
            + " int i = get_global_id(0); if (i < n) v[i] = v[i] * a + OFFSET; }";
    private static final Map<String, String> DEFINES = Map.of("OFFSET", "0.5f");
    private static final int STAGED = 1 << 16;
    /** One source array for every cycle: 256 KiB of Java garbage per cycle would grow the heap, and the RSS with it. */
    private static final float[] STAGED_SOURCE = new float[STAGED + 1];

    @BeforeAll
    static void requireOpenClLwjgl() {
        String reason = new LwjglOpenClDriverFactory().unavailableReason();
        if (reason != null) {
            String required = System.getenv("DELTAPROP_REQUIRE");
            if (required != null && Arrays.asList(required.trim().split("[,\\s]+")).contains("opencl-lwjgl")) {
                Assertions.fail("opencl-lwjgl is required here (DELTAPROP_REQUIRE=" + required + ") but cannot start: " + reason);
            }
            Assumptions.abort("opencl-lwjgl cannot start here: " + reason);
        }
    }

    private static Driver open() {
        return new LwjglOpenClDriverFactory().open();
    }

    private static Driver.Kernel scale(Driver driver) {
        return driver.kernel(driver.build(new ProgramSource("scale.cl", SCALE, null), DEFINES), "scale");
    }

    /** One full life: context, queue, buffer, staging, program, kernel, launch, marks, read, close. */
    private static void cycle() {
        try (Driver driver = open()) {
            // 256 KiB through the staging buffer: were it not freed, 1,000 cycles would leak 256 MiB
            Driver.Memory staged = driver.allocate(STAGED);
            driver.write(staged, 0, STAGED_SOURCE, 1, STAGED);
            Driver.Memory memory = driver.allocate(64);
            driver.write(memory, 0, STAGED_SOURCE, 0, 64);
            Driver.Kernel kernel = scale(driver);
            Driver.TimingMark start = driver.mark();
            driver.launch(kernel, new int[] {8}, new int[] {8}, memory, 2.0f, 64);
            Driver.TimingMark end = driver.mark();
            driver.elapsedNanos(start, end);
            driver.mark(); // left unread: close must release it
            driver.read(memory, 0, new float[64], 0, 64);
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

    /**
     * 1,000 open/close cycles leave the process's resident memory where it was after a warm-up
     * (JIT, PoCL's caches and thread pool), less what the Java heap committed meanwhile. One leaked context, queue, buffer, staging buffer or
     * program per cycle would add well over the tolerance (24 MiB, for heap and allocator noise):
     * each cycle stages 256 KiB and allocates 256 KiB of device (host, on PoCL) memory, and a PoCL
     * context alone holds hundreds of kilobytes.
     */
    @Test
    void thousandOpenCloseCyclesLeaveNoGrowth() throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs /proc/self/status (Linux)");
        for (int k = 0; k < 100; k++) {
            cycle();
        }
        System.gc();
        long before = residentKilobytes();
        long heapBefore = heapCommittedKilobytes();
        for (int k = 0; k < 1000; k++) {
            cycle();
        }
        System.gc();
        long after = residentKilobytes();
        long heapGrowth = Math.max(0, heapCommittedKilobytes() - heapBefore);
        long nativeGrowth = after - before - heapGrowth;
        System.out.println("opencl-lwjgl: VmRSS after warm-up " + before + " kB, after 1000 cycles " + after
                + " kB, of which Java heap committed +" + heapGrowth + " kB");
        assertTrue(nativeGrowth < 24 * 1024, "resident memory outside the Java heap grew by " + nativeGrowth
                + " kB over 1000 cycles");
    }

    /** The Java heap's committed size: the RSS the JVM may add by growing its heap, which is no leak of the driver's. */
    private static long heapCommittedKilobytes() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }

    @Test
    void aFailedBuildCarriesTheBuildLog() {
        try (Driver driver = open()) {
            KernelBuildException e = assertThrows(KernelBuildException.class, () -> driver.build(
                    new ProgramSource("broken.cl", "__kernel void broken(__global float* v) { v[0] = undeclared_name; }", null),
                    Map.of("TM", "64")));
            assertTrue(e.log().contains("undeclared_name"), "log: " + e.log());
            assertTrue(e.getMessage().contains("clBuildProgram(broken.cl, -DTM=64): CL_BUILD_PROGRAM_FAILURE (-11)"),
                    e.getMessage());
        }
    }

    /** A define the source needs is missing: the build fails, naming the macro in the log. */
    @Test
    void definesReachTheCompiler() {
        try (Driver driver = open()) {
            KernelBuildException e = assertThrows(KernelBuildException.class,
                    () -> driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of()));
            assertTrue(e.log().contains("OFFSET"), "log: " + e.log());
        }
    }

    @Test
    void errorCodesAreReportedByName() {
        try (Driver driver = open()) {
            Driver.Kernel kernel = scale(driver);
            Driver.Memory memory = driver.allocate(16);
            int tooLarge = driver.maxGroupSize() * 2;
            DriverException e = assertThrows(DriverException.class,
                    () -> driver.launch(kernel, new int[] {1}, new int[] {tooLarge}, memory, 1.0f, 16));
            assertTrue(e.getMessage().startsWith("clEnqueueNDRangeKernel(scale): CL_INVALID_WORK_GROUP_SIZE (-54)"),
                    e.getMessage());
            DriverException noKernel = assertThrows(DriverException.class, () -> driver.kernel(
                    driver.build(new ProgramSource("scale.cl", SCALE, null), DEFINES), "missing"));
            assertEquals("clCreateKernel(missing): CL_INVALID_KERNEL_NAME (-46)", noKernel.getMessage());
            DriverException badArgument = assertThrows(DriverException.class,
                    () -> driver.launch(kernel, new int[] {1}, new int[] {1}, memory, 1.0f, 16, 3));
            assertTrue(badArgument.getMessage().startsWith("clSetKernelArg(scale, 3): CL_INVALID_ARG_INDEX (-49)"),
                    badArgument.getMessage());
        }
    }

    /**
     * Writes from whole arrays, from arrays at an offset (staged), from heap and direct buffers at
     * their positions, and of ints; reads whole and at an offset; a launch with a define; a timed span.
     */
    @Test
    void copiesLaunchesAndMarks() {
        try (Driver driver = open()) {
            Driver.Memory memory = driver.allocate(8);
            driver.write(memory, 0, new float[] {9, 1, 2, 3}, 1, 3);
            FloatBuffer heap = FloatBuffer.wrap(new float[] {9, 9, 4, 5});
            heap.position(2);
            driver.write(memory, 3, heap, 2);
            assertEquals(2, heap.position(), "the buffer's position is not moved");
            FloatBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer();
            direct.put(new float[] {9, 6, 7, 8}).position(1);
            driver.write(memory, 5, direct, 3);
            assertEquals(1, direct.position(), "the buffer's position is not moved");
            Driver.Kernel kernel = scale(driver);
            Driver.TimingMark start = driver.mark();
            driver.launch(kernel, new int[] {1}, new int[] {8}, memory, 2.0f, 8);
            Driver.TimingMark end = driver.mark();
            float[] out = new float[10];
            driver.read(memory, 0, out, 1, 8);
            assertArrayEquals(new float[] {0, 2.5f, 4.5f, 6.5f, 8.5f, 10.5f, 12.5f, 14.5f, 16.5f, 0}, out);
            float[] whole = new float[8];
            driver.read(memory, 0, whole, 0, 8);
            assertArrayEquals(Arrays.copyOfRange(out, 1, 9), whole);
            assertTrue(driver.elapsedNanos(start, end) >= 0);

            Driver.Memory ints = driver.allocate(4);
            driver.write(ints, 0, new int[] {7, 1, 2, 3}, 1, 3);
            driver.write(ints, 3, new int[] {-5}, 0, 1);
            float[] bits = new float[4];
            driver.read(ints, 0, bits, 0, 4);
            assertEquals(1, Float.floatToRawIntBits(bits[0]));
            assertEquals(-5, Float.floatToRawIntBits(bits[3]));

            assertThrows(IllegalArgumentException.class, () -> driver.write(memory, 6, new float[4], 0, 4));
            driver.free(memory);
            assertThrows(IllegalArgumentException.class, () -> driver.free(memory), "freeing twice");
        }
        Driver closed = open();
        closed.close();
        closed.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> closed.allocate(1));
    }

    /**
     * A large random array, written and read back at odd offsets (through staging, in chunks of
     * {@link LwjglOpenClDriver#STAGING_FLOATS}: this one spans three), and again from a heap
     * buffer at a position, is bit for bit the same.
     */
    @Test
    void largeCopiesRoundTrip() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int n = 2 * LwjglOpenClDriver.STAGING_FLOATS + 1031;
        float[] values = new float[n + 7];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        float[] expected = Arrays.copyOfRange(values, 7, 7 + n);
        try (Driver driver = open()) {
            Driver.Memory memory = driver.allocate(n + 33);
            driver.write(memory, 33, values, 7, n);
            float[] back = new float[n + 1];
            Arrays.fill(back, Float.NaN);
            driver.read(memory, 33, back, 1, n);
            assertArrayEquals(expected, Arrays.copyOfRange(back, 1, n + 1), "seed " + seed);

            float[] zeros = new float[n + 33];
            driver.write(memory, 0, zeros, 0, zeros.length);
            FloatBuffer heap = FloatBuffer.wrap(values);
            heap.position(7);
            driver.write(memory, 33, heap, n);
            assertEquals(7, heap.position());
            Arrays.fill(back, Float.NaN);
            driver.read(memory, 33, back, 1, n);
            assertArrayEquals(expected, Arrays.copyOfRange(back, 1, n + 1), "heap buffer, seed " + seed);
        }
    }

    /** DELTAPROP_OPENCL_DEVICE: an index, a name substring in any case, and a value that matches nothing. */
    @Test
    void selectionByIndexOrName() {
        LwjglClDevices devices = LwjglOpenClDriverFactory.devices();
        LwjglClDevices.Found first = devices.devices().get(0);
        assertEquals(first.name(), devices.select("0").name());
        String part = first.name().substring(0, Math.min(5, first.name().length())).toUpperCase(Locale.ROOT);
        assertEquals(first.name(), devices.select(part).name());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> devices.select("no-such-device-xyz"));
        assertTrue(none.getMessage().startsWith("DELTAPROP_OPENCL_DEVICE=no-such-device-xyz matches no device")
                && none.getMessage().contains(first.name()), none.getMessage());
        IllegalStateException index = assertThrows(IllegalStateException.class, () -> devices.select("99"));
        assertTrue(index.getMessage().contains("expected an index below " + devices.devices().size()), index.getMessage());
        assertTrue(new LwjglOpenClDriverFactory().details().get(0).startsWith("[0] " + first.name()), "details list the devices");
    }

    @Test
    void statusNames() {
        assertEquals("CL_INVALID_WORK_GROUP_SIZE (-54)", ClStatus.name(-54));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR (-1001)", ClStatus.name(-1001));
        assertEquals("CL_ERROR (-9999)", ClStatus.name(-9999));
        DriverException e = assertThrows(DriverException.class, () -> ClStatus.check("clFinish", -36));
        assertEquals("clFinish: CL_INVALID_COMMAND_QUEUE (-36)", e.getMessage());
    }
}

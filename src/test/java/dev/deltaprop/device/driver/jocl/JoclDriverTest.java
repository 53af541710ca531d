package dev.deltaprop.device.driver.jocl;

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
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JOCL driver on whatever OpenCL device this machine has (PoCL in CI). */
class JoclDriverTest {
    private static final String SCALE = "__kernel void scale(__global float* v, float a, int n) {"
            + " int i = get_global_id(0); if (i < n) v[i] *= a; }";

    @BeforeAll
    static void requireOpenCl() {
        String reason = new JoclDriverFactory().unavailableReason();
        if (reason != null) {
            String required = System.getenv("DELTAPROP_REQUIRE");
            if (required != null && Arrays.asList(required.trim().split("[,\\s]+")).contains("opencl")) {
                Assertions.fail("opencl is required here (DELTAPROP_REQUIRE=" + required + ") but cannot start: " + reason);
            }
            Assumptions.abort("opencl cannot start here: " + reason);
        }
    }

    private static Driver open() {
        return new JoclDriverFactory().open();
    }

    /** One full life: context, queue, buffer, program, kernel, launch, marks, read, close. */
    private static void cycle() {
        try (Driver driver = open()) {
            Driver.Memory memory = driver.allocate(64);
            driver.write(memory, 0, new float[64], 0, 64);
            Driver.Kernel kernel = driver.kernel(driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of()), "scale");
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
     * (JIT, PoCL's caches and thread pool): a leak of one context, queue, buffer or program per
     * cycle would add megabytes. The tolerance (24 MiB) absorbs heap and allocator noise.
     */
    @Test
    void thousandOpenCloseCyclesLeaveNoGrowth() throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs /proc/self/status (Linux)");
        for (int k = 0; k < 50; k++) {
            cycle();
        }
        System.gc();
        long before = residentKilobytes();
        for (int k = 0; k < 1000; k++) {
            cycle();
        }
        System.gc();
        long after = residentKilobytes();
        System.out.println("VmRSS after warm-up " + before + " kB, after 1000 cycles " + after + " kB");
        assertTrue(after - before < 24 * 1024, "resident memory grew by " + (after - before) + " kB over 1000 cycles");
    }

    @Test
    void aFailedBuildCarriesTheBuildLog() {
        try (Driver driver = open()) {
            KernelBuildException e = assertThrows(KernelBuildException.class, () -> driver.build(
                    new ProgramSource("broken.cl", "__kernel void broken(__global float* v) { v[0] = undeclared_name; }", null),
                    Map.of("TM", "64")));
            assertTrue(e.log().contains("undeclared_name"), "log: " + e.log());
            assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE") && e.getMessage().contains("broken.cl"),
                    e.getMessage());
        }
    }

    @Test
    void errorCodesAreReportedByName() {
        try (Driver driver = open()) {
            Driver.Kernel kernel = driver.kernel(driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of()), "scale");
            Driver.Memory memory = driver.allocate(16);
            int tooLarge = driver.maxGroupSize() * 2;
            DriverException e = assertThrows(DriverException.class,
                    () -> driver.launch(kernel, new int[] {1}, new int[] {tooLarge}, memory, 1.0f, 16));
            assertTrue(e.getMessage().startsWith("clEnqueueNDRangeKernel(scale): CL_INVALID_WORK_GROUP_SIZE"), e.getMessage());
            DriverException noKernel = assertThrows(DriverException.class, () -> driver.kernel(
                    driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of()), "missing"));
            assertTrue(noKernel.getMessage().contains("CL_INVALID_KERNEL_NAME"), noKernel.getMessage());
        }
    }

    /** Writes from arrays at an offset and from heap and direct buffers at their positions; a launch; a timed span. */
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
            Driver.Kernel kernel = driver.kernel(driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of()), "scale");
            Driver.TimingMark start = driver.mark();
            driver.launch(kernel, new int[] {1}, new int[] {8}, memory, 2.0f, 8);
            Driver.TimingMark end = driver.mark();
            float[] out = new float[10];
            driver.read(memory, 0, out, 1, 8);
            assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 0}, out);
            assertTrue(driver.elapsedNanos(start, end) >= 0);
            assertThrows(IllegalArgumentException.class, () -> driver.write(memory, 6, new float[4], 0, 4));
            driver.free(memory);
            assertThrows(IllegalArgumentException.class, () -> driver.free(memory), "freeing twice");
        }
    }

    /** DELTAPROP_OPENCL_DEVICE: an index, a name substring in any case, and a value that matches nothing. */
    @Test
    void selectionByIndexOrName() {
        JoclDevices devices = JoclDevices.discover();
        JoclDevices.Found first = devices.devices().get(0);
        assertEquals(first.name, devices.select("0").name);
        String part = first.name.substring(0, Math.min(5, first.name.length())).toUpperCase(java.util.Locale.ROOT);
        assertEquals(first.name, devices.select(part).name);
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> devices.select("no-such-device-xyz"));
        assertTrue(none.getMessage().startsWith("DELTAPROP_OPENCL_DEVICE=no-such-device-xyz matches no device")
                && none.getMessage().contains(first.name), none.getMessage());
        IllegalStateException index = assertThrows(IllegalStateException.class, () -> devices.select("99"));
        assertTrue(index.getMessage().contains("expected an index below " + devices.devices().size()), index.getMessage());
        assertTrue(new JoclDriverFactory().details().get(0).startsWith("[0] " + first.name), "details list the devices");
    }
}

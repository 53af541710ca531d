package dev.deltaprop.device.driver.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverContract;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The {@link DriverContract} and what an OpenCL driver adds to it: the compiler's log on a
 * failed build, the defines reaching the compiler, statuses named with the call, and
 * {@value OpenClDeviceChoice#VARIABLE} by index or name; for both OpenCL bindings alike.
 */
public abstract class OpenClDriverContract extends DriverContract {
    /** {@code v[i] = v[i] * a + OFFSET}: OFFSET comes from the build's defines. */
    protected static final String SCALE = "__kernel void scale(__global float* v, float a, int n) {"
            + " int i = get_global_id(0); if (i < n) v[i] = v[i] * a + OFFSET; }";

    protected OpenClDriverContract(String backend, DriverFactory factory, Object lostHandle, String bufferRelease) {
        super(backend, factory, lostHandle, bufferRelease);
    }

    /** What the binding's discovery found. */
    protected abstract OpenClDriverFactory.Discovery<?> discovery();

    @Override
    protected final ProgramSource smallProgram() {
        return new ProgramSource("scale.cl", SCALE.replace("OFFSET", "0.5f"), null);
    }

    @Test
    void aFailedBuildCarriesTheLog() {
        try (Driver driver = open()) {
            KernelBuildException e = assertThrows(KernelBuildException.class, () -> driver.build(
                    new ProgramSource("broken.cl", "__kernel void broken(__global float* v) { v[0] = undeclared_name; }", null),
                    Map.of("TM", "64")));
            assertTrue(e.log().contains("undeclared_name"), "log: " + e.log());
            assertTrue(e.getMessage().startsWith("clBuildProgram(broken.cl, -DTM=64): CL_BUILD_PROGRAM_FAILURE (-11) on "
                    + driver.deviceName()), e.getMessage());
            KernelBuildException undefined = assertThrows(KernelBuildException.class,
                    () -> driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of()));
            assertTrue(undefined.log().contains("OFFSET"), "a define the source needs is missing: " + undefined.log());
        }
    }

    @Test
    void theDefinesReachTheCompilerAndStatusesNameTheCall() {
        try (Driver driver = open()) {
            Driver.Program program = driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of("OFFSET", "0.5f"));
            Driver.Kernel scale = driver.kernel(program, "scale");
            Driver.Memory memory = driver.allocate(8);
            driver.write(memory, 0, new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 0, 8);
            driver.launch(scale, new int[] {2}, new int[] {4}, memory, 2.0f, 8);
            float[] out = new float[8];
            driver.read(memory, 0, out, 0, 8);
            assertEquals(14.5f, out[7]);
            DriverException noKernel = assertThrows(DriverException.class, () -> driver.kernel(program, "missing"));
            assertEquals("clCreateKernel(missing): CL_INVALID_KERNEL_NAME (-46)", noKernel.getMessage());
            DriverException extra = assertThrows(DriverException.class,
                    () -> driver.launch(scale, new int[] {1}, new int[] {1}, memory, 1.0f, 8, 3));
            assertEquals("clSetKernelArg(scale, 3): CL_INVALID_ARG_INDEX (-49)", extra.getMessage());
        }
    }

    /** {@value OpenClDeviceChoice#VARIABLE}: an index, a name substring in any case, and values that match nothing. */
    /**
     * A kernel's arguments are set only where they changed since its last launch, and the result
     * is what setting all of them gives: {@code v·a + 0.5} per launch, on two buffers in turn,
     * with {@code −0.0f} told apart from {@code 0.0f} by its bits.
     */
    @Test
    void unchangedArgumentsAreNotSetAgain() {
        try (Driver driver = open()) {
            OpenClDriver<?, ?, ?, ?> cl = (OpenClDriver<?, ?, ?, ?>) driver;
            Driver.Kernel scale = driver.kernel(driver.build(smallProgram(), Map.of()), "scale");
            Driver.Memory first = driver.allocate(7);
            Driver.Memory second = driver.allocate(7);
            driver.write(first, 0, new float[] {1, 2, 3, 4, 5, 6, 7}, 0, 7);
            driver.write(second, 0, new float[] {-1, -2, -3, -4, -5, -6, -7}, 0, 7);
            int[] one = {1};
            int[] seven = {7};
            long before = cl.argumentsSet();
            driver.launch(scale, one, seven, first, 2.0f, 7);
            assertEquals(3, cl.argumentsSet() - before, "the first launch sets all three");
            driver.launch(scale, one, seven, first, 2.0f, 7);
            assertEquals(3, cl.argumentsSet() - before, "the same arguments again: none set");
            driver.launch(scale, one, seven, second, 2.0f, 7);
            assertEquals(4, cl.argumentsSet() - before, "another buffer: only it");
            driver.launch(scale, one, seven, second, 0.0f, 7);
            driver.launch(scale, one, seven, second, -0.0f, 7);
            assertEquals(6, cl.argumentsSet() - before, "0 and −0 are two values");
            float[] firstBack = new float[7];
            float[] secondBack = new float[7];
            driver.read(first, 0, firstBack, 0, 7);
            driver.read(second, 0, secondBack, 0, 7);
            for (int i = 0; i < 7; i++) {
                float v = i + 1;
                assertEquals((v * 2 + 0.5f) * 2 + 0.5f, firstBack[i], "first[" + i + "]");
                float w = ((-v * 2 + 0.5f) * 0.0f + 0.5f) * -0.0f + 0.5f;
                assertEquals(w, secondBack[i], "second[" + i + "]");
            }
        }
    }

    /**
     * Kernels build while other threads keep the JVM at safepoints (each collection stops every
     * thread at a poll, which on HotSpot is a SIGSEGV): PoCL's LLVM installs its SIGSEGV handler
     * over the JVM's, and without the JDK's signal chaining ({@link SignalChaining}, the pom's
     * preload) those faults reach LLVM's handler, which deletes the build's temporary files
     * (PoCL: "unable to rename temporary ... No such file or directory", at the first or second
     * build) or lets a second fault kill the JVM. Each source is new, so PoCL's kernel cache
     * cannot skip the compiler.
     */
    @Test
    void kernelsBuildWhileTheJvmTakesSafepoints() throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> pressure = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            boolean collector = t == 0;
            Thread thread = new Thread(() -> {
                long sum = 0;
                while (!done.get()) {
                    if (collector) {
                        System.gc();
                        LockSupport.parkNanos(2_000_000);
                    } else {
                        sum += new Object[64].hashCode();
                    }
                }
                SINK.set(sum);
            }, "safepoint-pressure-" + t);
            thread.setDaemon(true);
            pressure.add(thread);
            thread.start();
        }
        try (Driver driver = open()) {
            long unique = System.nanoTime();
            for (int build = 0; build < 6; build++) {
                String offset = (unique + build) + ".0f";
                driver.kernel(driver.build(new ProgramSource("scale-" + build + ".cl", SCALE.replace("OFFSET", offset), null),
                        Map.of()), "scale");
            }
        } finally {
            done.set(true);
            for (Thread thread : pressure) {
                thread.join();
            }
        }
    }

    private static final AtomicLong SINK = new AtomicLong();

    @Test
    void theDeviceIsChosenByIndexOrName() {
        OpenClDriverFactory.Discovery<?> devices = discovery();
        OpenClDeviceChoice.Candidate first = devices.devices().get(0);
        assertEquals(first.name(), devices.select("0").name());
        String part = first.name().substring(0, Math.min(5, first.name().length())).toUpperCase(Locale.ROOT);
        assertEquals(first.name(), devices.select(part).name());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> devices.select("no-such-device-xyz"));
        assertTrue(none.getMessage().startsWith("DELTAPROP_OPENCL_DEVICE=no-such-device-xyz matches no device")
                && none.getMessage().contains(first.name()), none.getMessage());
        IllegalStateException index = assertThrows(IllegalStateException.class, () -> devices.select("99"));
        assertTrue(index.getMessage().contains("expected an index below " + devices.devices().size()), index.getMessage());
        assertTrue(factory().details().get(0).startsWith("[0] " + first.name()), "details list the devices");
    }

    /**
     * Closed drivers hold no host staging, with no collection in between: two drivers at once
     * whose uploads grow their staging through every half size up to 8 MiB (what training runs
     * before the open/close cycles leave in one JVM), closed, leave the JDK's direct memory where
     * it was, or lower (a collection may come meanwhile). Halves pooled across drivers, or dropped to the collector when the pool was full,
     * kept tens of megabytes resident after every driver had closed.
     */
    @Test
    void closedDriversHoldNoDirectMemory() {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        float[] source = new float[(2 << 20) + 1];
        try (Driver warm = open()) {
            warm.write(warm.allocate(7), 0, source, 1, 7); // the binding's first-use allocations, once per JVM
        }
        long before = direct.getMemoryUsed();
        for (int cycle = 0; cycle < 3; cycle++) {
            try (Driver first = open(); Driver second = open()) {
                Driver.Memory a = first.allocate(2 << 20);
                Driver.Memory b = second.allocate(2 << 20);
                for (int count = 1 << 14; count <= 2 << 20; count *= 2) {
                    first.write(a, 0, source, 1, count);
                    second.write(b, 0, source, 1, count);
                }
                float[] back = new float[1];
                second.read(b, (2 << 20) - 1, back, 0, 1); // the writes have run
            }
            // at most: a collection may meanwhile free direct buffers that earlier tests dropped
            long after = direct.getMemoryUsed();
            assertTrue(after <= before, "direct bytes after closing both drivers, cycle " + cycle + ": " + after
                    + ", before " + before + " (" + direct.getCount() + " direct buffers)");
        }
    }
}

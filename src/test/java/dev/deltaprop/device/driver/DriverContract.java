package dev.deltaprop.device.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.EngineProgram;
import dev.deltaprop.testing.Seeds;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What every {@link Driver} must do, run by each binding through one subclass: copies of odd
 * sizes at odd offsets round-trip bit for bit (through every staging path), every bad range and
 * launch is refused before a native call with a message naming the field and the bound, a
 * launch computes, a closed driver says so, a failed release is reported after everything else
 * is released, and 1,000 open/close cycles leave no native memory behind. A binding that cannot
 * start here skips with the reason, unless {@code DELTAPROP_REQUIRE} names its backend.
 */
public abstract class DriverContract {
    /** Sizes that are multiples of nothing, and one past the staging chunks (4 MiB) of the bindings that stage. */
    private static final int[] SIZES = {1, 7, 33, 257, (1 << 20) + 5};

    private final String backend;
    private final DriverFactory factory;
    private final Object lostHandle;
    private final String bufferRelease;

    /**
     * @param backend       the backend name this driver serves ({@code opencl}, …), for skipping and {@code DELTAPROP_REQUIRE}
     * @param factory       the binding's factory
     * @param lostHandle    a buffer handle whose release fails without harm ({@code NULL} for OpenCL), for
     *                      {@link #aFailedReleaseIsReportedAfterTheRest}
     * @param bufferRelease the call that releases a buffer, as its failure names it ({@code clReleaseMemObject},
     *                      {@code cuMemFree}); {@code null} where the binding itself refuses {@code lostHandle} before
     *                      the API sees it (LWJGL checks for {@code NULL} in Java, and no other invalid handle is safe)
     */
    protected DriverContract(String backend, DriverFactory factory, Object lostHandle, String bufferRelease) {
        this.backend = backend;
        this.factory = factory;
        this.lostHandle = lostHandle;
        this.bufferRelease = bufferRelease;
    }

    protected final String backend() {
        return backend;
    }

    protected final DriverFactory factory() {
        return factory;
    }

    /** A fresh driver on the selected device. */
    protected final Driver open() {
        return factory.open();
    }

    /** A small program that builds quickly, for the open/close cycles, or {@code null} to build none. */
    protected abstract ProgramSource smallProgram();

    /** How much the resident memory outside the Java heap may grow over the 1,000 cycles: 24 MiB, for allocator noise. */
    protected long growthToleranceKilobytes() {
        return 24 * 1024;
    }

    /** Whether the driver holds native memory, whose growth the open/close cycles measure; a driver on Java arrays does not. */
    protected boolean holdsNativeMemory() {
        return true;
    }

    @BeforeEach
    void requireBinding() {
        String reason = factory.unavailableReason();
        if (reason != null) {
            String required = System.getenv("DELTAPROP_REQUIRE");
            if (required != null && Arrays.asList(required.trim().split("[,\\s]+")).contains(backend())) {
                Assertions.fail(backend() + " is required here (DELTAPROP_REQUIRE=" + required + ") but cannot start: " + reason);
            }
            Assumptions.abort(backend() + " cannot start here: " + reason);
        }
    }

    private static float[] random(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    private static float[] poisoned(int count) {
        float[] values = new float[count];
        Arrays.fill(values, Float.NaN);
        return values;
    }

    /** Whole and partial arrays, heap and direct buffers at a position (which stays), ints by their bits: each read back bit for bit. */
    @Test
    void copiesOfOddSizesAndOffsetsRoundTrip() {
        long seed = Seeds.seed(getClass().getSimpleName());
        SplittableRandom random = new SplittableRandom(seed);
        try (Driver driver = open()) {
            for (int n : SIZES) {
                String where = "n=" + n + Seeds.rerun(seed);
                float[] values = random(random, n + 3);
                Driver.Memory memory = driver.allocate(n + 11);
                driver.write(memory, 11, values, 3, n);
                float[] back = poisoned(n + 2);
                driver.read(memory, 11, back, 2, n);
                assertArrayEquals(Arrays.copyOfRange(values, 3, n + 3), Arrays.copyOfRange(back, 2, n + 2), "array at an offset, " + where);

                float[] whole = Arrays.copyOf(values, n);
                driver.write(memory, 0, whole, 0, n);
                float[] wholeBack = poisoned(n);
                driver.read(memory, 0, wholeBack, 0, n);
                assertArrayEquals(whole, wholeBack, "whole array, " + where);

                FloatBuffer heap = FloatBuffer.wrap(values);
                heap.position(2);
                driver.write(memory, 5, heap, n);
                assertEquals(2, heap.position(), "a heap buffer's position stays");
                driver.read(memory, 5, back, 0, n);
                assertArrayEquals(Arrays.copyOfRange(values, 2, n + 2), Arrays.copyOf(back, n), "heap buffer, " + where);

                FloatBuffer direct = ByteBuffer.allocateDirect(4 * (n + 1)).order(ByteOrder.nativeOrder()).asFloatBuffer();
                direct.put(values, 0, n + 1).position(1);
                driver.write(memory, 0, direct, n);
                assertEquals(1, direct.position(), "a direct buffer's position stays");
                driver.read(memory, 0, back, 0, n);
                assertArrayEquals(Arrays.copyOfRange(values, 1, n + 1), Arrays.copyOf(back, n), "direct buffer, " + where);
                driver.free(memory);
            }
            Driver.Memory ints = driver.allocate(4);
            driver.write(ints, 0, new int[] {7, 1, -2, 3}, 1, 3);
            driver.write(ints, 3, new int[] {-5}, 0, 1);
            float[] bits = poisoned(4);
            driver.read(ints, 0, bits, 0, 4);
            assertEquals(List.of(1, -2, 3, -5), Arrays.stream(new int[] {0, 1, 2, 3})
                    .mapToObj(i -> Float.floatToRawIntBits(bits[i])).toList());
        }
    }

    /** Uploads that cycle through every staging buffer before anything waits keep their own bytes, and the source is free on return. */
    @Test
    void manyUploadsInFlightKeepTheirOwnBytes() {
        int count = 1 << 18; // 1 MiB each: 40 of them go round any staging several times
        try (Driver driver = open()) {
            Driver.Memory memory = driver.allocate(40L * count);
            float[] values = new float[count];
            for (int block = 0; block < 40; block++) {
                Arrays.fill(values, block);
                driver.write(memory, (long) block * count, values, 0, count);
            }
            Arrays.fill(values, Float.NaN); // were a copy still reading it, the last block would turn NaN
            float[] back = poisoned(40 * count);
            driver.read(memory, 0, back, 0, back.length);
            for (int block = 0; block < 40; block++) {
                assertEquals(block, back[block * count], "block " + block + " start");
                assertEquals(block, back[block * count + count - 1], "block " + block + " end");
            }
        }
    }

    private static void refused(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    /** Every bad range is refused before any copy, naming the field and the bound (DESIGN §6). */
    @Test
    void badRangesAreRefusedNamingTheField() {
        try (Driver driver = open(); Driver other = open()) {
            Driver.Memory memory = driver.allocate(8);
            float[] four = new float[4];
            refused("elements: expected at least 1, found 0", () -> driver.allocate(0));
            refused("targetOffset + count: expected at most 8 (the elements of the buffer), found 6 + 4",
                    () -> driver.write(memory, 6, four, 0, 4));
            refused("targetOffset: expected at least 0, found -1", () -> driver.write(memory, -1, four, 0, 4));
            refused("count: expected at least 0, found -1", () -> driver.write(memory, 0, four, 0, -1));
            refused("sourceOffset + count: expected at most 4 (source.length), found 1 + 4", () -> driver.write(memory, 0, four, 1, 4));
            refused("sourceOffset: expected at least 0, found -1", () -> driver.write(memory, 0, new int[4], -1, 1));
            refused("position + count: expected at most 3 (source.remaining()), found 0 + 4",
                    () -> driver.write(memory, 0, FloatBuffer.wrap(four).position(1), 4));
            refused("sourceOffset + count: expected at most 8 (the elements of the buffer), found 5 + 4",
                    () -> driver.read(memory, 5, new float[8], 0, 4));
            refused("targetOffset + count: expected at most 4 (target.length), found 2 + 3", () -> driver.read(memory, 0, four, 2, 3));
            NullPointerException none = assertThrows(NullPointerException.class, () -> driver.write(memory, 0, (float[]) null, 0, 1));
            assertEquals("source: expected an array, found null", none.getMessage());
            Driver.Memory foreign = other.allocate(8);
            IllegalArgumentException theirs = assertThrows(IllegalArgumentException.class, () -> driver.read(foreign, 0, four, 0, 1));
            assertTrue(theirs.getMessage().startsWith("source: expected a live buffer of this driver, found buffer of 8 elements"),
                    theirs.getMessage());
            driver.write(memory, 8, four, 4, 0); // an empty copy at the very end is allowed
            driver.free(memory);
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> driver.free(memory));
            assertTrue(twice.getMessage().startsWith("memory: expected a live buffer of this driver, found a freed buffer"),
                    twice.getMessage());
        }
    }

    /** The engine's {@code gather_rows} between two marks on a poisoned output: what a launch computes, and that it is timed. */
    @Test
    void aLaunchComputesBetweenMarks() {
        long seed = Seeds.seed(getClass().getSimpleName());
        try (Driver driver = open()) {
            EngineProgram engine = EngineProgram.build(driver);
            Driver.Kernel gather = driver.kernel(engine.program(), "gather_rows");
            assertEquals("gather_rows", gather.name());
            int samples = 33;
            int width = 7;
            float[] data = random(new SplittableRandom(seed), samples * width);
            int[] order = new int[samples];
            for (int i = 0; i < samples; i++) {
                order[i] = (i * 5 + 3) % samples;
            }
            Driver.Memory dataMemory = driver.allocate(data.length);
            driver.write(dataMemory, 0, data, 0, data.length);
            Driver.Memory orderMemory = driver.allocate(samples);
            driver.write(orderMemory, 0, order, 0, samples);
            Driver.Memory out = driver.allocate(samples * width);
            driver.write(out, 0, poisoned(samples * width), 0, samples * width);
            int offset = 4;
            int batch = samples - offset;
            Driver.TimingMark start = driver.mark();
            driver.launch(gather, new int[] {(batch * width + engine.reduce() - 1) / engine.reduce()},
                    new int[] {engine.reduce()}, dataMemory, orderMemory, out, offset, batch, width);
            Driver.TimingMark end = driver.mark();
            driver.mark(); // never read: close releases it
            float[] result = poisoned(batch * width);
            driver.read(out, 0, result, 0, result.length);
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < width; c++) {
                    assertEquals(data[order[offset + b] * width + c], result[b * width + c], "row " + b + " column " + c);
                }
            }
            long nanos = driver.elapsedNanos(start, end);
            assertTrue(nanos >= 0, "elapsed " + nanos);
            assertEquals(nanos, driver.elapsedNanos(start, end), "a span read twice");
            driver.finish();
        }
    }

    /**
     * How many bytes of Java heap one launch of unchanged kernel, grid and arguments may allocate
     * in the driver: none, as measured by the thread's allocation counter (a binding whose native
     * calls allocate on the heap says how much here, with the reason).
     */
    protected long heapBytesPerLaunch() {
        return 0;
    }

    /** Repeated launches allocate no more heap than {@link #heapBytesPerLaunch()} each ({@link LaunchAllocations}). */
    @Test
    void repeatedLaunchesAllocateNothing() {
        try (Driver driver = open()) {
            LaunchAllocations.check(driver, backend(), heapBytesPerLaunch());
        }
    }

    /** Graphs where the driver has them, else a refusal that says so ({@link DriverGraphs}). */
    @Test
    void graphsReplayCapturedLaunchesOrSayThereAreNone() {
        long seed = Seeds.seed(getClass().getSimpleName());
        try (Driver driver = open()) {
            DriverGraphs.check(driver, seed);
        }
    }

    /** Grids and arguments that no device could run are refused before the launch, naming the field and the limit. */
    @Test
    void badLaunchesAreRefusedNamingTheField() {
        try (Driver driver = open(); Driver other = open()) {
            EngineProgram engine = EngineProgram.build(driver);
            Driver.Kernel gather = driver.kernel(engine.program(), "gather_rows");
            Driver.Memory a = driver.allocate(4);
            Object[] arguments = {a, a, a, 0, 1, 1};
            refused("groups: expected 1 to 3 dimensions, found 0", () -> driver.launch(gather, new int[0], new int[0], arguments));
            refused("groups: expected 1 to 3 dimensions, found 4",
                    () -> driver.launch(gather, new int[] {1, 1, 1, 1}, new int[] {1, 1, 1, 1}, arguments));
            refused("groupSize: expected 2 dimensions like groups, found 1", () -> driver.launch(gather, new int[] {1, 1}, new int[] {1}, arguments));
            refused("groups[1]: expected at least 1, found 0", () -> driver.launch(gather, new int[] {1, 0}, new int[] {1, 1}, arguments));
            refused("groupSize[0]: expected at least 1, found -3", () -> driver.launch(gather, new int[] {1}, new int[] {-3}, arguments));
            int tooMany = driver.maxGroupSize() + 1;
            IllegalArgumentException oversized = assertThrows(IllegalArgumentException.class,
                    () -> driver.launch(gather, new int[] {1}, new int[] {tooMany}, arguments));
            assertTrue(oversized.getMessage().startsWith("groupSize: expected at most ")
                    && oversized.getMessage().endsWith("work-items in a group of gather_rows on " + driver.deviceName()
                    + ", found " + tooMany), oversized.getMessage());
            refused("argument 3 of gather_rows: expected Memory, Integer or Float, found Long",
                    () -> driver.launch(gather, new int[] {1}, new int[] {1}, a, a, a, 0L, 1, 1));
            Driver.Memory foreign = other.allocate(4);
            IllegalArgumentException theirs = assertThrows(IllegalArgumentException.class,
                    () -> driver.launch(gather, new int[] {1}, new int[] {1}, a, foreign, a, 0, 1, 1));
            assertTrue(theirs.getMessage().startsWith("argument 1 of gather_rows: expected a live buffer of this driver"),
                    theirs.getMessage());
            Driver.Kernel otherKernel = other.kernel(EngineProgram.build(other).program(), "gather_rows");
            IllegalArgumentException kernel = assertThrows(IllegalArgumentException.class,
                    () -> driver.launch(otherKernel, new int[] {1}, new int[] {1}, arguments));
            assertTrue(kernel.getMessage().startsWith("kernel: expected a kernel of this driver"), kernel.getMessage());
            IllegalArgumentException program = assertThrows(IllegalArgumentException.class,
                    () -> driver.kernel(EngineProgram.build(other).program(), "gather_rows"));
            assertTrue(program.getMessage().startsWith("program: expected a program built by this driver"), program.getMessage());
            DriverException missing = assertThrows(DriverException.class, () -> driver.kernel(engine.program(), "no_such_kernel"));
            assertTrue(missing.getMessage().contains("no_such_kernel"), missing.getMessage());
        }
    }

    /**
     * Peer access: no driver is its own peer, nor is a second driver on the same device; a copy
     * from a driver that {@code enablePeerAccess} did not accept is refused by name before any
     * native call. (Between two CUDA devices: {@code CudaDriverContract}.)
     */
    @Test
    void noDriverIsAPeerOfItsOwnDevice() {
        try (Driver one = open(); Driver two = open()) {
            assertEquals(false, one.enablePeerAccess(one));
            assertEquals(false, one.enablePeerAccess(two), "two drivers of one device are no peers");
            Driver.Memory target = one.allocate(4);
            Driver.Memory source = two.allocate(4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> one.copyFromPeer(target, 0, two, source, 0, 4));
            assertTrue(e.getMessage().startsWith("peer: expected a driver that enablePeerAccess accepted"), e.getMessage());
        }
    }

    /** Closing twice is nothing; every call after it says the driver is closed, in one sentence for every binding. */
    @Test
    void aClosedDriverSaysSo() {
        Driver driver = open();
        Driver.Memory memory = driver.allocate(4);
        Driver.TimingMark mark = driver.mark();
        driver.close();
        driver.close();
        String closed = driver.binding() + ": the driver is closed";
        List<Executable> calls = List.of(() -> driver.allocate(1), () -> driver.free(memory),
                () -> driver.write(memory, 0, new float[1], 0, 1), () -> driver.read(memory, 0, new float[1], 0, 1),
                () -> driver.build(new ProgramSource("x", "", null), Map.of()), driver::finish, driver::mark,
                () -> driver.elapsedNanos(mark, mark),
                () -> driver.launch(null, new int[] {1}, new int[] {1}));
        for (Executable call : calls) {
            assertEquals(closed, assertThrows(IllegalStateException.class, call).getMessage());
        }
    }

    /**
     * Two buffers whose handles were lost (as after a sticky device error): close still releases
     * everything else, then throws the first failed release with the second suppressed onto it,
     * and the driver is closed.
     */
    @Test
    void aFailedReleaseIsReportedAfterTheRest() {
        Driver driver = open();
        Driver.Memory kept = driver.allocate(16);
        driver.write(kept, 0, new float[16], 0, 16);
        NativeDriver.loseHandle(driver.allocate(4), lostHandle);
        NativeDriver.loseHandle(driver.allocate(4), lostHandle);
        driver.mark();
        RuntimeException e = assertThrows(RuntimeException.class, driver::close);
        assertEquals(1, e.getSuppressed().length, "the second failure is suppressed onto the first: " + Arrays.toString(e.getSuppressed()));
        assertSame(e.getClass(), e.getSuppressed()[0].getClass(), e.getSuppressed()[0].toString());
        if (bufferRelease != null) {
            assertTrue(e instanceof DriverException && e.getMessage().startsWith(bufferRelease + ": "), e.toString());
            assertTrue(e.getSuppressed()[0].getMessage().startsWith(bufferRelease + ": "), e.getSuppressed()[0].getMessage());
        }
        assertEquals(0, ((NativeDriver<?, ?, ?, ?>) driver).liveBuffers(), "every buffer is released or given up");
        assertEquals(driver.binding() + ": the driver is closed",
                assertThrows(IllegalStateException.class, () -> driver.allocate(1)).getMessage());
        driver.close(); // closed: nothing more to report
    }

    private static final float[] CYCLE_SOURCE = new float[(1 << 16) + 1];

    /** One life: context, queue, staging, buffers, a program and kernel (if any), marks (one unread), a partial read, close. */
    private void cycle() {
        try (Driver driver = open()) {
            Driver.Memory staged = driver.allocate(1 << 16);
            driver.write(staged, 0, CYCLE_SOURCE, 1, 1 << 16);
            ProgramSource small = smallProgram();
            if (small != null) {
                driver.kernel(driver.build(small, Map.of()), "scale");
            }
            Driver.TimingMark start = driver.mark();
            Driver.TimingMark end = driver.mark();
            driver.elapsedNanos(start, end);
            driver.mark();
            driver.read(staged, 1, new float[64], 1, 63);
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

    private static long heapCommittedKilobytes() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }

    /**
     * 1,000 open/close cycles leave the resident memory outside the Java heap where it was after
     * a warm-up (JIT, the driver's caches and threads). Each cycle stages 256 KiB and allocates
     * 256 KiB of device memory, and a context alone holds hundreds of kilobytes, so one leaked
     * object per cycle would pass the tolerance ({@link #growthToleranceKilobytes()}) many times over.
     */
    @Test
    void thousandOpenCloseCyclesLeaveNoNativeGrowth() throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs /proc/self/status (Linux)");
        Assumptions.assumeTrue(holdsNativeMemory(), "this driver holds no native memory (its buffers are Java arrays)");
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
        System.out.println(backend() + ": VmRSS after warm-up " + before + " kB, after 1000 cycles " + after
                + " kB, of which Java heap committed +" + heapGrowth + " kB");
        assertTrue(nativeGrowth < growthToleranceKilobytes(), "resident memory outside the Java heap grew by " + nativeGrowth
                + " kB (tolerance " + growthToleranceKilobytes() + " kB)");
    }
}

package dev.deltaprop.device.driver.fake;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.NativeDriver;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.Releases;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole binding in one class, for tests: a "device" whose memory is Java arrays and whose
 * compiler accepts any program and knows three kernels, {@code gather_rows}, {@code scale} and
 * {@code scale_by} (its factor read from a buffer when it runs, as the update kernels read {@code η}),
 * computed here in Java. It shows what a new binding writes (the native calls of
 * {@link NativeDriver} and a {@link Factory}) and runs the driver contract with no native library;
 * a release of {@link #LOST} fails, as a lost handle's would. It captures graphs as CUDA does: a
 * launch during a capture is recorded with its arguments instead of run, and a graph's launch
 * runs the recorded launches; {@link #calls} lists the graph calls in order, for the tests.
 *
 * <p>{@link #forEngine()} opens one that the whole engine runs on: it accepts every kernel name,
 * runs those it does not know as nothing (their results are meaningless: the engine's tests on it
 * measure the host side — launches, graphs, allocations — and check results on real kernels) and
 * logs no calls, so that a long run keeps no growing list. {@link #forEngine(boolean)} with
 * {@code true} gives it an upload lane as well: one that runs every command at once (this device
 * is synchronous), so the engine takes its lane path — two input slots, fences — and a test can
 * see what that path costs the host; {@link LaneOrderDriver} is the one whose queues run apart.
 */
public final class FakeDriver extends NativeDriver<float[], String, String, Long> {
    /** A buffer handle whose release fails. */
    public static final float[] LOST = new float[0];

    /** The graph calls made, in order: {@code beginCapture}, {@code launch NAME (captured)}, {@code endCapture}, … */
    public final List<String> calls = new ArrayList<>();
    /** The launches being recorded, or {@code null} outside a capture. */
    private List<Recorded> recording;
    /** Whether every kernel name is accepted (the unknown ones run as nothing) and no call is logged: {@link #forEngine()}. */
    private final boolean engine;
    /** Whether uploads go on an upload lane (run at once, like everything here). */
    private final boolean lane;

    /** One recorded launch: the kernel and copies of its grid and arguments as they were at capture. */
    private record Recorded(String kernel, int[] groups, int[] groupSize, Object[] arguments) {
    }

    FakeDriver() {
        this(false);
    }

    private FakeDriver(boolean engine) {
        this(engine, false);
    }

    private FakeDriver(boolean engine, boolean lane) {
        super("fake 1.0");
        this.engine = engine;
        this.lane = lane;
    }

    /** A fake driver, for the tests outside this package. */
    public static FakeDriver open() {
        return new FakeDriver();
    }

    /** A fake driver that builds the engine's whole program: see the class comment. */
    public static FakeDriver forEngine() {
        return new FakeDriver(true);
    }

    /** As {@link #forEngine()}, with an upload lane where {@code lane}. */
    public static FakeDriver forEngine(boolean lane) {
        return new FakeDriver(true, lane);
    }

    @Override
    protected boolean uploadLaneNative() {
        return lane;
    }

    /** A fence holds nothing: every command has run when its call returns. */
    @Override
    protected Object fenceNative() {
        return "fence";
    }

    @Override
    protected void releaseFence(Object fence) {
    }

    @Override
    protected void laneWaitNative(Object fence) {
    }

    @Override
    protected void laneWriteNative(float[] target, long targetOffset, float[] source, int sourceOffset, int count) {
        writeNative(target, targetOffset, source, sourceOffset, count);
    }

    @Override
    protected void laneWriteNative(float[] target, long targetOffset, FloatBuffer source, int count) {
        writeNative(target, targetOffset, source, count);
    }

    @Override
    protected void laneSignalNative(Object fence) {
    }

    @Override
    protected void signalNative(Object fence) {
    }

    @Override
    protected void awaitNative(Object fence) {
    }

    @Override
    protected void laneFinishNative() {
    }

    /** The factory a backend table row names. */
    public static final class Factory implements DriverFactory {
        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public List<String> details() {
            return List.of("fake device in host memory");
        }

        @Override
        public Driver open() {
            return new FakeDriver();
        }
    }

    @Override
    protected float[] allocateNative(long bytes) {
        return new float[Math.toIntExact(bytes / Float.BYTES)];
    }

    @Override
    protected void writeNative(float[] target, long targetOffset, float[] source, int sourceOffset, int count) {
        System.arraycopy(source, sourceOffset, target, (int) targetOffset, count);
    }

    @Override
    protected void writeNative(float[] target, long targetOffset, FloatBuffer source, int count) {
        source.get(source.position(), target, (int) targetOffset, count); // absolute: the position stays, nothing allocated
    }

    @Override
    protected void writeNative(float[] target, long targetOffset, int[] source, int sourceOffset, int count) {
        for (int i = 0; i < count; i++) {
            target[(int) targetOffset + i] = Float.intBitsToFloat(source[sourceOffset + i]);
        }
    }

    @Override
    protected void readNative(float[] source, long sourceOffset, float[] target, int targetOffset, int count) {
        System.arraycopy(source, (int) sourceOffset, target, targetOffset, count);
    }

    @Override
    protected String buildNative(ProgramSource source, Map<String, String> defines) {
        return source.name();
    }

    @Override
    protected String kernelNative(String program, String programName, String name) {
        if (!engine && !name.equals("gather_rows") && !name.equals("scale") && !name.equals("scale_by")) {
            throw new DriverException("fakeKernel(" + name + " in " + programName + "): no such kernel");
        }
        return name;
    }

    @Override
    protected void launchNative(String kernel, String name, int[] groups, int[] groupSize, Object[] arguments) {
        if (recording != null) {
            recording.add(new Recorded(kernel, groups.clone(), groupSize.clone(), arguments.clone()));
            log("launch " + name + " (captured)");
            return;
        }
        run(kernel, groups, groupSize, arguments);
    }

    private void run(String kernel, int[] groups, int[] groupSize, Object[] arguments) {
        long items = 1;
        for (int d = 0; d < groups.length; d++) {
            items *= (long) groups[d] * groupSize[d];
        }
        if (kernel.equals("gather_rows")) {
            float[] data = handle((Memory) arguments[0]);
            float[] order = handle((Memory) arguments[1]);
            float[] out = handle((Memory) arguments[2]);
            int offset = (Integer) arguments[3];
            int batch = (Integer) arguments[4];
            int width = (Integer) arguments[5];
            for (int k = 0; k < Math.min(items, (long) batch * width); k++) {
                out[k] = data[Float.floatToRawIntBits(order[offset + k / width]) * width + k % width];
            }
        } else if (kernel.equals("scale_by")) {
            // v ← v · factor[at]: a factor read from device memory when the launch runs, not when it was recorded
            float[] v = handle((Memory) arguments[0]);
            float a = handle((Memory) arguments[1])[(Integer) arguments[2]];
            for (int i = 0; i < Math.min(items, (Integer) arguments[3]); i++) {
                v[i] *= a;
            }
        } else if (kernel.equals("scale")) {
            float[] v = handle((Memory) arguments[0]);
            float a = (Float) arguments[1];
            for (int i = 0; i < Math.min(items, (Integer) arguments[2]); i++) {
                v[i] *= a;
            }
        }
    }

    @Override
    protected boolean graphsNative() {
        return true;
    }

    @Override
    protected void beginCaptureNative() {
        log("beginCapture");
        recording = new ArrayList<>();
    }

    @Override
    protected Object endCaptureNative() {
        log("endCapture");
        List<Recorded> graph = List.copyOf(recording);
        recording = null;
        return graph;
    }

    @Override
    protected void abortCaptureNative() {
        log("abortCapture");
        recording = null;
    }

    @Override
    protected void launchGraphNative(Object graph) {
        log("launchGraph");
        @SuppressWarnings("unchecked")
        List<Recorded> launches = (List<Recorded>) graph;
        for (int k = 0; k < launches.size(); k++) { // no iterator: a replay allocates nothing
            Recorded launch = launches.get(k);
            run(launch.kernel(), launch.groups(), launch.groupSize(), launch.arguments());
        }
    }

    private void log(String call) {
        if (!engine) {
            calls.add(call);
        }
    }

    @Override
    protected void releaseGraph(Object graph) {
        log("releaseGraph");
    }

    @Override
    protected void finishNative() {
    }

    @Override
    protected Long markNative() {
        return System.nanoTime();
    }

    @Override
    protected long elapsedNanosNative(Long start, Long end) {
        return end - start;
    }

    @Override
    protected void quiesce() {
    }

    @Override
    protected void releaseMark(Long mark) {
    }

    @Override
    protected void releaseBuffer(float[] buffer) {
        if (buffer == LOST) {
            throw new DriverException("fakeFree: FAKE_INVALID_HANDLE");
        }
    }

    @Override
    protected void releaseProgram(String program) {
    }

    @Override
    protected void releaseDevice(Releases releases) {
    }

    @Override
    public String deviceName() {
        return "fake device";
    }

    @Override
    public String deviceVersion() {
        return "host memory";
    }

    @Override
    public DeviceType deviceType() {
        return DeviceType.OTHER;
    }

    @Override
    public Language language() {
        return Language.OPENCL_C;
    }

    @Override
    public long globalMemoryBytes() {
        return 1L << 30;
    }

    @Override
    public int maxGroupSize() {
        return 256;
    }

    @Override
    public int computeUnits() {
        return 1;
    }
}

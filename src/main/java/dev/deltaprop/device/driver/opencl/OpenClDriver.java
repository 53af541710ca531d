package dev.deltaprop.device.driver.opencl;

import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.NativeDriver;
import dev.deltaprop.device.driver.ProgramSource;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * What both OpenCL bindings' drivers share above {@link NativeDriver}: one device, one context,
 * one in-order queue with profiling enabled (so that a mark can be timed); the device described
 * by discovery; build options from the defines and a build failure that carries the log;
 * marks as marker events that are read once and released at once, keeping their time; a
 * kernel's arguments set only where they changed since its last launch ({@code clSetKernelArg}
 * values stay with the kernel object and an enqueue takes them as they are), so a kernel that
 * runs again on the same buffers and sizes costs one {@code clEnqueueNDRangeKernel}; and uploads
 * that do not wait for the queue ({@link UploadStaging}, through {@link #stagedWrite}).
 *
 * <p>The upload lane ({@link dev.deltaprop.device.driver.Driver#upload}) is a second in-order
 * command queue on the same context, with its own staging (markers in slots 2 and 3); a fence is
 * an event slot the binding keeps, re-filled by {@code clEnqueueMarkerWithWaitList} at each
 * signal, and a wait is {@code clEnqueueBarrierWithWaitList} on that one event. A lane copy is
 * staged in chunks of at most a staging half, so that it never blocks.
 *
 * @param <V> the binding's {@code cl_event}
 */
public abstract class OpenClDriver<B, P, K, V> extends NativeDriver<B, P, OpenClDriver.ClKernel<K>, OpenClDriver.Event<V>> {
    private final OpenClDeviceChoice.Candidate device;
    private final Releasers<B, P, K, V> releasers;
    private final long globalMemoryBytes;
    private final int maxGroupSize;
    private final int computeUnits;
    private final UploadStaging staging;
    /** The upload lane's staging: its markers are enqueued on the lane, in slots 2 and 3. */
    private final UploadStaging laneStaging;
    /** The most floats one lane copy stages: a whole staging half. */
    private static final int LANE_CHUNK_FLOATS = (int) (UploadStaging.MAX_HALF_BYTES / Float.BYTES);
    private long argumentsSet;

    /** {@code computeUnits}: the device's {@code CL_DEVICE_MAX_COMPUTE_UNITS} (taken as at least 1). */
    protected OpenClDriver(String binding, OpenClDeviceChoice.Candidate device, long globalMemoryBytes, long maxGroupSize,
                           int computeUnits, Releasers<B, P, K, V> releasers) {
        super(binding);
        this.device = device;
        this.releasers = releasers;
        this.globalMemoryBytes = globalMemoryBytes;
        this.maxGroupSize = (int) Math.min(Integer.MAX_VALUE, maxGroupSize);
        this.computeUnits = Math.max(1, computeUnits);
        this.staging = new UploadStaging(this::enqueueStagingMarker, this::awaitStagingMarker, this::finishNative);
        this.laneStaging = new UploadStaging(slot -> enqueueStagingMarker(slot + 2), slot -> awaitStagingMarker(slot + 2),
                this::finishLane);
    }

    /**
     * {@code clEnqueueWriteBuffer} without blocking, of {@code bytes} from {@code host} at byte
     * {@code hostOffset} (a direct buffer that stays untouched until the copy has run) to
     * {@code target} at byte {@code targetBytes}, on the upload lane's queue or on the queue: its status.
     */
    protected abstract int enqueueWriteAsync(boolean lane, B target, long targetBytes, ByteBuffer host, long hostOffset, long bytes);

    /**
     * Copies {@code source[sourceOffset .. +count)} into the upload staging and enqueues its copy
     * to {@code target} at element {@code targetOffset} without waiting; {@code false} (nothing
     * done) when it is too large to stage, and the binding then writes blocking.
     */
    protected final boolean stagedWrite(B target, long targetOffset, float[] source, int sourceOffset, int count) {
        long at = staging.reserve((long) count * Float.BYTES);
        if (at < 0) {
            return false;
        }
        staging.floats().put((int) (at / Float.BYTES), source, sourceOffset, count);
        enqueueStaged(target, targetOffset, at, count);
        return true;
    }

    /** As {@link #stagedWrite(Object, long, float[], int, int)} from the buffer's position (not moved). */
    protected final boolean stagedWrite(B target, long targetOffset, FloatBuffer source, int count) {
        long at = staging.reserve((long) count * Float.BYTES);
        if (at < 0) {
            return false;
        }
        staging.floats().put((int) (at / Float.BYTES), source, source.position(), count);
        enqueueStaged(target, targetOffset, at, count);
        return true;
    }

    /** As {@link #stagedWrite(Object, long, float[], int, int)} for ints (4 bytes each, like floats). */
    protected final boolean stagedWrite(B target, long targetOffset, int[] source, int sourceOffset, int count) {
        long at = staging.reserve((long) count * Integer.BYTES);
        if (at < 0) {
            return false;
        }
        staging.ints().put((int) (at / Integer.BYTES), source, sourceOffset, count);
        enqueueStaged(target, targetOffset, at, count);
        return true;
    }

    private void enqueueStaged(B target, long targetOffset, long at, int count) {
        ClStatus.check("clEnqueueWriteBuffer", enqueueWriteAsync(false, target, targetOffset * Float.BYTES, staging.half(), at,
                (long) count * Float.BYTES));
    }

    @Override
    protected final boolean uploadLaneNative() {
        return true;
    }

    @Override
    protected final void laneWriteNative(B target, long targetOffset, float[] source, int sourceOffset, int count) {
        for (int from = 0; from < count; from += LANE_CHUNK_FLOATS) {
            int n = Math.min(LANE_CHUNK_FLOATS, count - from);
            long at = laneStaging.reserve((long) n * Float.BYTES);
            laneStaging.floats().put((int) (at / Float.BYTES), source, sourceOffset + from, n);
            enqueueLane(target, targetOffset + from, at, n);
        }
    }

    @Override
    protected final void laneWriteNative(B target, long targetOffset, FloatBuffer source, int count) {
        for (int from = 0; from < count; from += LANE_CHUNK_FLOATS) {
            int n = Math.min(LANE_CHUNK_FLOATS, count - from);
            long at = laneStaging.reserve((long) n * Float.BYTES);
            laneStaging.floats().put((int) (at / Float.BYTES), source, source.position() + from, n);
            enqueueLane(target, targetOffset + from, at, n);
        }
    }

    private void enqueueLane(B target, long targetOffset, long at, int count) {
        ClStatus.check("clEnqueueWriteBuffer(upload lane)", enqueueWriteAsync(true, target, targetOffset * Float.BYTES,
                laneStaging.half(), at, (long) count * Float.BYTES));
    }

    @Override
    protected final Object fenceNative() {
        return newEventSlot();
    }

    @Override
    protected final void releaseFence(Object fence) {
        releaseEventSlot(fence);
    }

    @Override
    protected final void laneWaitNative(Object fence) {
        barrier(fence, true);
    }

    @Override
    protected final void laneSignalNative(Object fence) {
        markInto(fence, true);
    }

    @Override
    protected final void signalNative(Object fence) {
        markInto(fence, false);
    }

    @Override
    protected final void awaitNative(Object fence) {
        barrier(fence, false);
    }

    @Override
    protected final void laneFinishNative() {
        finishLane();
    }

    /** A holder for one event, empty, that {@link #markInto} fills again and again (allocating nothing). */
    protected abstract Object newEventSlot();

    /** Releases the event {@code slot} holds (if any), then enqueues a marker on the lane or the queue into it, checked. */
    protected abstract void markInto(Object slot, boolean lane);

    /** {@code clEnqueueBarrierWithWaitList} of the one event in {@code slot} on the lane or the queue, checked. */
    protected abstract void barrier(Object slot, boolean lane);

    /** Releases the event {@code slot} holds, if any, checked. */
    protected abstract void releaseEventSlot(Object slot);

    /** {@code clFinish} of the upload lane's queue, checked. */
    protected abstract void finishLane();

    /** A kernel and the arguments last set on it, by index ({@code null}: not set, or its setting failed). */
    public static final class ClKernel<K> {
        final K kernel;
        Object[] set = new Object[0];

        ClKernel(K kernel) {
            this.kernel = kernel;
        }
    }

    /** A marker event until it is read, then only its time. */
    public static final class Event<V> {
        V event;
        long nanos;

        Event(V event) {
            this.event = event;
        }
    }

    /** The binding's {@code clRelease…} calls, each returning its status, which the driver checks and names. */
    public record Releasers<B, P, K, V>(ToIntFunction<B> memObject, ToIntFunction<K> kernel, ToIntFunction<P> program,
                                        ToIntFunction<V> event) {
    }

    /** Enqueues a marker on the queue (after everything before it). */
    protected abstract V enqueueMarker();

    /**
     * Enqueues a marker behind everything queued into the binding's staging slot {@code slot}
     * (0 or 1 on the queue, 2 or 3 on the upload lane; {@link UploadStaging}), a slot it keeps for
     * the driver's life so that this allocates nothing on the Java heap.
     */
    protected abstract void enqueueStagingMarker(int slot);

    /** Waits for the marker in staging slot {@code slot}, then releases it (allocating nothing). */
    protected abstract void awaitStagingMarker(int slot);

    /** Waits for {@code event}, then its {@code CL_PROFILING_COMMAND_END} in nanoseconds. */
    protected abstract long endNanos(V event);


    @Override
    protected final Event<V> markNative() {
        return new Event<>(enqueueMarker());
    }

    @Override
    protected final long elapsedNanosNative(Event<V> start, Event<V> end) {
        return time(end) - time(start);
    }

    /** The mark's device time; its event is released once read, so that marks do not pile up in a long run. */
    private long time(Event<V> mark) {
        if (mark.event != null) {
            mark.nanos = endNanos(mark.event);
            V event = mark.event;
            mark.event = null;
            release("clReleaseEvent", releasers.event(), event);
        }
        return mark.nanos;
    }

    @Override
    protected final boolean spent(Event<V> mark) {
        return mark.event == null;
    }

    @Override
    protected final void releaseMark(Event<V> mark) {
        if (mark.event != null) {
            V event = mark.event;
            mark.event = null;
            release("clReleaseEvent", releasers.event(), event);
        }
    }

    private static <T> void release(String call, ToIntFunction<T> release, T handle) {
        ClStatus.check(call, release.applyAsInt(handle));
    }

    @Override
    protected final void quiesce() {
        finishNative();
        finishLane();
        staging.release();
        laneStaging.release();
    }

    @Override
    protected final void releaseBuffer(B buffer) {
        release("clReleaseMemObject", releasers.memObject(), buffer);
    }

    @Override
    protected final void releaseKernel(ClKernel<K> kernel) {
        release("clReleaseKernel", releasers.kernel(), kernel.kernel);
    }

    /** {@code clCreateKernel}, checked; {@code programName} names the program in the message. */
    protected abstract K createKernel(P program, String programName, String name);

    @Override
    protected final ClKernel<K> kernelNative(P program, String programName, String name) {
        return new ClKernel<>(createKernel(program, programName, name));
    }

    @Override
    protected final void releaseProgram(P program) {
        release("clReleaseProgram", releasers.program(), program);
    }

    /** {@code clSetKernelArg} with a buffer: its status. */
    protected abstract int setArgument(K kernel, int index, B buffer);

    /** {@code clSetKernelArg} with an {@code int}: its status. */
    protected abstract int setArgument(K kernel, int index, int value);

    /** {@code clSetKernelArg} with a {@code float}: its status. */
    protected abstract int setArgument(K kernel, int index, float value);

    /** {@code clEnqueueNDRangeKernel} of {@code groups[d] × groupSize[d]} work-items: its status. */
    protected abstract int enqueue(K kernel, int[] groups, int[] groupSize);

    @Override
    protected final void launchNative(ClKernel<K> function, String name, int[] groups, int[] groupSize, Object[] arguments) {
        K kernel = function.kernel;
        if (function.set.length < arguments.length) {
            function.set = java.util.Arrays.copyOf(function.set, arguments.length);
        }
        Object[] set = function.set;
        for (int a = 0; a < arguments.length; a++) {
            Object argument = arguments[a];
            if (same(set[a], argument)) {
                continue;
            }
            set[a] = null;
            int status;
            if (argument instanceof Memory memory) {
                status = setArgument(kernel, a, handle(memory));
            } else if (argument instanceof Integer value) {
                status = setArgument(kernel, a, (int) value);
            } else {
                status = setArgument(kernel, a, (float) (Float) argument);
            }
            argumentsSet++;
            if (status != ClStatus.SUCCESS) {
                throw new DriverException("clSetKernelArg(" + name + ", " + a + "): " + ClStatus.name(status));
            }
            set[a] = argument;
        }
        int status = enqueue(kernel, groups, groupSize);
        if (status != ClStatus.SUCCESS) {
            throw new DriverException("clEnqueueNDRangeKernel(" + name + "): " + ClStatus.name(status));
        }
    }

    /**
     * Whether {@code argument} is what was last set: the same buffer (a freed one is never
     * passed again, the launch check refuses it), or an equal number of the same type, floats
     * by their bits (so that {@code -0.0f} and {@code 0.0f} are set apart).
     */
    private static boolean same(Object set, Object argument) {
        if (set == null) {
            return false;
        }
        if (argument instanceof Memory) {
            return set == argument;
        }
        if (argument instanceof Float value) {
            return set instanceof Float previous && Float.floatToRawIntBits(previous) == Float.floatToRawIntBits(value);
        }
        return argument.equals(set);
    }

    /** How many {@code clSetKernelArg} calls launches have made (the tests see unchanged arguments skipped). */
    public final long argumentsSet() {
        return argumentsSet;
    }

    /** {@code clCreateProgramWithSource}, checked. */
    protected abstract P createProgram(ProgramSource source);

    /** {@code clBuildProgram} for this device with {@code options}: its status. */
    protected abstract int compile(P program, String options);

    /** The compiler's log of {@code program}; empty, or a line saying why, when it cannot be read. */
    protected abstract String buildLog(P program);

    /** Creates and builds the program; a failed build is released and thrown with the compiler's log. */
    @Override
    protected final P buildNative(ProgramSource source, Map<String, String> defines) {
        P program = createProgram(source);
        String options = options(defines);
        int built = compile(program, options);
        if (built != ClStatus.SUCCESS) {
            String log = buildLog(program);
            releasers.program().applyAsInt(program);
            throw buildFailure(source, options, built, log);
        }
        return program;
    }

    /** {@code -DNAME=value} for each define, space-separated: the options of {@code clBuildProgram}. */
    private static String options(Map<String, String> defines) {
        StringBuilder options = new StringBuilder();
        defines.forEach((name, value) -> options.append("-D").append(name).append('=').append(value).append(' '));
        return options.toString().trim();
    }

    /** {@code clBuildProgram(kernels/mlp.cl, -DTM=64): CL_BUILD_PROGRAM_FAILURE (-11) on DEVICE}, with the compiler's log. */
    private KernelBuildException buildFailure(ProgramSource source, String options, int status, String log) {
        return new KernelBuildException("clBuildProgram(" + source.name() + ", " + options + "): " + ClStatus.name(status)
                + " on " + device.name(), log);
    }

    @Override
    public final String deviceName() {
        return device.name();
    }

    @Override
    public final String deviceVersion() {
        return device.platformName() + ", " + device.version();
    }

    @Override
    public final DeviceType deviceType() {
        return device.type();
    }

    @Override
    public final Language language() {
        return Language.OPENCL_C;
    }

    @Override
    public final long globalMemoryBytes() {
        return globalMemoryBytes;
    }

    @Override
    public final int maxGroupSize() {
        return maxGroupSize;
    }

    @Override
    public final int computeUnits() {
        return computeUnits;
    }

    @Override
    public final String toString() {
        return binding() + " on " + device.describe();
    }
}

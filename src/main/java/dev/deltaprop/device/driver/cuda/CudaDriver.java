package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.NativeDriver;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.Releases;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * What both CUDA bindings' drivers share above {@link NativeDriver}: CUDA's driver API only
 * ({@code libcuda.so.1}): the device's primary context, made current on whichever thread calls
 * (not thread-safe); one non-blocking stream; uploads through pinned staging, so that the
 * caller's array is free on return while the copy waits behind earlier launches; modules as
 * {@link CudaModules} loads them; kernels limited to their own {@code MAX_THREADS_PER_BLOCK}.
 *
 * <p>{@code cuMemFree} is not ordered with the stream, so {@link #free} first waits for the
 * stream: a kernel still queued may be using the buffer.
 *
 * <p>The upload lane ({@link dev.deltaprop.device.driver.Driver#upload}) is a second
 * non-blocking stream with its own pinned staging; a fence is a {@code CUevent} made without
 * timing, recorded again at each signal ({@code cuEventRecord} on the stream or the lane), and a
 * wait is {@code cuStreamWaitEvent}, which blocks neither the host nor, on a graph launch, the
 * graph's capture (the waits stay outside every graph).
 *
 * @param <F> the binding's {@code CUfunction}
 */
public abstract class CudaDriver<B, P, F, E> extends NativeDriver<B, P, CudaDriver.Function<F>, CudaMarks.Mark<E>> {
    private final CudaDevice device;
    private final int driverVersion;
    private final Releasers<B, P, E> releasers;
    private final CudaMarks<E> marks;
    private String lastBuild;

    protected CudaDriver(String binding, CudaDevice device, int driverVersion, Releasers<B, P, E> releasers) {
        super(binding);
        this.device = device;
        this.driverVersion = driverVersion;
        this.releasers = releasers;
        this.marks = new CudaMarks<>(new CudaMarks.Events<>() {
            @Override
            public E create() {
                return createEvent(true);
            }

            @Override
            public int record(E event) {
                return recordEvent(event, false);
            }

            @Override
            public void synchronize(E event) {
                CudaResult.check("cuEventSynchronize", releasers.eventSynchronize().applyAsInt(event));
            }

            @Override
            public float elapsedMilliseconds(E start, E end) {
                return CudaDriver.this.elapsedMilliseconds(start, end);
            }

            @Override
            public void destroy(E event) {
                CudaResult.check("cuEventDestroy", releasers.eventDestroy().applyAsInt(event));
            }
        });
    }

    /**
     * The binding's {@code cuMemFree}, {@code cuModuleUnload}, {@code cuEventDestroy} and
     * {@code cuEventSynchronize}, each returning its result, which the driver checks and names.
     */
    public record Releasers<B, P, E>(ToIntFunction<B> memFree, ToIntFunction<P> moduleUnload, ToIntFunction<E> eventDestroy,
                                     ToIntFunction<E> eventSynchronize) {
    }

    /**
     * {@code cuEventCreate}, checked: {@code CU_EVENT_DEFAULT} for a timing mark, else
     * {@code CU_EVENT_DISABLE_TIMING} (a fence of the upload lane).
     */
    protected abstract E createEvent(boolean timing);

    /** {@code cuEventRecord} on the lane's stream, or the stream: its result. */
    protected abstract int recordEvent(E event, boolean lane);

    /** {@code cuStreamWaitEvent(the lane's stream, or the stream, event, 0)}: its result. */
    protected abstract int waitEvent(E event, boolean lane);

    /** As {@link #upload} on the upload lane's stream, through the lane's own pinned staging. */
    protected abstract void laneUpload(B target, long targetOffset, int count, Filler filler);

    /** {@code cuStreamSynchronize} of the upload lane's stream, checked. */
    protected abstract void synchronizeLane();

    @Override
    protected final boolean uploadLaneNative() {
        return true;
    }

    @Override
    protected final Object fenceNative() {
        return createEvent(false);
    }

    @SuppressWarnings("unchecked")
    @Override
    protected final void releaseFence(Object fence) {
        CudaResult.check("cuEventDestroy", releasers.eventDestroy().applyAsInt((E) fence));
    }

    @SuppressWarnings("unchecked")
    @Override
    protected final void laneWaitNative(Object fence) {
        CudaResult.check("cuStreamWaitEvent(upload lane)", waitEvent((E) fence, true));
    }

    @SuppressWarnings("unchecked")
    @Override
    protected final void laneSignalNative(Object fence) {
        CudaResult.check("cuEventRecord(upload lane)", recordEvent((E) fence, true));
    }

    @SuppressWarnings("unchecked")
    @Override
    protected final void signalNative(Object fence) {
        CudaResult.check("cuEventRecord", recordEvent((E) fence, false));
    }

    @SuppressWarnings("unchecked")
    @Override
    protected final void awaitNative(Object fence) {
        CudaResult.check("cuStreamWaitEvent", waitEvent((E) fence, false));
    }

    @Override
    protected final void laneWriteNative(B target, long targetOffset, float[] source, int sourceOffset, int count) {
        laneUpload(target, targetOffset, count, floats(source, sourceOffset));
    }

    @Override
    protected final void laneWriteNative(B target, long targetOffset, FloatBuffer source, int count) {
        laneUpload(target, targetOffset, count, floats(source));
    }

    @Override
    protected final void laneFinishNative() {
        synchronizeLane();
    }

    /** An event from the pool of {@link CudaMarks}, recorded on the stream. */
    @Override
    protected final CudaMarks.Mark<E> markNative() {
        return marks.mark();
    }

    /** {@code cuEventElapsedTime} in milliseconds, checked; {@code end} has completed. */
    protected abstract float elapsedMilliseconds(E start, E end);

    @Override
    protected final long elapsedNanosNative(CudaMarks.Mark<E> start, CudaMarks.Mark<E> end) {
        return marks.elapsedNanos(start, end);
    }

    @Override
    protected final boolean spent(CudaMarks.Mark<E> mark) {
        return mark.spent();
    }

    @Override
    protected final void releaseMark(CudaMarks.Mark<E> mark) {
        marks.release(mark);
    }

    @Override
    protected final void releaseMarkPool(Releases releases) {
        marks.close(releases);
    }

    /** How many events the marks hold, recorded or idle (for the tests that bound them). */
    public final int markEvents() {
        return marks.events();
    }

    @Override
    protected final void releaseBuffer(B buffer) {
        CudaResult.check("cuMemFree", releasers.memFree().applyAsInt(buffer));
    }

    @Override
    protected final void releaseProgram(P program) {
        CudaResult.check("cuModuleUnload", releasers.moduleUnload().applyAsInt(program));
    }

    /** A kernel and the most threads a block of it may have (its registers and shared memory decide). */
    public record Function<F>(F function, int maxThreadsPerBlock) {
    }

    /** Fills staging from {@code source[sourceOffset …]}: the same for the stream's and the lane's copies. */
    private static Filler floats(float[] source, int sourceOffset) {
        return (staged, from, n) -> staged.asFloatBuffer().put(source, sourceOffset + from, n);
    }

    /** Fills staging from {@code source} at its position (not moved): the same for both copies. */
    private static Filler floats(FloatBuffer source) {
        int start = source.position();
        return (staged, from, n) -> staged.asFloatBuffer().put(source.duplicate().limit(start + from + n).position(start + from));
    }

    /** Puts elements {@code [from, from + n)} of a write's source at the start of {@code staged}. */
    @FunctionalInterface
    protected interface Filler {
        void fill(ByteBuffer staged, int from, int n);
    }

    /** Copies {@code count} elements to {@code target[targetOffset..]} chunk by chunk through pinned staging, each chunk filled by {@code filler}. */
    protected abstract void upload(B target, long targetOffset, int count, Filler filler);

    /** {@code cuModuleLoadData} and {@code cuModuleLoadDataEx} through this binding. */
    protected abstract CudaModules.Calls<P> moduleCalls();

    /** {@code cuModuleGetFunction}; throws {@code cuModuleGetFunction(name in program): CUDA_ERROR_…}. */
    protected abstract F function(P module, String programName, String name);

    /** {@code cuFuncGetAttribute(MAX_THREADS_PER_BLOCK)}. */
    protected abstract int maxThreadsPerBlock(F function, String name);

    /** {@code cuStreamSynchronize}. */
    protected abstract void synchronize();

    /** {@code cuStreamBeginCapture(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)}: its result. */
    protected abstract int beginCapture();

    /** {@code cuStreamEndCapture}: its result, the recorded graph in {@code graph[0]} where there is one. */
    protected abstract int endCapture(Object[] graph);

    /** {@code cuGraphInstantiate(exec, graph, 0)}: its result, the launchable graph in {@code exec[0]}. */
    protected abstract int instantiate(Object graph, Object[] exec);

    /** {@code cuGraphLaunch(exec, stream)}: its result. */
    protected abstract int launchGraph(Object exec);

    /** {@code cuGraphExecDestroy}: its result. */
    protected abstract int destroyExec(Object exec);

    /** {@code cuGraphDestroy}: its result. */
    protected abstract int destroyGraph(Object graph);

    @Override
    protected final boolean graphsNative() {
        return true;
    }

    /**
     * Thread-local mode: the capture refuses unsafe calls (a {@code cuMemAlloc}, a synchronous
     * copy) made on this thread, which is the one that launches, and leaves other threads alone.
     */
    @Override
    protected final void beginCaptureNative() {
        CudaResult.check("cuStreamBeginCapture", beginCapture());
    }

    /** Ends the capture, instantiates, and destroys the recorded graph (the instantiated one is independent of it). */
    @Override
    protected final Object endCaptureNative() {
        Object[] graph = new Object[1];
        CudaResult.check("cuStreamEndCapture", endCapture(graph));
        Object[] exec = new Object[1];
        int instantiated = instantiate(graph[0], exec);
        int destroyed = destroyGraph(graph[0]);
        CudaResult.check("cuGraphInstantiate", instantiated);
        if (destroyed != CudaResult.SUCCESS) {
            destroyExec(exec[0]);
            CudaResult.check("cuGraphDestroy", destroyed);
        }
        return exec[0];
    }

    /** Ends a failed capture and destroys what it recorded; an invalidated capture has nothing to destroy. */
    @Override
    protected final void abortCaptureNative() {
        Object[] graph = new Object[1];
        int ended = endCapture(graph);
        if (graph[0] != null) {
            CudaResult.check("cuGraphDestroy", destroyGraph(graph[0]));
        }
        if (ended != CudaResult.SUCCESS && ended != CudaResult.STREAM_CAPTURE_INVALIDATED) {
            CudaResult.check("cuStreamEndCapture", ended);
        }
    }

    @Override
    protected final void launchGraphNative(Object exec) {
        CudaResult.check("cuGraphLaunch", launchGraph(exec));
    }

    @Override
    protected final void releaseGraph(Object exec) {
        CudaResult.check("cuGraphExecDestroy", destroyExec(exec));
    }

    @Override
    protected final void writeNative(B target, long targetOffset, float[] source, int sourceOffset, int count) {
        upload(target, targetOffset, count, floats(source, sourceOffset));
    }

    @Override
    protected final void writeNative(B target, long targetOffset, FloatBuffer source, int count) {
        upload(target, targetOffset, count, floats(source));
    }

    @Override
    protected final void writeNative(B target, long targetOffset, int[] source, int sourceOffset, int count) {
        upload(target, targetOffset, count, (staged, from, n) -> staged.asIntBuffer().put(source, sourceOffset + from, n));
    }

    @Override
    protected final void freeNative(B buffer) {
        synchronize();
        releaseBuffer(buffer);
    }

    @Override
    protected final P buildNative(ProgramSource source, Map<String, String> defines) {
        CudaModules.Loaded<P> loaded = CudaModules.load(source, defines, device, driverVersion, moduleCalls());
        lastBuild = source.name() + ": " + loaded.origin();
        return loaded.module();
    }

    @Override
    protected final Function<F> kernelNative(P module, String programName, String name) {
        F function = function(module, programName, name);
        return new Function<>(function, maxThreadsPerBlock(function, name));
    }

    @Override
    protected final int groupLimit(Function<F> kernel) {
        return kernel.maxThreadsPerBlock();
    }

    /** Throws {@code cuLaunchKernel(forward_gemm): CUDA_ERROR_…} unless {@code result} is success: one spelling for both bindings. */
    protected static void checkLaunch(String kernel, int result) {
        if (result != CudaResult.SUCCESS) {
            throw new DriverException("cuLaunchKernel(" + kernel + "): " + CudaResult.name(result));
        }
    }

    @Override
    protected final void finishNative() {
        synchronize();
    }

    @Override
    protected final void quiesce() {
        synchronize();
        synchronizeLane();
    }

    /**
     * {@code cuDeviceCanAccessPeer(this device, peer's device)}, checked; then, where it can,
     * {@code cuCtxEnablePeerAccess(peer's context)} with this context current, where
     * {@code CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED} (another driver of this context did it) is
     * success too. The same device is no peer.
     */
    @Override
    protected final boolean enablePeerNative(NativeDriver<B, P, Function<F>, CudaMarks.Mark<E>> peer) {
        CudaDriver<B, P, F, E> other = (CudaDriver<B, P, F, E>) peer;
        if (other.device.ordinal() == device.ordinal() || !canAccessPeer(other)) {
            return false;
        }
        int enabled = enablePeerContext(other);
        if (enabled != CudaResult.SUCCESS && enabled != PEER_ACCESS_ALREADY_ENABLED) {
            CudaResult.check("cuCtxEnablePeerAccess(device " + other.device.ordinal() + ")", enabled);
        }
        return true;
    }

    private static final int PEER_ACCESS_ALREADY_ENABLED = 704;

    @Override
    protected final void copyFromPeerNative(B target, long targetOffset, NativeDriver<B, P, Function<F>, CudaMarks.Mark<E>> peer,
                                            B source, long sourceOffset, int count) {
        CudaDriver<B, P, F, E> other = (CudaDriver<B, P, F, E>) peer;
        CudaResult.check("cuMemcpyPeerAsync(device " + other.device.ordinal() + " to " + device.ordinal() + ")",
                copyPeer(target, targetOffset * Float.BYTES, other, source, sourceOffset * Float.BYTES, (long) count * Float.BYTES));
    }

    /** {@code cuDeviceCanAccessPeer(this device, peer's device)}, checked: whether it can. */
    protected abstract boolean canAccessPeer(CudaDriver<B, P, F, E> peer);

    /** {@code cuCtxEnablePeerAccess(peer's context, 0)}, this context current: its result. */
    protected abstract int enablePeerContext(CudaDriver<B, P, F, E> peer);

    /** {@code cuMemcpyPeerAsync(target + targetByte in this context, source + sourceByte in peer's, bytes, this stream)}: its result. */
    protected abstract int copyPeer(B target, long targetByte, CudaDriver<B, P, F, E> peer, B source, long sourceByte, long bytes);

    /** The device this driver opened. */
    public final CudaDevice device() {
        return device;
    }

    /** The CUDA version the driver implements, e.g. {@code 13000}. */
    public final int driverVersion() {
        return driverVersion;
    }

    /**
     * Where the last {@link #build}'s code came from, e.g. {@code kernels/mlp.cu: kernels/mlp.fatbin}
     * or {@code kernels/mlp.cu: NVRTC 13.0 (…), sm_90 cubin (…why)}; {@code null} before the first build.
     */
    public final String lastBuild() {
        return lastBuild;
    }

    @Override
    public final String deviceName() {
        return device.name();
    }

    @Override
    public final String deviceVersion() {
        return CudaStartup.driverLine(driverVersion) + ", compute capability " + device.major() + "." + device.minor()
                + ", " + device.multiprocessors() + " SMs";
    }

    @Override
    public final DeviceType deviceType() {
        return DeviceType.GPU;
    }

    @Override
    public final Language language() {
        return Language.CUDA_C;
    }

    @Override
    public final long globalMemoryBytes() {
        return device.memoryBytes();
    }

    @Override
    public final int maxGroupSize() {
        return device.maxThreadsPerBlock();
    }

    @Override
    public final int computeUnits() {
        return Math.max(1, device.multiprocessors());
    }

    @Override
    public final String toString() {
        return binding() + " on " + device.describe();
    }
}

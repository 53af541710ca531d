package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.NativeDriver;
import dev.deltaprop.device.driver.ProgramSource;
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
 * @param <F> the binding's {@code CUfunction}
 */
public abstract class CudaDriver<B, P, F, E> extends NativeDriver<B, P, CudaDriver.Function<F>, E> {
    private final CudaDevice device;
    private final int driverVersion;
    private final Releasers<B, P, E> releasers;
    private String lastBuild;

    protected CudaDriver(String binding, CudaDevice device, int driverVersion, Releasers<B, P, E> releasers) {
        super(binding);
        this.device = device;
        this.driverVersion = driverVersion;
        this.releasers = releasers;
    }

    /**
     * The binding's {@code cuMemFree}, {@code cuModuleUnload}, {@code cuEventDestroy} and
     * {@code cuEventSynchronize}, each returning its result, which the driver checks and names.
     */
    public record Releasers<B, P, E>(ToIntFunction<B> memFree, ToIntFunction<P> moduleUnload, ToIntFunction<E> eventDestroy,
                                     ToIntFunction<E> eventSynchronize) {
    }

    /** {@code cuEventCreate}, checked. */
    protected abstract E createEvent();

    /** {@code cuEventRecord} on the stream: its result. */
    protected abstract int recordEvent(E event);

    /** An event recorded on the stream; destroyed again if it cannot be recorded. */
    @Override
    protected final E markNative() {
        E event = createEvent();
        int recorded = recordEvent(event);
        if (recorded != CudaResult.SUCCESS) {
            releasers.eventDestroy().applyAsInt(event);
            CudaResult.check("cuEventRecord", recorded);
        }
        return event;
    }

    /** {@code cuEventElapsedTime} in milliseconds, checked; {@code end} has completed. */
    protected abstract float elapsedMilliseconds(E start, E end);

    @Override
    protected final long elapsedNanosNative(E start, E end) {
        CudaResult.check("cuEventSynchronize", releasers.eventSynchronize().applyAsInt(end));
        return Math.round(elapsedMilliseconds(start, end) * 1e6);
    }

    @Override
    protected final void releaseMark(E mark) {
        CudaResult.check("cuEventDestroy", releasers.eventDestroy().applyAsInt(mark));
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

    @Override
    protected final void writeNative(B target, long targetOffset, float[] source, int sourceOffset, int count) {
        upload(target, targetOffset, count, (staged, from, n) -> staged.asFloatBuffer().put(source, sourceOffset + from, n));
    }

    @Override
    protected final void writeNative(B target, long targetOffset, FloatBuffer source, int count) {
        int start = source.position();
        upload(target, targetOffset, count, (staged, from, n) ->
                staged.asFloatBuffer().put(source.duplicate().limit(start + from + n).position(start + from)));
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
    }

    /**
     * {@code cuDeviceCanAccessPeer(this device, peer's device)}, checked; then, where it can,
     * {@code cuCtxEnablePeerAccess(peer's context)} with this context current, where
     * {@code CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED} (another driver of this context did it) is
     * success too. The same device is no peer.
     */
    @Override
    protected final boolean enablePeerNative(NativeDriver<B, P, Function<F>, E> peer) {
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
    protected final void copyFromPeerNative(B target, long targetOffset, NativeDriver<B, P, Function<F>, E> peer, B source,
                                            long sourceOffset, int count) {
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

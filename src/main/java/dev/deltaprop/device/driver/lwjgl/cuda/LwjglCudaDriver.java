package dev.deltaprop.device.driver.lwjgl.cuda;

import static dev.deltaprop.device.driver.cuda.CudaResult.check;

import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.Releases;
import dev.deltaprop.device.driver.cuda.CudaDevice;
import dev.deltaprop.device.driver.cuda.CudaDriver;
import dev.deltaprop.device.driver.cuda.CudaModules;
import dev.deltaprop.device.driver.cuda.CudaResult;
import dev.deltaprop.device.driver.lwjgl.Lwjgl;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.cuda.CU;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The CUDA driver on LWJGL 3's CUDA driver API binding ({@link CU}): the native calls of
 * {@link CudaDriver}. Out-parameters come from the thread's {@link MemoryStack}; a launch's
 * parameters from storage its kernel keeps ({@link LwjglArguments}); copies go through
 * {@link PinnedSlots}; module images are copied into
 * {@code memAlloc}'d memory (a fatbin is far larger than the stack) with a NUL after them (PTX is
 * text and must end in one), and freed after the load, which copies them.
 */
public final class LwjglCudaDriver extends CudaDriver<Long, Long, LwjglCudaDriver.Launchable, Long> {
    private static final int JIT_LOG_BYTES = 16 * 1024;

    /** The context each thread last made current, so that a launch costs no extra native call. */
    private static final ThreadLocal<Long> CURRENT = new ThreadLocal<>();

    private final int handle;
    private final long context;
    private long stream;
    private PinnedSlots pinned;
    /** The upload lane's stream and its own pinned slots (a slot's event is then always the lane's). */
    private long uploadStream;
    private PinnedSlots lanePinned;
    /** Every kernel's argument storage, freed at close (a kernel lives as long as its module, which is until close). */
    private final java.util.List<LwjglArguments> argumentStorage = new java.util.ArrayList<>();
    private final java.util.function.ToLongFunction<Memory> address = memory -> handle(memory);

    /** A kernel and the storage of its launches' arguments. */
    record Launchable(long function, LwjglArguments arguments) {
    }

    /**
     * Opens {@code device}.
     *
     * @throws DriverException when a call fails, saying which; nothing is left behind
     */
    LwjglCudaDriver(CudaDevice device, int driverVersion) {
        super("LWJGL " + Lwjgl.version() + " (CUDA driver API)", device, driverVersion,
                new Releasers<>(CU::cuMemFree, CU::cuModuleUnload, CU::cuEventDestroy, CU::cuEventSynchronize));
        this.handle = LwjglCuda.handle(device.ordinal());
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer out = stack.mallocPointer(1);
            check("cuDevicePrimaryCtxRetain", CU.cuDevicePrimaryCtxRetain(out, handle));
            context = out.get(0);
            try {
                makeCurrent();
                check("cuStreamCreate", CU.cuStreamCreate(out, CU.CU_STREAM_NON_BLOCKING));
                stream = out.get(0);
                check("cuStreamCreate(upload lane)", CU.cuStreamCreate(out, CU.CU_STREAM_NON_BLOCKING));
                uploadStream = out.get(0);
                pinned = new PinnedSlots();
                lanePinned = new PinnedSlots();
            } catch (RuntimeException e) {
                // undo what was made; the first failure is the one reported
                Releases releases = new Releases();
                releaseDevice(releases);
                if (releases.anyFailed()) {
                    try {
                        releases.report();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }
    }

    @Override
    protected void makeCurrent() {
        Long current = CURRENT.get();
        if (current == null || current != context) {
            check("cuCtxSetCurrent", CU.cuCtxSetCurrent(context));
            CURRENT.set(context);
        }
    }

    @Override
    protected Long allocateNative(long bytes) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer out = stack.mallocPointer(1);
            check("cuMemAlloc(" + bytes + " bytes)", CU.cuMemAlloc(out, bytes));
            return out.get(0);
        }
    }

    @Override
    protected void upload(Long target, long targetOffset, int count, Filler filler) {
        upload(pinned, stream, target, targetOffset, count, filler);
    }

    @Override
    protected void laneUpload(Long target, long targetOffset, int count, Filler filler) {
        upload(lanePinned, uploadStream, target, targetOffset, count, filler);
    }

    private static void upload(PinnedSlots slots, long on, long target, long targetOffset, int count, Filler filler) {
        int chunk = PinnedSlots.SLOT_BYTES / Float.BYTES;
        for (int from = 0; from < count; from += chunk) {
            int n = Math.min(chunk, count - from);
            ByteBuffer slot = slots.acquire();
            filler.fill(slot, from, n);
            check("cuMemcpyHtoDAsync", CU.cuMemcpyHtoDAsync(target + (targetOffset + from) * Float.BYTES,
                    slot.limit(n * Float.BYTES), on));
            slots.enqueued(on);
        }
    }

    @Override
    protected int waitEvent(Long event, boolean lane) {
        return CU.cuStreamWaitEvent(lane ? uploadStream : stream, event, 0);
    }

    @Override
    protected void synchronizeLane() {
        check("cuStreamSynchronize(upload lane)", CU.cuStreamSynchronize(uploadStream));
    }

    @Override
    protected void readNative(Long source, long sourceOffset, float[] target, int targetOffset, int count) {
        int chunk = PinnedSlots.SLOT_BYTES / Float.BYTES;
        for (int from = 0; from < count; from += chunk) {
            int n = Math.min(chunk, count - from);
            ByteBuffer download = pinned.download().limit(n * Float.BYTES);
            check("cuMemcpyDtoHAsync", CU.cuMemcpyDtoHAsync(download, source + (sourceOffset + from) * Float.BYTES, stream));
            synchronize();
            download.asFloatBuffer().get(target, targetOffset + from, n);
        }
    }

    @Override
    protected CudaModules.Calls<Long> moduleCalls() {
        return new CudaModules.Calls<>() {
            @Override
            public Long loadData(byte[] image, int[] result) {
                ByteBuffer copy = terminated(image);
                try (MemoryStack stack = MemoryStack.stackPush()) {
                    PointerBuffer module = stack.mallocPointer(1);
                    result[0] = CU.cuModuleLoadData(module, copy);
                    return result[0] == CudaResult.SUCCESS ? module.get(0) : null;
                } finally {
                    MemoryUtil.memFree(copy);
                }
            }

            @Override
            public Long loadJit(byte[] image, int[] result, String[] log) {
                ByteBuffer copy = terminated(image);
                ByteBuffer jitLog = MemoryUtil.memCalloc(JIT_LOG_BYTES);
                try (MemoryStack stack = MemoryStack.stackPush()) {
                    IntBuffer options = stack.ints(CU.CU_JIT_ERROR_LOG_BUFFER, CU.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
                    PointerBuffer values = stack.mallocPointer(2).put(0, MemoryUtil.memAddress(jitLog)).put(1, JIT_LOG_BYTES);
                    PointerBuffer module = stack.mallocPointer(1);
                    result[0] = CU.cuModuleLoadDataEx(module, copy, options, values);
                    log[0] = MemoryUtil.memUTF8(MemoryUtil.memAddress(jitLog));
                    return result[0] == CudaResult.SUCCESS ? module.get(0) : null;
                } finally {
                    MemoryUtil.memFree(jitLog);
                    MemoryUtil.memFree(copy);
                }
            }
        };
    }

    /** {@code bytes} and a NUL in malloc'd memory; the caller frees it. */
    private static ByteBuffer terminated(byte[] bytes) {
        ByteBuffer buffer = MemoryUtil.memAlloc(bytes.length + 1);
        buffer.put(bytes).put((byte) 0).flip();
        return buffer;
    }

    @Override
    protected Launchable function(Long module, String programName, String name) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer function = stack.mallocPointer(1);
            check("cuModuleGetFunction(" + name + " in " + programName + ")", CU.cuModuleGetFunction(function, module, name));
            LwjglArguments arguments = new LwjglArguments(address);
            argumentStorage.add(arguments);
            return new Launchable(function.get(0), arguments);
        }
    }

    @Override
    protected int maxThreadsPerBlock(Launchable function, String name) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer maxThreads = stack.mallocInt(1);
            check("cuFuncGetAttribute(" + name + ")", CU.cuFuncGetAttribute(maxThreads,
                    CU.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, function.function()));
            return maxThreads.get(0);
        }
    }

    @Override
    protected void launchNative(Function<Launchable> kernel, String name, int[] groups, int[] groupSize, Object[] arguments) {
        Launchable launchable = kernel.function();
        PointerBuffer parameters = launchable.arguments().fill(arguments);
        checkLaunch(name, CU.cuLaunchKernel(launchable.function(), groups[0], dimension(groups, 1), dimension(groups, 2),
                groupSize[0], dimension(groupSize, 1), dimension(groupSize, 2), 0, stream, parameters, null));
    }

    private static int dimension(int[] sizes, int d) {
        return d < sizes.length ? sizes[d] : 1;
    }

    @Override
    protected void synchronize() {
        check("cuStreamSynchronize", CU.cuStreamSynchronize(stream));
    }

    @Override
    protected int beginCapture() {
        return CU.cuStreamBeginCapture_v2(stream, CU.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
    }

    @Override
    protected int endCapture(Object[] graph) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer captured = stack.callocPointer(1);
            int result = CU.cuStreamEndCapture(stream, captured);
            graph[0] = captured.get(0) != 0 ? captured.get(0) : null;
            return result;
        }
    }

    /** {@code cuGraphInstantiateWithFlags} (CUDA 11.4+): the form CUDA 12's {@code cuGraphInstantiate} is. */
    @Override
    protected int instantiate(Object graph, Object[] exec) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer instantiated = stack.callocPointer(1);
            int result = CU.cuGraphInstantiateWithFlags(instantiated, (Long) graph, 0);
            exec[0] = result == CudaResult.SUCCESS ? instantiated.get(0) : null;
            return result;
        }
    }

    @Override
    protected int launchGraph(Object exec) {
        return CU.cuGraphLaunch((Long) exec, stream);
    }

    @Override
    protected int destroyExec(Object exec) {
        return CU.cuGraphExecDestroy((Long) exec);
    }

    @Override
    protected int destroyGraph(Object graph) {
        return CU.cuGraphDestroy((Long) graph);
    }

    @Override
    protected Long createEvent(boolean timing) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer out = stack.mallocPointer(1);
            check("cuEventCreate", CU.cuEventCreate(out, timing ? CU.CU_EVENT_DEFAULT : CU.CU_EVENT_DISABLE_TIMING));
            return out.get(0);
        }
    }

    @Override
    protected int recordEvent(Long event, boolean lane) {
        return CU.cuEventRecord(event, lane ? uploadStream : stream);
    }

    @Override
    protected float elapsedMilliseconds(Long start, Long end) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            FloatBuffer milliseconds = stack.mallocFloat(1);
            check("cuEventElapsedTime", CU.cuEventElapsedTime(milliseconds, start, end));
            return milliseconds.get(0);
        }
    }

    @Override
    protected boolean canAccessPeer(CudaDriver<Long, Long, Launchable, Long> peer) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer can = stack.mallocInt(1);
            check("cuDeviceCanAccessPeer", CU.cuDeviceCanAccessPeer(can, handle, ((LwjglCudaDriver) peer).handle));
            return can.get(0) != 0;
        }
    }

    @Override
    protected int enablePeerContext(CudaDriver<Long, Long, Launchable, Long> peer) {
        return CU.cuCtxEnablePeerAccess(((LwjglCudaDriver) peer).context, 0);
    }

    @Override
    protected int copyPeer(Long target, long targetByte, CudaDriver<Long, Long, Launchable, Long> peer, Long source, long sourceByte,
                           long bytes) {
        return CU.cuMemcpyPeerAsync(target + targetByte, context, source + sourceByte, ((LwjglCudaDriver) peer).context, bytes,
                stream);
    }

    @Override
    protected void releaseDevice(Releases releases) {
        for (LwjglArguments arguments : argumentStorage) {
            arguments.free();
        }
        argumentStorage.clear();
        if (pinned != null) {
            pinned.close(releases);
            pinned = null;
        }
        if (lanePinned != null) {
            lanePinned.close(releases);
            lanePinned = null;
        }
        if (uploadStream != 0) {
            long created = uploadStream;
            uploadStream = 0;
            releases.attempt(() -> check("cuStreamDestroy(upload lane)", CU.cuStreamDestroy(created)));
        }
        if (stream != 0) {
            long created = stream;
            stream = 0;
            releases.attempt(() -> check("cuStreamDestroy", CU.cuStreamDestroy(created)));
        }
        releases.attempt(() -> check("cuDevicePrimaryCtxRelease", CU.cuDevicePrimaryCtxRelease(handle)));
        CURRENT.remove();
    }
}

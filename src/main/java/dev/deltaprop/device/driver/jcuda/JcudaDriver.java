package dev.deltaprop.device.driver.jcuda;

import static dev.deltaprop.device.driver.cuda.CudaResult.check;

import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.Releases;
import dev.deltaprop.device.driver.cuda.CudaDevice;
import dev.deltaprop.device.driver.cuda.CudaDriver;
import dev.deltaprop.device.driver.cuda.CudaModules;
import dev.deltaprop.device.driver.cuda.CudaResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

/**
 * The CUDA driver on JCuda 12.6 (driver API only; no runtime, no JCuda NVRTC): the native calls
 * of {@link CudaDriver}. Uploads go through {@link PinnedStaging}; reads through one pinned
 * buffer that grows to the largest read (up to a staging half). A launch's arguments are written
 * into storage its kernel keeps ({@link JcudaArguments}), buffers passed by the pointer each
 * {@link DevicePointer} made at allocation: no {@code Pointer} or array per argument per launch.
 */
public final class JcudaDriver extends CudaDriver<CUdeviceptr, CUmodule, JcudaDriver.Launchable, CUevent> {

    /** Upload staging: 2 × 8 MiB of pinned memory (a whole {@code wide} batch fits one half). */
    private static final long STAGING_HALF_BYTES = 8L << 20;

    /** The context each thread last made current, so that a launch costs no extra native call. */
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    private final CUdevice handle;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final PinnedStaging staging;
    /** The upload lane's stream and its own staging (a half's event is then always the lane's). */
    private final CUstream uploadStream = new CUstream();
    private final PinnedStaging laneStaging;
    private final Pointer readBuffer = new Pointer();
    private long readBufferBytes;
    /** How a buffer argument is passed: one function object for the driver's life. */
    private final java.util.function.Function<Memory, Pointer> memoryArgument = memory -> DevicePointer.argument(handle(memory));

    /** A kernel and the storage of its launches' arguments. */
    record Launchable(CUfunction function, JcudaArguments arguments) {
    }

    /**
     * Opens {@code device}.
     *
     * @throws DriverException when a call fails, saying which; nothing is left behind
     */
    JcudaDriver(CudaDevice device, int driverVersion) {
        super("JCuda " + jcudaVersion(), device, driverVersion,
                new Releasers<>(JCudaDriver::cuMemFree, JCudaDriver::cuModuleUnload, JCudaDriver::cuEventDestroy,
                        JCudaDriver::cuEventSynchronize));
        this.handle = Jcuda.handle(device.ordinal());
        check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(context, handle));
        PinnedStaging created = null;
        PinnedStaging createdLane = null;
        int streamsCreated = 0;
        try {
            makeCurrent();
            check("cuStreamCreate", JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING));
            streamsCreated++;
            check("cuStreamCreate(upload lane)", JCudaDriver.cuStreamCreate(uploadStream, CUstream_flags.CU_STREAM_NON_BLOCKING));
            streamsCreated++;
            created = new PinnedStaging(STAGING_HALF_BYTES);
            createdLane = new PinnedStaging(STAGING_HALF_BYTES);
        } catch (RuntimeException e) {
            // undo what was made; the first failure is the one reported
            if (created != null) {
                created.close();
            }
            if (streamsCreated > 1) {
                JCudaDriver.cuStreamDestroy(uploadStream);
            }
            if (streamsCreated > 0) {
                JCudaDriver.cuStreamDestroy(stream);
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(handle);
            CURRENT.remove();
            throw e;
        }
        this.staging = created;
        this.laneStaging = createdLane;
    }

    private static String jcudaVersion() {
        String version = JCudaDriver.class.getPackage().getImplementationVersion();
        return version != null ? version : "12.6.0";
    }

    @Override
    protected void makeCurrent() {
        if (CURRENT.get() != context) {
            check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context));
            CURRENT.set(context);
        }
    }

    @Override
    protected CUdeviceptr allocateNative(long bytes) {
        CUdeviceptr pointer = new DevicePointer();
        check("cuMemAlloc(" + bytes + " bytes)", JCudaDriver.cuMemAlloc(pointer, bytes));
        return pointer;
    }

    @Override
    protected void upload(CUdeviceptr target, long targetOffset, int count, Filler filler) {
        upload(staging, stream, target, targetOffset, count, filler);
    }

    @Override
    protected void laneUpload(CUdeviceptr target, long targetOffset, int count, Filler filler) {
        upload(laneStaging, uploadStream, target, targetOffset, count, filler);
    }

    private static void upload(PinnedStaging staging, CUstream stream, CUdeviceptr target, long targetOffset, int count,
                               Filler filler) {
        int chunkElements = (int) (staging.chunkBytes() / Sizeof.FLOAT);
        for (int from = 0; from < count; from += chunkElements) {
            int n = Math.min(chunkElements, count - from);
            long bytes = (long) n * Sizeof.FLOAT;
            ByteBuffer region = staging.reserve(bytes);
            Pointer host = staging.reservedPointer();
            filler.fill(region, from, n);
            check("cuMemcpyHtoDAsync", JCudaDriver.cuMemcpyHtoDAsync(
                    target.withByteOffset((targetOffset + from) * Sizeof.FLOAT), host, bytes, stream));
            staging.copied(bytes, stream);
        }
    }

    @Override
    protected void readNative(CUdeviceptr source, long sourceOffset, float[] target, int targetOffset, int count) {
        ensureReadBuffer(Math.min((long) count * Sizeof.FLOAT, STAGING_HALF_BYTES));
        long chunk = readBufferBytes / Sizeof.FLOAT;
        for (long from = 0; from < count; from += chunk) {
            int n = (int) Math.min(chunk, count - from);
            check("cuMemcpyDtoHAsync", JCudaDriver.cuMemcpyDtoHAsync(readBuffer,
                    source.withByteOffset((sourceOffset + from) * Sizeof.FLOAT), (long) n * Sizeof.FLOAT, stream));
            synchronize();
            readBuffer.getByteBuffer(0, (long) n * Sizeof.FLOAT).order(ByteOrder.nativeOrder())
                    .asFloatBuffer().get(target, (int) (targetOffset + from), n);
        }
    }

    private void ensureReadBuffer(long bytes) {
        if (readBufferBytes >= bytes) {
            return;
        }
        if (readBufferBytes > 0) {
            check("cuMemFreeHost", JCudaDriver.cuMemFreeHost(readBuffer));
            readBufferBytes = 0;
        }
        long size = Math.max(bytes, 64 * 1024);
        check("cuMemAllocHost", JCudaDriver.cuMemAllocHost(readBuffer, size));
        readBufferBytes = size;
    }

    @Override
    protected CudaModules.Calls<CUmodule> moduleCalls() {
        return new CudaModules.Calls<>() {
            @Override
            public CUmodule loadData(byte[] image, int[] result) {
                CUmodule module = new CUmodule();
                result[0] = JCudaDriver.cuModuleLoadData(module, image);
                return result[0] == CudaResult.SUCCESS ? module : null;
            }

            @Override
            public CUmodule loadJit(byte[] image, int[] result, String[] log) {
                JITOptions options = new JITOptions();
                options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[16 * 1024]);
                CUmodule module = new CUmodule();
                result[0] = JCudaDriver.cuModuleLoadDataJIT(module, Pointer.to(image), options);
                log[0] = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
                return result[0] == CudaResult.SUCCESS ? module : null;
            }
        };
    }

    @Override
    protected Launchable function(CUmodule module, String programName, String name) {
        CUfunction function = new CUfunction();
        check("cuModuleGetFunction(" + name + " in " + programName + ")", JCudaDriver.cuModuleGetFunction(function, module, name));
        return new Launchable(function, new JcudaArguments(memoryArgument));
    }

    @Override
    protected int maxThreadsPerBlock(Launchable function, String name) {
        int[] maxThreads = new int[1];
        check("cuFuncGetAttribute(" + name + ")", JCudaDriver.cuFuncGetAttribute(maxThreads,
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, function.function()));
        return maxThreads[0];
    }

    @Override
    protected void launchNative(Function<Launchable> kernel, String name, int[] groups, int[] groupSize, Object[] arguments) {
        Launchable launchable = kernel.function();
        Pointer parameters = launchable.arguments().fill(arguments);
        checkLaunch(name, JCudaDriver.cuLaunchKernel(launchable.function(), groups[0], dimension(groups, 1), dimension(groups, 2),
                groupSize[0], dimension(groupSize, 1), dimension(groupSize, 2), 0, stream, parameters, null));
    }

    private static int dimension(int[] sizes, int d) {
        return d < sizes.length ? sizes[d] : 1;
    }

    @Override
    protected void synchronize() {
        check("cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream));
        staging.drainedAll();
    }

    @Override
    protected int beginCapture() {
        return JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
    }

    @Override
    protected int endCapture(Object[] graph) {
        CUgraph captured = new CUgraph();
        int result = JCudaDriver.cuStreamEndCapture(stream, captured);
        graph[0] = result == CudaResult.SUCCESS ? captured : null;
        return result;
    }

    @Override
    protected int instantiate(Object graph, Object[] exec) {
        CUgraphExec instantiated = new CUgraphExec();
        int result = JCudaDriver.cuGraphInstantiate(instantiated, (CUgraph) graph, 0);
        exec[0] = result == CudaResult.SUCCESS ? instantiated : null;
        return result;
    }

    @Override
    protected int launchGraph(Object exec) {
        return JCudaDriver.cuGraphLaunch((CUgraphExec) exec, stream);
    }

    @Override
    protected int destroyExec(Object exec) {
        return JCudaDriver.cuGraphExecDestroy((CUgraphExec) exec);
    }

    @Override
    protected int destroyGraph(Object graph) {
        return JCudaDriver.cuGraphDestroy((CUgraph) graph);
    }

    @Override
    protected CUevent createEvent(boolean timing) {
        CUevent event = new CUevent();
        check("cuEventCreate", JCudaDriver.cuEventCreate(event,
                timing ? CUevent_flags.CU_EVENT_DEFAULT : CUevent_flags.CU_EVENT_DISABLE_TIMING));
        return event;
    }

    @Override
    protected int recordEvent(CUevent event, boolean lane) {
        return JCudaDriver.cuEventRecord(event, lane ? uploadStream : stream);
    }

    @Override
    protected int waitEvent(CUevent event, boolean lane) {
        return JCudaDriver.cuStreamWaitEvent(lane ? uploadStream : stream, event, 0);
    }

    @Override
    protected void synchronizeLane() {
        check("cuStreamSynchronize(upload lane)", JCudaDriver.cuStreamSynchronize(uploadStream));
        laneStaging.drainedAll();
    }

    @Override
    protected float elapsedMilliseconds(CUevent start, CUevent end) {
        float[] milliseconds = new float[1];
        check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(milliseconds, start, end));
        return milliseconds[0];
    }

    @Override
    protected boolean canAccessPeer(CudaDriver<CUdeviceptr, CUmodule, Launchable, CUevent> peer) {
        int[] can = new int[1];
        check("cuDeviceCanAccessPeer", JCudaDriver.cuDeviceCanAccessPeer(can, handle, ((JcudaDriver) peer).handle));
        return can[0] != 0;
    }

    @Override
    protected int enablePeerContext(CudaDriver<CUdeviceptr, CUmodule, Launchable, CUevent> peer) {
        return JCudaDriver.cuCtxEnablePeerAccess(((JcudaDriver) peer).context, 0);
    }

    @Override
    protected int copyPeer(CUdeviceptr target, long targetByte, CudaDriver<CUdeviceptr, CUmodule, Launchable, CUevent> peer,
                           CUdeviceptr source, long sourceByte, long bytes) {
        return JCudaDriver.cuMemcpyPeerAsync(target.withByteOffset(targetByte), context, source.withByteOffset(sourceByte),
                ((JcudaDriver) peer).context, bytes, stream);
    }

    @Override
    protected void releaseDevice(Releases releases) {
        releases.attempt(staging::close);
        releases.attempt(laneStaging::close);
        if (readBufferBytes > 0) {
            releases.attempt(() -> check("cuMemFreeHost", JCudaDriver.cuMemFreeHost(readBuffer)));
            readBufferBytes = 0;
        }
        releases.attempt(() -> check("cuStreamDestroy", JCudaDriver.cuStreamDestroy(stream)));
        releases.attempt(() -> check("cuStreamDestroy(upload lane)", JCudaDriver.cuStreamDestroy(uploadStream)));
        releases.attempt(() -> check("cuDevicePrimaryCtxRelease", JCudaDriver.cuDevicePrimaryCtxRelease(handle)));
        CURRENT.remove();
    }
}

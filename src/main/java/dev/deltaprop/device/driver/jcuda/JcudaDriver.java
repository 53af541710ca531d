package dev.deltaprop.device.driver.jcuda;

import static dev.deltaprop.device.driver.jcuda.Jcuda.check;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.ProgramSource;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The {@link Driver} on JCuda 12.6 through CUDA's driver API only ({@code libcuda.so.1}; no
 * runtime, no JCuda NVRTC): the device's primary context, one stream, device memory from
 * {@code cuMemAlloc}, uploads through pinned staging memory ({@link PinnedStaging}), modules
 * from the shipped fatbin or from NVRTC ({@link ModuleLoader}), launches with
 * {@code cuLaunchKernel}, marks as CUDA events.
 *
 * <p>Every call's result is checked and a failure throws
 * {@code DriverException("cuXxx: CUDA_ERROR_NAME")}. The device is chosen by
 * {@code DELTAPROP_CUDA_DEVICE} (an ordinal or a substring of the name), else device 0.
 * Not thread-safe; the context is made current on whichever thread calls.
 */
public final class JcudaDriver implements Driver {

    /** Upload staging: 2 × 8 MiB of pinned memory (a whole {@code wide} batch fits one half). */
    private static final long STAGING_HALF_BYTES = 8L << 20;

    /** The context each thread last made current, so that a launch costs no extra native call. */
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    private final Jcuda.DeviceInfo info;
    private final CUdevice device;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final int driverVersion;
    private final PinnedStaging staging;
    private final Pointer readBuffer = new Pointer();
    private long readBufferBytes;
    private final Set<CudaMemory> memories = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<CudaProgram> programs = new ArrayList<>();
    private final List<CudaMark> marks = new ArrayList<>();
    private boolean closed;
    private String lastBuild;

    /**
     * Opens the device chosen by {@code DELTAPROP_CUDA_DEVICE} (or device 0).
     *
     * @throws DriverException when CUDA cannot start here or a call fails, saying which
     */
    public JcudaDriver() {
        this(System.getenv("DELTAPROP_CUDA_DEVICE"));
    }

    /** Opens the device chosen by {@code selector} (an ordinal or a name substring; {@code null}: device 0). */
    public JcudaDriver(String selector) {
        String reason = Jcuda.unavailableReason();
        if (reason != null) {
            throw new DriverException(reason);
        }
        this.info = select(Jcuda.devices(), selector);
        this.device = info.handle();
        this.driverVersion = Jcuda.driverVersion();
        check("cuDevicePrimaryCtxRetain", JCudaDriver.cuDevicePrimaryCtxRetain(context, device));
        PinnedStaging created = null;
        boolean streamCreated = false;
        try {
            makeCurrent();
            check("cuStreamCreate", JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING));
            streamCreated = true;
            created = new PinnedStaging(STAGING_HALF_BYTES);
        } catch (RuntimeException e) {
            // undo what was made; the first failure is the one reported
            if (streamCreated) {
                JCudaDriver.cuStreamDestroy(stream);
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
            CURRENT.remove();
            throw e;
        }
        this.staging = created;
    }

    static Jcuda.DeviceInfo select(List<Jcuda.DeviceInfo> devices, String selector) {
        if (devices.isEmpty()) {
            throw new DriverException("no CUDA device: the driver sees none");
        }
        if (selector == null || selector.isBlank()) {
            return devices.get(0);
        }
        String wanted = selector.trim();
        if (wanted.chars().allMatch(Character::isDigit)) {
            int ordinal = Integer.parseInt(wanted);
            if (ordinal >= devices.size()) {
                throw new IllegalArgumentException("DELTAPROP_CUDA_DEVICE: expected an ordinal below "
                        + devices.size() + " or a name substring, found '" + selector + "'");
            }
            return devices.get(ordinal);
        }
        for (Jcuda.DeviceInfo candidate : devices) {
            if (candidate.name().toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT))) {
                return candidate;
            }
        }
        List<String> names = new ArrayList<>();
        devices.forEach(d -> names.add(d.describe()));
        throw new IllegalArgumentException("DELTAPROP_CUDA_DEVICE: no device's name contains '" + selector
                + "'; devices: " + String.join("; ", names));
    }

    private void makeCurrent() {
        if (CURRENT.get() != context) {
            check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context));
            CURRENT.set(context);
        }
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("driver: closed");
        }
        makeCurrent();
    }

    @Override
    public String binding() {
        return "JCuda " + jcudaVersion();
    }

    private static String jcudaVersion() {
        String version = JCudaDriver.class.getPackage().getImplementationVersion();
        return version != null ? version : "12.6.0";
    }

    @Override
    public String deviceName() {
        return info.name();
    }

    @Override
    public String deviceVersion() {
        String module = dev.deltaprop.device.driver.cuda.CudaVersions.kernelModule();
        return "CUDA driver " + dev.deltaprop.device.driver.cuda.CudaVersions.format(driverVersion) + (module == null ? "" : " (NVIDIA " + module + ")")
                + ", compute capability " + info.major() + "." + info.minor() + ", " + info.multiprocessors() + " SMs";
    }

    @Override
    public DeviceType deviceType() {
        return DeviceType.GPU;
    }

    @Override
    public Language language() {
        return Language.CUDA_C;
    }

    @Override
    public long globalMemoryBytes() {
        return info.memoryBytes();
    }

    @Override
    public int maxGroupSize() {
        return info.maxThreadsPerBlock();
    }

    /** Compute capability major, e.g. 9 on an H200. */
    public int computeCapabilityMajor() {
        return info.major();
    }

    /** Compute capability minor, e.g. 0 on an H200. */
    public int computeCapabilityMinor() {
        return info.minor();
    }

    /** The CUDA version the driver implements, e.g. {@code 13000}. */
    public int driverVersion() {
        return driverVersion;
    }

    // ---- memory --------------------------------------------------------------------------

    @Override
    public Memory allocate(long elements) {
        if (elements < 1) {
            throw new IllegalArgumentException("elements: expected at least 1, found " + elements);
        }
        open();
        CUdeviceptr pointer = new CUdeviceptr();
        check("cuMemAlloc", JCudaDriver.cuMemAlloc(pointer, elements * Sizeof.FLOAT));
        CudaMemory memory = new CudaMemory(pointer, elements);
        memories.add(memory);
        return memory;
    }

    @Override
    public void free(Memory memory) {
        CudaMemory owned = owned(memory, "memory");
        open();
        memories.remove(owned);
        owned.freed = true;
        check("cuMemFree", JCudaDriver.cuMemFree(owned.pointer));
    }

    private CudaMemory owned(Memory memory, String name) {
        Objects.requireNonNull(memory, name);
        if (!(memory instanceof CudaMemory) || !memories.contains(memory)) {
            throw new IllegalArgumentException(name + ": expected live memory allocated by this driver, found "
                    + (memory instanceof CudaMemory && ((CudaMemory) memory).freed ? "freed memory" : memory));
        }
        return (CudaMemory) memory;
    }

    private static void checkRange(String name, long offset, long count, long size) {
        if (offset < 0 || count < 0 || offset + count > size) {
            throw new IllegalArgumentException(name + ": expected offset + count ≤ " + size + ", found offset "
                    + offset + " and count " + count);
        }
    }

    @Override
    public void write(Memory target, long targetOffset, float[] source, int sourceOffset, int count) {
        CudaMemory memory = owned(target, "target");
        checkRange("target", targetOffset, count, memory.elements);
        checkRange("source", sourceOffset, count, source.length);
        upload(memory, targetOffset, count, (buffer, from, n) -> buffer.asFloatBuffer().put(source, sourceOffset + from, n));
    }

    @Override
    public void write(Memory target, long targetOffset, FloatBuffer source, int count) {
        CudaMemory memory = owned(target, "target");
        checkRange("target", targetOffset, count, memory.elements);
        checkRange("source", 0, count, source.remaining());
        int start = source.position();
        upload(memory, targetOffset, count, (buffer, from, n) ->
                buffer.asFloatBuffer().put(source.duplicate().position(start + from).limit(start + from + n)));
    }

    @Override
    public void write(Memory target, long targetOffset, int[] source, int sourceOffset, int count) {
        CudaMemory memory = owned(target, "target");
        checkRange("target", targetOffset, count, memory.elements);
        checkRange("source", sourceOffset, count, source.length);
        upload(memory, targetOffset, count, (buffer, from, n) -> buffer.asIntBuffer().put(source, sourceOffset + from, n));
    }

    /** Fills staging chunk by chunk and enqueues each chunk's copy; returns with the source free. */
    private void upload(CudaMemory memory, long targetOffset, int count, Filler filler) {
        open();
        int chunkElements = (int) (staging.chunkBytes() / Sizeof.FLOAT);
        for (int from = 0; from < count; from += chunkElements) {
            int n = Math.min(chunkElements, count - from);
            long bytes = (long) n * Sizeof.FLOAT;
            ByteBuffer region = staging.reserve(bytes);
            Pointer host = staging.reservedPointer();
            filler.fill(region, from, n);
            check("cuMemcpyHtoDAsync", JCudaDriver.cuMemcpyHtoDAsync(
                    memory.pointer.withByteOffset((targetOffset + from) * Sizeof.FLOAT), host, bytes, stream));
            staging.copied(bytes, stream);
        }
    }

    private interface Filler {
        void fill(ByteBuffer region, int from, int count);
    }

    @Override
    public void read(Memory source, long sourceOffset, float[] target, int targetOffset, int count) {
        CudaMemory memory = owned(source, "source");
        checkRange("source", sourceOffset, count, memory.elements);
        checkRange("target", targetOffset, count, target.length);
        open();
        long bytes = (long) count * Sizeof.FLOAT;
        ensureReadBuffer(Math.min(bytes, STAGING_HALF_BYTES));
        long chunk = readBufferBytes / Sizeof.FLOAT;
        for (long from = 0; from < count; from += chunk) {
            int n = (int) Math.min(chunk, count - from);
            check("cuMemcpyDtoHAsync", JCudaDriver.cuMemcpyDtoHAsync(readBuffer,
                    memory.pointer.withByteOffset((sourceOffset + from) * Sizeof.FLOAT), (long) n * Sizeof.FLOAT, stream));
            synchronize();
            readBuffer.getByteBuffer(0, (long) n * Sizeof.FLOAT).order(java.nio.ByteOrder.nativeOrder())
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

    // ---- programs and launches ------------------------------------------------------------

    @Override
    public Program build(ProgramSource source, Map<String, String> defines) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(defines, "defines");
        open();
        ModuleLoader.Loaded loaded = new ModuleLoader(info, driverVersion).load(source, defines);
        lastBuild = source.name() + ": " + loaded.origin();
        CudaProgram program = new CudaProgram(loaded.module(), source.name());
        programs.add(program);
        return program;
    }

    @Override
    public Kernel kernel(Program program, String name) {
        Objects.requireNonNull(name, "name");
        if (!(program instanceof CudaProgram) || !programs.contains(program)) {
            throw new IllegalArgumentException("program: expected a program built by this driver, found " + program);
        }
        open();
        CudaProgram owner = (CudaProgram) program;
        CUfunction function = new CUfunction();
        int result = JCudaDriver.cuModuleGetFunction(function, owner.module, name);
        if (result != 0) {
            throw new DriverException("cuModuleGetFunction " + name + " in " + owner.name + ": "
                    + dev.deltaprop.device.driver.cuda.CudaResult.name(result));
        }
        int[] maxThreads = new int[1];
        check("cuFuncGetAttribute", JCudaDriver.cuFuncGetAttribute(maxThreads,
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, function));
        return new CudaKernel(name, function, maxThreads[0]);
    }

    @Override
    public void launch(Kernel kernel, int[] groups, int[] groupSize, Object... arguments) {
        if (!(kernel instanceof CudaKernel)) {
            throw new IllegalArgumentException("kernel: expected a kernel of this driver, found " + kernel);
        }
        CudaKernel cuda = (CudaKernel) kernel;
        int[] grid = dimensions("groups", groups);
        int[] block = dimensions("groupSize", groupSize);
        if (groups.length != groupSize.length) {
            throw new IllegalArgumentException("groupSize: expected " + groups.length + " dimensions like groups, found "
                    + groupSize.length);
        }
        long threads = (long) block[0] * block[1] * block[2];
        if (threads > cuda.maxThreadsPerBlock) {
            throw new IllegalArgumentException("groupSize: expected at most " + cuda.maxThreadsPerBlock
                    + " threads for " + cuda.name + " on " + info.name() + ", found " + threads);
        }
        Pointer[] parameters = new Pointer[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            parameters[i] = parameter(cuda.name, i, arguments[i]);
        }
        open();
        int result = JCudaDriver.cuLaunchKernel(cuda.function, grid[0], grid[1], grid[2], block[0], block[1], block[2],
                0, stream, Pointer.to(parameters), null);
        if (result != 0) {
            throw new DriverException("cuLaunchKernel " + cuda.name + ": " + dev.deltaprop.device.driver.cuda.CudaResult.name(result));
        }
    }

    private Pointer parameter(String kernel, int index, Object argument) {
        if (argument instanceof CudaMemory) {
            return Pointer.to(owned((CudaMemory) argument, "argument " + index + " of " + kernel).pointer);
        }
        if (argument instanceof Integer) {
            return Pointer.to(new int[] {(Integer) argument});
        }
        if (argument instanceof Float) {
            return Pointer.to(new float[] {(Float) argument});
        }
        throw new IllegalArgumentException("argument " + index + " of " + kernel
                + ": expected Memory, Integer or Float, found " + (argument == null ? "null" : argument.getClass().getName()));
    }

    private static int[] dimensions(String name, int[] sizes) {
        Objects.requireNonNull(sizes, name);
        if (sizes.length < 1 || sizes.length > 3) {
            throw new IllegalArgumentException(name + ": expected 1 to 3 dimensions, found " + sizes.length);
        }
        int[] three = {1, 1, 1};
        for (int d = 0; d < sizes.length; d++) {
            if (sizes[d] < 1) {
                throw new IllegalArgumentException(name + "[" + d + "]: expected at least 1, found " + sizes[d]);
            }
            three[d] = sizes[d];
        }
        return three;
    }

    @Override
    public void finish() {
        open();
        synchronize();
    }

    private void synchronize() {
        check("cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream));
        staging.drainedAll();
    }

    @Override
    public TimingMark mark() {
        open();
        CUevent event = new CUevent();
        check("cuEventCreate", JCudaDriver.cuEventCreate(event, CUevent_flags.CU_EVENT_DEFAULT));
        CudaMark mark = new CudaMark(event);
        marks.add(mark);
        check("cuEventRecord", JCudaDriver.cuEventRecord(event, stream));
        return mark;
    }

    @Override
    public long elapsedNanos(TimingMark start, TimingMark end) {
        if (!(start instanceof CudaMark) || !marks.contains(start)) {
            throw new IllegalArgumentException("start: expected a mark of this driver, found " + start);
        }
        if (!(end instanceof CudaMark) || !marks.contains(end)) {
            throw new IllegalArgumentException("end: expected a mark of this driver, found " + end);
        }
        open();
        check("cuEventSynchronize", JCudaDriver.cuEventSynchronize(((CudaMark) end).event));
        float[] milliseconds = new float[1];
        check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(milliseconds, ((CudaMark) start).event, ((CudaMark) end).event));
        return Math.round(milliseconds[0] * 1e6);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // free everything even when one release fails (e.g. after a sticky launch error);
        // report the first failure once all is released
        List<String> failures = new ArrayList<>();
        release(failures, "cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context));
        CURRENT.set(context);
        release(failures, "cuStreamSynchronize", JCudaDriver.cuStreamSynchronize(stream));
        for (CudaMemory memory : memories) {
            memory.freed = true;
            release(failures, "cuMemFree", JCudaDriver.cuMemFree(memory.pointer));
        }
        memories.clear();
        for (CudaProgram program : programs) {
            release(failures, "cuModuleUnload", JCudaDriver.cuModuleUnload(program.module));
        }
        programs.clear();
        for (CudaMark mark : marks) {
            release(failures, "cuEventDestroy", JCudaDriver.cuEventDestroy(mark.event));
        }
        marks.clear();
        try {
            staging.close();
        } catch (DriverException e) {
            failures.add(e.getMessage());
        }
        if (readBufferBytes > 0) {
            release(failures, "cuMemFreeHost", JCudaDriver.cuMemFreeHost(readBuffer));
            readBufferBytes = 0;
        }
        release(failures, "cuStreamDestroy", JCudaDriver.cuStreamDestroy(stream));
        release(failures, "cuDevicePrimaryCtxRelease", JCudaDriver.cuDevicePrimaryCtxRelease(device));
        CURRENT.remove();
        if (!failures.isEmpty()) {
            throw new DriverException("close: " + String.join("; ", failures));
        }
    }

    private static void release(List<String> failures, String call, int result) {
        if (result != 0) {
            failures.add(call + ": " + dev.deltaprop.device.driver.cuda.CudaResult.name(result));
        }
    }

    /**
     * Where the last {@link #build}'s code came from, e.g.
     * {@code kernels/mlp.cu: kernels/mlp.fatbin} or {@code kernels/mlp.cu: NVRTC 13.0 (…), sm_90 cubin (…why)};
     * {@code null} before the first build.
     */
    public String lastBuild() {
        return lastBuild;
    }

    /** How many buffers are live (for leak tests). */
    public int liveAllocations() {
        return memories.size();
    }

    @Override
    public String toString() {
        return binding() + " on " + info.describe();
    }

    // ---- handles ------------------------------------------------------------------------

    private static final class CudaMemory implements Memory {
        final CUdeviceptr pointer;
        final long elements;
        boolean freed;

        CudaMemory(CUdeviceptr pointer, long elements) {
            this.pointer = pointer;
            this.elements = elements;
        }

        @Override
        public long elements() {
            return elements;
        }

        @Override
        public String toString() {
            return "CUDA memory of " + elements + " elements";
        }
    }

    private static final class CudaProgram implements Program {
        final CUmodule module;
        final String name;

        CudaProgram(CUmodule module, String name) {
            this.module = module;
            this.name = name;
        }

        @Override
        public String toString() {
            return "CUDA module " + name;
        }
    }

    private static final class CudaKernel implements Kernel {
        final String name;
        final CUfunction function;
        final int maxThreadsPerBlock;

        CudaKernel(String name, CUfunction function, int maxThreadsPerBlock) {
            this.name = name;
            this.function = function;
            this.maxThreadsPerBlock = maxThreadsPerBlock;
        }

        @Override
        public String name() {
            return name;
        }
    }

    private static final class CudaMark implements TimingMark {
        final CUevent event;

        CudaMark(CUevent event) {
            this.event = event;
        }
    }
}

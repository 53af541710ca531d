package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.lwjgl.Lwjgl;

import static dev.deltaprop.device.driver.cuda.CudaResult.check;

import dev.deltaprop.device.driver.cuda.CudaResult;
import dev.deltaprop.device.driver.cuda.CudaVersions;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.ProgramSource;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lwjgl.PointerBuffer;
import org.lwjgl.cuda.CU;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The {@link Driver} on LWJGL 3's CUDA driver API binding ({@link CU}; {@code libcuda.so.1}
 * only): the device's primary context, one non-blocking stream, device memory from
 * {@code cuMemAlloc}, copies through pinned memory ({@link PinnedSlots}), modules from the shipped fatbin
 * or NVRTC ({@link LwjglCudaModules}), launches with {@code cuLaunchKernel}, marks as events.
 *
 * <p>LWJGL's conventions: out-parameters and the launch's parameter array come from the thread's
 * {@link MemoryStack}; pinned host memory, device memory, modules, events and the stream live
 * until {@link #close()}, which frees every one of them even when one release fails, then reports
 * the failures. Every result is checked: {@code cuLaunchKernel(forward_gemm): CUDA_ERROR_INVALID_VALUE}.
 * The device is chosen by {@code DELTAPROP_CUDA_DEVICE} (an ordinal or a name substring), else
 * device 0. Not thread-safe; the context is made current on whichever thread calls.
 */
public final class LwjglCudaDriver implements Driver {

    /** The context each thread last made current, so that a launch costs no extra native call. */
    private static final ThreadLocal<Long> CURRENT = new ThreadLocal<>();

    private final LwjglCuda.DeviceInfo info;
    private final int driverVersion;
    private long context;
    private long stream;
    /** Pinned staging for copies; {@code null} until the stream exists. */
    private PinnedSlots pinned;
    private final Set<CudaMemory> memories = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<CudaProgram> programs = new ArrayList<>();
    private final List<CudaMark> marks = new ArrayList<>();
    private boolean closed;
    private String lastBuild;

    /**
     * Opens {@code info}'s device.
     *
     * @throws DriverException when a call fails, saying which; nothing is left behind
     */
    LwjglCudaDriver(LwjglCuda.DeviceInfo info) {
        this.info = info;
        this.driverVersion = LwjglCuda.driverVersion();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer out = stack.mallocPointer(1);
            check("cuDevicePrimaryCtxRetain", CU.cuDevicePrimaryCtxRetain(out, info.handle()));
            context = out.get(0);
            try {
                makeCurrent();
                check("cuStreamCreate", CU.cuStreamCreate(out, CU.CU_STREAM_NON_BLOCKING));
                stream = out.get(0);
                pinned = new PinnedSlots();
            } catch (RuntimeException e) {
                // undo what was made; the first failure is the one reported
                closed = false;
                try {
                    close();
                } catch (DriverException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    private void makeCurrent() {
        Long current = CURRENT.get();
        if (current == null || current != context) {
            check("cuCtxSetCurrent", CU.cuCtxSetCurrent(context));
            CURRENT.set(context);
        }
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("cuda-lwjgl: the driver is closed");
        }
        makeCurrent();
    }

    @Override
    public String binding() {
        return "LWJGL " + Lwjgl.version() + " (CUDA driver API)";
    }

    @Override
    public String deviceName() {
        return info.name();
    }

    @Override
    public String deviceVersion() {
        String module = CudaVersions.kernelModule();
        return "CUDA driver " + CudaVersions.format(driverVersion) + (module == null ? "" : " (NVIDIA " + module + ")")
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

    // ---- memory --------------------------------------------------------------------------

    @Override
    public Memory allocate(long elements) {
        if (elements < 1) {
            throw new IllegalArgumentException("elements: expected at least 1, found " + elements);
        }
        open();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer out = stack.mallocPointer(1);
            check("cuMemAlloc(" + elements * Float.BYTES + " bytes)", CU.cuMemAlloc(out, elements * Float.BYTES));
            CudaMemory memory = new CudaMemory(out.get(0), elements);
            memories.add(memory);
            return memory;
        }
    }

    @Override
    public void free(Memory memory) {
        CudaMemory owned = owned(memory, "memory");
        open();
        memories.remove(owned);
        // the stream may still use it: cuMemFree waits for nothing, so finish first
        check("cuStreamSynchronize", CU.cuStreamSynchronize(stream));
        check("cuMemFree", CU.cuMemFree(owned.pointer));
    }

    private CudaMemory owned(Memory memory, String name) {
        Objects.requireNonNull(memory, name);
        if (closed) {
            throw new IllegalStateException("cuda-lwjgl: the driver is closed");
        }
        if (!(memory instanceof CudaMemory) || !memories.contains(memory)) {
            throw new IllegalArgumentException(name + ": expected live memory allocated by this driver, found " + memory);
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
        upload(memory, targetOffset, count, (slot, from, n) -> slot.asFloatBuffer().put(source, sourceOffset + from, n));
    }

    @Override
    public void write(Memory target, long targetOffset, FloatBuffer source, int count) {
        CudaMemory memory = owned(target, "target");
        checkRange("target", targetOffset, count, memory.elements);
        checkRange("source", 0, count, source.remaining());
        int start = source.position();
        upload(memory, targetOffset, count, (slot, from, n) ->
                slot.asFloatBuffer().put(source.duplicate().limit(start + from + n).position(start + from)));
    }

    @Override
    public void write(Memory target, long targetOffset, int[] source, int sourceOffset, int count) {
        CudaMemory memory = owned(target, "target");
        checkRange("target", targetOffset, count, memory.elements);
        checkRange("source", sourceOffset, count, source.length);
        upload(memory, targetOffset, count, (slot, from, n) -> slot.asIntBuffer().put(source, sourceOffset + from, n));
    }

    private interface Filler {
        /** Puts elements {@code [from, from + n)} of the source at the start of {@code slot}. */
        void fill(ByteBuffer slot, int from, int n);
    }

    /**
     * Copies chunk by chunk through the pinned slots ({@link PinnedSlots}): the caller's array is
     * free on return while the copies may still be queued behind earlier launches.
     */
    private void upload(CudaMemory memory, long targetOffset, int count, Filler filler) {
        open();
        int chunk = PinnedSlots.SLOT_BYTES / Float.BYTES;
        for (int from = 0; from < count; from += chunk) {
            int n = Math.min(chunk, count - from);
            ByteBuffer slot = pinned.acquire();
            filler.fill(slot, from, n);
            check("cuMemcpyHtoDAsync", CU.cuMemcpyHtoDAsync(memory.pointer + (targetOffset + from) * Float.BYTES,
                    slot.limit(n * Float.BYTES), stream));
            pinned.enqueued(stream);
        }
    }

    @Override
    public void read(Memory source, long sourceOffset, float[] target, int targetOffset, int count) {
        CudaMemory memory = owned(source, "source");
        checkRange("source", sourceOffset, count, memory.elements);
        checkRange("target", targetOffset, count, target.length);
        open();
        if (count == 0) {
            return;
        }
        int chunk = PinnedSlots.SLOT_BYTES / Float.BYTES;
        for (int from = 0; from < count; from += chunk) {
            int n = Math.min(chunk, count - from);
            ByteBuffer download = pinned.download().limit(n * Float.BYTES);
            check("cuMemcpyDtoHAsync", CU.cuMemcpyDtoHAsync(download,
                    memory.pointer + (sourceOffset + from) * Float.BYTES, stream));
            check("cuStreamSynchronize", CU.cuStreamSynchronize(stream));
            download.asFloatBuffer().get(target, targetOffset + from, n);
        }
    }

    // ---- programs and launches ------------------------------------------------------------

    @Override
    public Program build(ProgramSource source, Map<String, String> defines) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(defines, "defines");
        open();
        LwjglCudaModules.Loaded loaded = new LwjglCudaModules(info, driverVersion).load(source, defines);
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
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer function = stack.mallocPointer(1);
            check("cuModuleGetFunction(" + name + " in " + owner.name + ")", CU.cuModuleGetFunction(function, owner.module, name));
            IntBuffer maxThreads = stack.mallocInt(1);
            check("cuFuncGetAttribute(" + name + ")", CU.cuFuncGetAttribute(maxThreads,
                    CU.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, function.get(0)));
            return new CudaKernel(name, function.get(0), maxThreads.get(0));
        }
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
        open();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            // kernelParams: one pointer per argument to where its value lies; cuLaunchKernel copies the values
            PointerBuffer parameters = stack.mallocPointer(arguments.length);
            for (int i = 0; i < arguments.length; i++) {
                Object argument = arguments[i];
                long address;
                if (argument instanceof Memory) {
                    address = MemoryUtil.memAddress(stack.longs(owned((Memory) argument, "argument " + i + " of " + cuda.name).pointer));
                } else if (argument instanceof Integer) {
                    address = MemoryUtil.memAddress(stack.ints((Integer) argument));
                } else if (argument instanceof Float) {
                    address = MemoryUtil.memAddress(stack.floats((Float) argument));
                } else {
                    throw new IllegalArgumentException("argument " + i + " of " + cuda.name
                            + ": expected Memory, Integer or Float, found " + (argument == null ? "null" : argument.getClass().getName()));
                }
                parameters.put(i, address);
            }
            check("cuLaunchKernel(" + cuda.name + ")", CU.cuLaunchKernel(cuda.function, grid[0], grid[1], grid[2],
                    block[0], block[1], block[2], 0, stream, parameters, null));
        }
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
        check("cuStreamSynchronize", CU.cuStreamSynchronize(stream));
    }

    @Override
    public TimingMark mark() {
        open();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer event = stack.mallocPointer(1);
            check("cuEventCreate", CU.cuEventCreate(event, CU.CU_EVENT_DEFAULT));
            CudaMark mark = new CudaMark(event.get(0));
            marks.add(mark);
            check("cuEventRecord", CU.cuEventRecord(mark.event, stream));
            return mark;
        }
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
        check("cuEventSynchronize", CU.cuEventSynchronize(((CudaMark) end).event));
        try (MemoryStack stack = MemoryStack.stackPush()) {
            FloatBuffer milliseconds = stack.mallocFloat(1);
            check("cuEventElapsedTime", CU.cuEventElapsedTime(milliseconds, ((CudaMark) start).event, ((CudaMark) end).event));
            return Math.round(milliseconds.get(0) * 1e6);
        }
    }

    @Override
    public void close() {
        if (closed || context == 0) {
            closed = true;
            return;
        }
        closed = true;
        // free everything even when one release fails (e.g. after a sticky launch error);
        // report the failures once all is released
        List<String> failures = new ArrayList<>();
        release(failures, "cuCtxSetCurrent", CU.cuCtxSetCurrent(context));
        CURRENT.set(context);
        if (stream != 0) {
            release(failures, "cuStreamSynchronize", CU.cuStreamSynchronize(stream));
        }
        for (CudaMemory memory : memories) {
            release(failures, "cuMemFree", CU.cuMemFree(memory.pointer));
        }
        memories.clear();
        for (CudaProgram program : programs) {
            release(failures, "cuModuleUnload", CU.cuModuleUnload(program.module));
        }
        programs.clear();
        for (CudaMark mark : marks) {
            release(failures, "cuEventDestroy", CU.cuEventDestroy(mark.event));
        }
        marks.clear();
        if (pinned != null) {
            pinned.close(failures);
            pinned = null;
        }
        if (stream != 0) {
            release(failures, "cuStreamDestroy", CU.cuStreamDestroy(stream));
            stream = 0;
        }
        release(failures, "cuDevicePrimaryCtxRelease", CU.cuDevicePrimaryCtxRelease(info.handle()));
        context = 0;
        CURRENT.remove();
        if (!failures.isEmpty()) {
            throw new DriverException("close: " + String.join("; ", failures));
        }
    }

    private static void release(List<String> failures, String call, int result) {
        if (result != CudaResult.SUCCESS) {
            failures.add(call + ": " + CudaResult.name(result));
        }
    }

    /** Where the last {@link #build}'s code came from, e.g. {@code kernels/mlp.cu: kernels/mlp.fatbin}; {@code null} before one. */
    public String lastBuild() {
        return lastBuild;
    }

    @Override
    public String toString() {
        return binding() + " on " + info.describe();
    }

    // ---- handles ------------------------------------------------------------------------

    private static final class CudaMemory implements Memory {
        final long pointer;
        final long elements;

        CudaMemory(long pointer, long elements) {
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
        final long module;
        final String name;

        CudaProgram(long module, String name) {
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
        final long function;
        final int maxThreadsPerBlock;

        CudaKernel(String name, long function, int maxThreadsPerBlock) {
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
        final long event;

        CudaMark(long event) {
            this.event = event;
        }
    }
}

package dev.deltaprop.device.driver.lwjgl.opencl;

import dev.deltaprop.device.driver.lwjgl.Lwjgl;
import dev.deltaprop.device.driver.opencl.ClStatus;

import static org.lwjgl.opencl.CL10.CL_CONTEXT_PLATFORM;
import static org.lwjgl.opencl.CL10.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.lwjgl.opencl.CL10.CL_MEM_READ_WRITE;
import static org.lwjgl.opencl.CL10.CL_PROFILING_COMMAND_END;
import static org.lwjgl.opencl.CL10.CL_PROGRAM_BUILD_LOG;
import static org.lwjgl.opencl.CL10.CL_QUEUE_PROFILING_ENABLE;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL10;
import org.lwjgl.opencl.CL12;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The {@link Driver} on LWJGL 3's OpenCL binding: one device, one context, one in-order queue
 * with profiling enabled (for {@link #mark()}).
 *
 * <p>LWJGL's conventions: structs and out-parameters that live for one call come from the
 * thread's {@link MemoryStack}; memory that outlives a call (the host staging buffer) is
 * {@code memAlloc}'d and freed explicitly; every OpenCL object is tracked and released by
 * {@link #close()}, which leaves nothing behind. Every status is checked and reported by name
 * with the call ({@code clEnqueueNDRangeKernel(scale): CL_INVALID_WORK_GROUP_SIZE (-54)}).
 *
 * <p>Copies: a whole float array goes to OpenCL directly (LWJGL's array overloads pin it for
 * the blocking call); a part of one, or a heap buffer, goes through the staging buffer, because
 * LWJGL passes only whole arrays or direct buffers.
 */
public final class LwjglOpenClDriver implements Driver {
    private final LwjglClDevices.Found found;
    private final long device;
    private long context;
    private long queue;
    private final long globalMemoryBytes;
    private final int maxGroupSize;
    private final Set<ClMemory> memories = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Long> programs = new ArrayList<>();
    private final List<Long> kernels = new ArrayList<>();
    private final Set<ClMark> pendingMarks = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Partial copies go through staging in chunks of at most this many floats (4 MiB), so a large one never doubles its memory. */
    static final int STAGING_FLOATS = 1 << 20;
    /** Host staging for partial copies; {@code memAlloc}'d, grown on demand up to {@link #STAGING_FLOATS}, freed by {@link #close()}. */
    private FloatBuffer staging;

    LwjglOpenClDriver(LwjglClDevices.Found found) {
        this.found = found;
        this.device = found.device();
        this.globalMemoryBytes = LwjglClDevices.deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE);
        this.maxGroupSize = (int) Math.min(Integer.MAX_VALUE, LwjglClDevices.deviceSize(device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            PointerBuffer properties = stack.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(found.platform()).put(0).flip();
            context = CL10.clCreateContext(properties, device, null, MemoryUtil.NULL, status);
            ClStatus.check("clCreateContext", status.get(0));
            // clCreateCommandQueue: the 1.2 call, which every platform still has
            queue = CL10.clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, status);
            if (status.get(0) != ClStatus.SUCCESS) {
                CL10.clReleaseContext(context);
                context = 0;
                ClStatus.check("clCreateCommandQueue", status.get(0));
            }
        }
    }

    @Override
    public String binding() {
        return "LWJGL " + Lwjgl.version() + " (OpenCL)";
    }

    @Override
    public String deviceName() {
        return found.name();
    }

    @Override
    public String deviceVersion() {
        return found.platformName() + ", " + found.version();
    }

    @Override
    public DeviceType deviceType() {
        return found.type();
    }

    @Override
    public Language language() {
        return Language.OPENCL_C;
    }

    @Override
    public long globalMemoryBytes() {
        return globalMemoryBytes;
    }

    @Override
    public int maxGroupSize() {
        return maxGroupSize;
    }

    @Override
    public Memory allocate(long elements) {
        open();
        if (elements < 1) {
            throw new IllegalArgumentException("elements: expected at least 1, found " + elements);
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            long mem = CL10.clCreateBuffer(context, CL_MEM_READ_WRITE, elements * Float.BYTES, status);
            ClStatus.check("clCreateBuffer(" + elements * Float.BYTES + " bytes)", status.get(0));
            ClMemory memory = new ClMemory(mem, elements);
            memories.add(memory);
            return memory;
        }
    }

    @Override
    public void free(Memory memory) {
        ClMemory cl = owned(memory);
        memories.remove(cl);
        ClStatus.check("clReleaseMemObject", CL10.clReleaseMemObject(cl.mem));
    }

    @Override
    public void write(Memory target, long targetOffset, float[] source, int sourceOffset, int count) {
        Objects.checkFromIndexSize(sourceOffset, count, source.length);
        ClMemory cl = owned(target);
        checkRange("target", cl, targetOffset, count);
        if (count == 0) {
            return;
        }
        if (sourceOffset == 0 && count == source.length) {
            // blocking: the caller may reuse its array as soon as this returns
            ClStatus.check("clEnqueueWriteBuffer", CL10.clEnqueueWriteBuffer(queue, cl.mem, true,
                    targetOffset * Float.BYTES, source, null, null));
            return;
        }
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            enqueueWrite(cl, targetOffset + from, staging(n).put(source, sourceOffset + from, n).flip());
        }
    }

    @Override
    public void write(Memory target, long targetOffset, FloatBuffer source, int count) {
        if (source.remaining() < count) {
            throw new IllegalArgumentException("source: expected at least " + count + " floats remaining, found "
                    + source.remaining());
        }
        ClMemory cl = owned(target);
        checkRange("target", cl, targetOffset, count);
        if (count == 0) {
            return;
        }
        if (source.isDirect() && source.order() == java.nio.ByteOrder.nativeOrder()) {
            // LWJGL copies remaining() elements from the position: a slice bounds both without moving it
            enqueueWrite(cl, targetOffset, source.slice().limit(count));
            return;
        }
        int start = source.position();
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            enqueueWrite(cl, targetOffset + from,
                    staging(n).put(source.duplicate().limit(start + from + n).position(start + from)).flip());
        }
    }

    @Override
    public void write(Memory target, long targetOffset, int[] source, int sourceOffset, int count) {
        Objects.checkFromIndexSize(sourceOffset, count, source.length);
        ClMemory cl = owned(target);
        checkRange("target", cl, targetOffset, count);
        if (count == 0) {
            return;
        }
        if (sourceOffset == 0 && count == source.length) {
            ClStatus.check("clEnqueueWriteBuffer", CL10.clEnqueueWriteBuffer(queue, cl.mem, true,
                    targetOffset * Integer.BYTES, source, null, null));
            return;
        }
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            FloatBuffer staged = staging(n);
            // the same 4 bytes per element, seen as ints
            MemoryUtil.memIntBuffer(MemoryUtil.memAddress(staged), n).put(source, sourceOffset + from, n);
            enqueueWrite(cl, targetOffset + from, staged.limit(n));
        }
    }

    private void enqueueWrite(ClMemory cl, long targetOffset, FloatBuffer direct) {
        ClStatus.check("clEnqueueWriteBuffer", CL10.clEnqueueWriteBuffer(queue, cl.mem, true,
                targetOffset * Float.BYTES, direct, null, null));
    }

    @Override
    public void read(Memory source, long sourceOffset, float[] target, int targetOffset, int count) {
        ClMemory cl = owned(source);
        checkRange("source", cl, sourceOffset, count);
        Objects.checkFromIndexSize(targetOffset, count, target.length);
        if (count == 0) {
            return;
        }
        if (targetOffset == 0 && count == target.length) {
            ClStatus.check("clEnqueueReadBuffer", CL10.clEnqueueReadBuffer(queue, cl.mem, true,
                    sourceOffset * Float.BYTES, target, null, null));
            return;
        }
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            FloatBuffer staged = staging(n).limit(n);
            ClStatus.check("clEnqueueReadBuffer", CL10.clEnqueueReadBuffer(queue, cl.mem, true,
                    (sourceOffset + from) * Float.BYTES, staged, null, null));
            staged.get(target, targetOffset + from, n);
        }
    }

    /**
     * The staging buffer, cleared, holding at least {@code count} ≤ {@link #STAGING_FLOATS} floats;
     * it grows to the largest chunk asked for and is freed by {@link #close()}.
     */
    private FloatBuffer staging(int count) {
        if (staging == null || staging.capacity() < count) {
            if (staging != null) {
                MemoryUtil.memFree(staging);
                staging = null;
            }
            staging = MemoryUtil.memAllocFloat(Math.max(count, 4096));
        }
        return staging.clear();
    }

    @Override
    public Program build(ProgramSource source, Map<String, String> defines) {
        open();
        StringBuilder options = new StringBuilder();
        defines.forEach((name, value) -> options.append("-D").append(name).append('=').append(value).append(' '));
        String flags = options.toString().trim();
        long program;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            // the source is far larger than the stack: LWJGL's CharSequence overload copies it to malloc'd memory
            program = CL10.clCreateProgramWithSource(context, source.text(), status);
            ClStatus.check("clCreateProgramWithSource(" + source.name() + ")", status.get(0));
        }
        int built = CL10.clBuildProgram(program, device, flags, null, MemoryUtil.NULL);
        if (built != ClStatus.SUCCESS) {
            String log = buildLog(program);
            CL10.clReleaseProgram(program);
            throw new KernelBuildException("clBuildProgram(" + source.name() + ", " + flags + "): "
                    + ClStatus.name(built) + " on " + found.name(), log);
        }
        programs.add(program);
        return new ClProgram(program, source.name());
    }

    /** The compiler's log; read into malloc'd memory because a log can outgrow the stack. Empty if unreadable. */
    private String buildLog(long program) {
        long size;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer sizeOut = stack.mallocPointer(1);
            if (CL10.clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, sizeOut) != ClStatus.SUCCESS) {
                return "";
            }
            size = sizeOut.get(0);
        }
        if (size <= 1) {
            return "";
        }
        ByteBuffer log = MemoryUtil.memAlloc((int) size);
        try {
            int status = CL10.clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log, null);
            return status == ClStatus.SUCCESS ? LwjglClDevices.text(log) : "(build log unreadable: clGetProgramBuildInfo: "
                    + ClStatus.name(status) + ")";
        } finally {
            MemoryUtil.memFree(log);
        }
    }

    @Override
    public Kernel kernel(Program program, String name) {
        open();
        if (!(program instanceof ClProgram) || !programs.contains(((ClProgram) program).program)) {
            throw new IllegalArgumentException("program: expected one built by this driver, found " + program);
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            long kernel = CL10.clCreateKernel(((ClProgram) program).program, name, status);
            ClStatus.check("clCreateKernel(" + name + ")", status.get(0));
            kernels.add(kernel);
            return new ClKernel(kernel, name);
        }
    }

    @Override
    public void launch(Kernel kernel, int[] groups, int[] groupSize, Object... arguments) {
        open();
        if (!(kernel instanceof ClKernel)) {
            throw new IllegalArgumentException("kernel: expected one made by this driver, found " + kernel);
        }
        if (groups.length != groupSize.length || groups.length < 1 || groups.length > 3) {
            throw new IllegalArgumentException("groups, groupSize: expected 1 to 3 dimensions each, the same number; found "
                    + groups.length + " and " + groupSize.length);
        }
        long cl = ((ClKernel) kernel).kernel;
        String name = kernel.name();
        for (int a = 0; a < arguments.length; a++) {
            Object argument = arguments[a];
            int status;
            // the 1p/1i/1f forms pass the value through LWJGL's stack: no Java array per argument
            if (argument instanceof Memory) {
                status = CL10.clSetKernelArg1p(cl, a, owned((Memory) argument).mem);
            } else if (argument instanceof Integer) {
                status = CL10.clSetKernelArg1i(cl, a, (Integer) argument);
            } else if (argument instanceof Float) {
                status = CL10.clSetKernelArg1f(cl, a, (Float) argument);
            } else {
                throw new IllegalArgumentException(name + " argument " + a + ": expected Memory, Integer or Float, found "
                        + (argument == null ? "null" : argument.getClass().getSimpleName()));
            }
            if (status != ClStatus.SUCCESS) {
                throw new DriverException("clSetKernelArg(" + name + ", " + a + "): " + ClStatus.name(status));
            }
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer global = stack.mallocPointer(groups.length);
            PointerBuffer local = stack.mallocPointer(groups.length);
            for (int d = 0; d < groups.length; d++) {
                global.put(d, (long) groups[d] * groupSize[d]);
                local.put(d, groupSize[d]);
            }
            int status = CL10.clEnqueueNDRangeKernel(queue, cl, groups.length, null, global, local, null, null);
            if (status != ClStatus.SUCCESS) {
                throw new DriverException("clEnqueueNDRangeKernel(" + name + "): " + ClStatus.name(status));
            }
        }
    }

    @Override
    public void finish() {
        open();
        ClStatus.check("clFinish", CL10.clFinish(queue));
    }

    @Override
    public TimingMark mark() {
        open();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer event = stack.mallocPointer(1);
            ClStatus.check("clEnqueueMarkerWithWaitList", CL12.clEnqueueMarkerWithWaitList(queue, null, event));
            ClMark mark = new ClMark(event.get(0));
            pendingMarks.add(mark);
            return mark;
        }
    }

    @Override
    public long elapsedNanos(TimingMark start, TimingMark end) {
        return time(end) - time(start);
    }

    /** The mark's device time (the end of the marker command); the event is released once read. */
    private long time(TimingMark mark) {
        open();
        if (!(mark instanceof ClMark)) {
            throw new IllegalArgumentException("mark: expected one made by this driver, found " + mark);
        }
        ClMark cl = (ClMark) mark;
        if (cl.event != 0) {
            ClStatus.check("clWaitForEvents", CL10.clWaitForEvents(cl.event));
            try (MemoryStack stack = MemoryStack.stackPush()) {
                LongBuffer value = stack.mallocLong(1);
                ClStatus.check("clGetEventProfilingInfo", CL10.clGetEventProfilingInfo(cl.event, CL_PROFILING_COMMAND_END,
                        value, null));
                cl.nanos = value.get(0);
            }
            pendingMarks.remove(cl);
            long event = cl.event;
            cl.event = 0;
            ClStatus.check("clReleaseEvent", CL10.clReleaseEvent(event));
        }
        return cl.nanos;
    }

    /**
     * Releases everything, even when one release fails, then reports the first failures
     * together; the driver is closed either way.
     */
    @Override
    public void close() {
        if (context == 0) {
            return;
        }
        List<String> failures = new ArrayList<>();
        // finish first: releasing a buffer a queued kernel still uses is undefined
        release(failures, "clFinish", CL10.clFinish(queue));
        for (ClMark mark : pendingMarks) {
            release(failures, "clReleaseEvent", CL10.clReleaseEvent(mark.event));
            mark.event = 0;
        }
        pendingMarks.clear();
        for (ClMemory memory : memories) {
            release(failures, "clReleaseMemObject", CL10.clReleaseMemObject(memory.mem));
        }
        memories.clear();
        for (long kernel : kernels) {
            release(failures, "clReleaseKernel", CL10.clReleaseKernel(kernel));
        }
        kernels.clear();
        for (long program : programs) {
            release(failures, "clReleaseProgram", CL10.clReleaseProgram(program));
        }
        programs.clear();
        release(failures, "clReleaseCommandQueue", CL10.clReleaseCommandQueue(queue));
        release(failures, "clReleaseContext", CL10.clReleaseContext(context));
        queue = 0;
        context = 0;
        if (staging != null) {
            MemoryUtil.memFree(staging);
            staging = null;
        }
        if (!failures.isEmpty()) {
            throw new DriverException("close: " + String.join("; ", failures));
        }
    }

    private static void release(List<String> failures, String call, int status) {
        if (status != ClStatus.SUCCESS) {
            failures.add(call + ": " + ClStatus.name(status));
        }
    }

    private void open() {
        if (context == 0) {
            throw new IllegalStateException("opencl-lwjgl: the driver is closed");
        }
    }

    private ClMemory owned(Memory memory) {
        open();
        if (!(memory instanceof ClMemory) || !memories.contains(memory)) {
            throw new IllegalArgumentException("memory: expected a live buffer of this driver, found " + memory);
        }
        return (ClMemory) memory;
    }

    private static void checkRange(String field, ClMemory memory, long offset, int count) {
        if (offset < 0 || count < 0 || offset + count > memory.elements) {
            throw new IllegalArgumentException(field + ": expected offset + count ≤ " + memory.elements
                    + " elements, found offset " + offset + ", count " + count);
        }
    }

    @Override
    public String toString() {
        return binding() + " on " + found.describe();
    }

    private static final class ClMemory implements Memory {
        final long mem;
        final long elements;

        ClMemory(long mem, long elements) {
            this.mem = mem;
            this.elements = elements;
        }

        @Override
        public long elements() {
            return elements;
        }

        @Override
        public String toString() {
            return "cl_mem of " + elements + " elements";
        }
    }

    private static final class ClProgram implements Program {
        final long program;
        final String name;

        ClProgram(long program, String name) {
            this.program = program;
            this.name = name;
        }

        @Override
        public String toString() {
            return "cl_program " + name;
        }
    }

    private static final class ClKernel implements Kernel {
        final long kernel;
        final String name;

        ClKernel(long kernel, String name) {
            this.kernel = kernel;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }
    }

    private static final class ClMark implements TimingMark {
        long event;
        long nanos;

        ClMark(long event) {
            this.event = event;
        }
    }
}

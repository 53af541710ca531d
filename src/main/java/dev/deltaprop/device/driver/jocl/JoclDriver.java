package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * The {@link Driver} on JOCL 2.0.6: one OpenCL device, one context, one in-order queue with
 * profiling enabled (so that {@link #mark()} can be timed). Every call's status is checked and
 * reported by name ({@code clEnqueueNDRangeKernel: CL_INVALID_WORK_GROUP_SIZE (-54)}).
 * Every object it creates is tracked and released by {@link #close()}.
 */
public final class JoclDriver implements Driver {
    private final JoclDevices.Found found;
    private final cl_device_id device;
    private cl_context context;
    private cl_command_queue queue;
    private final long globalMemoryBytes;
    private final int maxGroupSize;
    private final int computeUnits;
    private final Set<ClMemory> memories = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<cl_program> programs = new ArrayList<>();
    private final List<cl_kernel> kernels = new ArrayList<>();
    private final Set<ClMark> pendingMarks = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    @SuppressWarnings("deprecation") // clCreateCommandQueue: the 1.2 call, which every platform still has
    JoclDriver(JoclDevices.Found found) {
        this.found = found;
        this.device = found.device;
        this.globalMemoryBytes = JoclDevices.deviceLong(device, CL.CL_DEVICE_GLOBAL_MEM_SIZE);
        this.maxGroupSize = (int) Math.min(Integer.MAX_VALUE, JoclDevices.deviceSize(device, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE));
        this.computeUnits = Math.max(1, JoclDevices.deviceInt(device, CL.CL_DEVICE_MAX_COMPUTE_UNITS));
        int[] status = new int[1];
        org.jocl.cl_context_properties properties = new org.jocl.cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, found.platform);
        context = CL.clCreateContext(properties, 1, new cl_device_id[] {device}, null, null, status);
        ClCheck.check("clCreateContext", status[0]);
        queue = CL.clCreateCommandQueue(context, device, CL.CL_QUEUE_PROFILING_ENABLE, status);
        if (status[0] != CL.CL_SUCCESS) {
            CL.clReleaseContext(context);
            context = null;
            ClCheck.check("clCreateCommandQueue", status[0]);
        }
    }

    @Override
    public String binding() {
        return "JOCL 2.0.6";
    }

    @Override
    public String deviceName() {
        return found.name;
    }

    @Override
    public String deviceVersion() {
        return found.platformName + ", " + found.version;
    }

    @Override
    public DeviceType deviceType() {
        return found.type;
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
    public int computeUnits() {
        return computeUnits;
    }

    @Override
    public Memory allocate(long elements) {
        open();
        if (elements < 1) {
            throw new IllegalArgumentException("elements: expected at least 1, found " + elements);
        }
        int[] status = new int[1];
        cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, elements * Sizeof.cl_float, null, status);
        ClCheck.check("clCreateBuffer(" + elements * Sizeof.cl_float + " bytes)", status[0]);
        ClMemory memory = new ClMemory(mem, elements);
        memories.add(memory);
        return memory;
    }

    @Override
    public void free(Memory memory) {
        ClMemory cl = owned(memory);
        memories.remove(cl);
        ClCheck.check("clReleaseMemObject", CL.clReleaseMemObject(cl.mem));
    }

    @Override
    public void write(Memory target, long targetOffset, float[] source, int sourceOffset, int count) {
        Objects.checkFromIndexSize(sourceOffset, count, source.length);
        enqueueWrite(target, targetOffset, count, Pointer.to(source).withByteOffset((long) sourceOffset * Sizeof.cl_float));
    }

    @Override
    public void write(Memory target, long targetOffset, FloatBuffer source, int count) {
        if (source.remaining() < count) {
            throw new IllegalArgumentException("source: expected at least " + count + " floats remaining, found "
                    + source.remaining());
        }
        Pointer pointer;
        if (source.isDirect()) {
            // a slice's address starts at the position
            pointer = Pointer.to(source.slice());
        } else if (source.hasArray()) {
            pointer = Pointer.to(source.array())
                    .withByteOffset((long) (source.arrayOffset() + source.position()) * Sizeof.cl_float);
        } else {
            float[] copy = new float[count];
            source.duplicate().get(copy);
            pointer = Pointer.to(copy);
        }
        enqueueWrite(target, targetOffset, count, pointer);
    }

    @Override
    public void write(Memory target, long targetOffset, int[] source, int sourceOffset, int count) {
        Objects.checkFromIndexSize(sourceOffset, count, source.length);
        enqueueWrite(target, targetOffset, count, Pointer.to(source).withByteOffset((long) sourceOffset * Sizeof.cl_int));
    }

    private void enqueueWrite(Memory target, long targetOffset, int count, Pointer pointer) {
        ClMemory cl = owned(target);
        checkRange("target", cl, targetOffset, count);
        if (count == 0) {
            return;
        }
        // blocking: the caller may reuse its array as soon as this returns
        ClCheck.check("clEnqueueWriteBuffer", CL.clEnqueueWriteBuffer(queue, cl.mem, CL.CL_TRUE,
                targetOffset * Sizeof.cl_float, (long) count * Sizeof.cl_float, pointer, 0, null, null));
    }

    @Override
    public void read(Memory source, long sourceOffset, float[] target, int targetOffset, int count) {
        ClMemory cl = owned(source);
        checkRange("source", cl, sourceOffset, count);
        Objects.checkFromIndexSize(targetOffset, count, target.length);
        if (count == 0) {
            return;
        }
        ClCheck.check("clEnqueueReadBuffer", CL.clEnqueueReadBuffer(queue, cl.mem, CL.CL_TRUE,
                sourceOffset * Sizeof.cl_float, (long) count * Sizeof.cl_float,
                Pointer.to(target).withByteOffset((long) targetOffset * Sizeof.cl_float), 0, null, null));
    }

    @Override
    public Program build(ProgramSource source, Map<String, String> defines) {
        open();
        int[] status = new int[1];
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source.text()}, null, status);
        ClCheck.check("clCreateProgramWithSource(" + source.name() + ")", status[0]);
        StringBuilder options = new StringBuilder();
        defines.forEach((name, value) -> options.append("-D").append(name).append('=').append(value).append(' '));
        int built = CL.clBuildProgram(program, 1, new cl_device_id[] {device}, options.toString().trim(), null, null);
        if (built != CL.CL_SUCCESS) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            throw new KernelBuildException("clBuildProgram(" + source.name() + ", " + options.toString().trim() + "): "
                    + ClCheck.name(built) + " on " + found.name, log);
        }
        programs.add(program);
        return new ClProgram(program);
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size) != CL.CL_SUCCESS) {
            return "";
        }
        byte[] log = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "");
    }

    @Override
    public Kernel kernel(Program program, String name) {
        open();
        if (!(program instanceof ClProgram)) {
            throw new IllegalArgumentException("program: expected one built by this driver, found " + program);
        }
        int[] status = new int[1];
        cl_kernel kernel = CL.clCreateKernel(((ClProgram) program).program, name, status);
        ClCheck.check("clCreateKernel(" + name + ")", status[0]);
        kernels.add(kernel);
        return new ClKernel(kernel, name);
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
        cl_kernel cl = ((ClKernel) kernel).kernel;
        String name = kernel.name();
        for (int a = 0; a < arguments.length; a++) {
            Object argument = arguments[a];
            int status;
            if (argument instanceof Memory) {
                status = CL.clSetKernelArg(cl, a, Sizeof.cl_mem, Pointer.to(owned((Memory) argument).mem));
            } else if (argument instanceof Integer) {
                status = CL.clSetKernelArg(cl, a, Sizeof.cl_int, Pointer.to(new int[] {(Integer) argument}));
            } else if (argument instanceof Float) {
                status = CL.clSetKernelArg(cl, a, Sizeof.cl_float, Pointer.to(new float[] {(Float) argument}));
            } else {
                throw new IllegalArgumentException(name + " argument " + a + ": expected Memory, Integer or Float, found "
                        + (argument == null ? "null" : argument.getClass().getSimpleName()));
            }
            ClCheck.check("clSetKernelArg(" + name + ", " + a + ")", status);
        }
        long[] global = new long[groups.length];
        long[] local = new long[groups.length];
        for (int d = 0; d < groups.length; d++) {
            global[d] = (long) groups[d] * groupSize[d];
            local[d] = groupSize[d];
        }
        ClCheck.check("clEnqueueNDRangeKernel(" + name + ")",
                CL.clEnqueueNDRangeKernel(queue, cl, groups.length, null, global, local, 0, null, null));
    }

    @Override
    public void finish() {
        open();
        ClCheck.check("clFinish", CL.clFinish(queue));
    }

    @Override
    public TimingMark mark() {
        open();
        cl_event event = new cl_event();
        ClCheck.check("clEnqueueMarkerWithWaitList", CL.clEnqueueMarkerWithWaitList(queue, 0, null, event));
        ClMark mark = new ClMark(event);
        pendingMarks.add(mark);
        return mark;
    }

    @Override
    public long elapsedNanos(TimingMark start, TimingMark end) {
        return time(end) - time(start);
    }

    /** The mark's device time (the end of the marker command); the event is released once read. */
    private long time(TimingMark mark) {
        if (!(mark instanceof ClMark)) {
            throw new IllegalArgumentException("mark: expected one made by this driver, found " + mark);
        }
        ClMark cl = (ClMark) mark;
        if (cl.event != null) {
            ClCheck.check("clWaitForEvents", CL.clWaitForEvents(1, new cl_event[] {cl.event}));
            long[] value = new long[1];
            ClCheck.check("clGetEventProfilingInfo", CL.clGetEventProfilingInfo(cl.event, CL.CL_PROFILING_COMMAND_END,
                    Sizeof.cl_ulong, Pointer.to(value), null));
            cl.nanos = value[0];
            CL.clReleaseEvent(cl.event);
            cl.event = null;
            pendingMarks.remove(cl);
        }
        return cl.nanos;
    }

    @Override
    public void close() {
        if (context == null) {
            return;
        }
        // finish first: releasing a buffer a queued kernel still uses is undefined
        CL.clFinish(queue);
        for (ClMark mark : pendingMarks) {
            CL.clReleaseEvent(mark.event);
            mark.event = null;
        }
        pendingMarks.clear();
        for (ClMemory memory : memories) {
            CL.clReleaseMemObject(memory.mem);
        }
        memories.clear();
        for (cl_kernel kernel : kernels) {
            CL.clReleaseKernel(kernel);
        }
        kernels.clear();
        for (cl_program program : programs) {
            CL.clReleaseProgram(program);
        }
        programs.clear();
        CL.clReleaseCommandQueue(queue);
        CL.clReleaseContext(context);
        queue = null;
        context = null;
    }

    private void open() {
        if (context == null) {
            throw new IllegalStateException("opencl: the driver is closed");
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

    private static final class ClMemory implements Memory {
        final cl_mem mem;
        final long elements;

        ClMemory(cl_mem mem, long elements) {
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
        final cl_program program;

        ClProgram(cl_program program) {
            this.program = program;
        }
    }

    private static final class ClKernel implements Kernel {
        final cl_kernel kernel;
        final String name;

        ClKernel(cl_kernel kernel, String name) {
            this.kernel = kernel;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }
    }

    private static final class ClMark implements TimingMark {
        cl_event event;
        long nanos;

        ClMark(cl_event event) {
            this.event = event;
        }
    }
}

package dev.deltaprop.device.driver.lwjgl.opencl;

import static org.lwjgl.opencl.CL10.CL_CONTEXT_PLATFORM;
import static org.lwjgl.opencl.CL10.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.lwjgl.opencl.CL10.CL_MEM_READ_WRITE;
import static org.lwjgl.opencl.CL10.CL_PROFILING_COMMAND_END;
import static org.lwjgl.opencl.CL10.CL_PROGRAM_BUILD_LOG;
import static org.lwjgl.opencl.CL10.CL_QUEUE_PROFILING_ENABLE;

import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.Releases;
import dev.deltaprop.device.driver.lwjgl.Lwjgl;
import dev.deltaprop.device.driver.opencl.ClStatus;
import dev.deltaprop.device.driver.opencl.OpenClDriver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL10;
import org.lwjgl.opencl.CL12;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The OpenCL driver on LWJGL 3's OpenCL binding: the native calls of {@link OpenClDriver}.
 *
 * <p>LWJGL's conventions: structs and out-parameters that live for one call come from the
 * thread's {@link MemoryStack}; memory that outlives a call (the host staging buffer) is
 * {@code memAlloc}'d and freed by {@link #close()}.
 *
 * <p>Copies: a whole array goes to OpenCL directly (LWJGL's array overloads pin it for the
 * blocking call); a part of one, or a heap buffer, goes through the staging buffer, because
 * LWJGL passes only whole arrays or direct buffers.
 */
public final class LwjglOpenClDriver extends OpenClDriver<Long, Long, Long, Long> {
    /** Partial copies go through staging in chunks of at most this many floats (4 MiB), so a large one never doubles its memory. */
    static final int STAGING_FLOATS = 1 << 20;

    private final long device;
    private final long context;
    private final long queue;
    /** The upload lane's queue (no profiling: nothing on it is timed). */
    private final long uploadQueue;
    /** Host staging for partial copies; grown on demand up to {@link #STAGING_FLOATS}. */
    private FloatBuffer staging;
    /** A launch's global and local work sizes, 3 slots each, made at the first launch and kept: no buffer per launch. */
    private PointerBuffer globalSizes;
    private PointerBuffer localSizes;
    /** The upload staging's two markers ({@link #enqueueStagingMarker}), and the one-event list their calls pass. */
    private final long[] stagingMarkers = new long[4];
    private PointerBuffer stagingEvent;
    /** A kernel argument's value on its way to clSetKernelArg ({@link #argumentValue}); 0 until the first. */
    private long argumentValue;

    LwjglOpenClDriver(LwjglClDevices.Found found) {
        super("LWJGL " + Lwjgl.version() + " (OpenCL)", found, LwjglClDevices.deviceLong(found.device(), CL_DEVICE_GLOBAL_MEM_SIZE),
                LwjglClDevices.deviceSize(found.device(), CL_DEVICE_MAX_WORK_GROUP_SIZE),
                LwjglClDevices.deviceInt(found.device(), CL_DEVICE_MAX_COMPUTE_UNITS),
                new Releasers<>(CL10::clReleaseMemObject, CL10::clReleaseKernel, CL10::clReleaseProgram, CL10::clReleaseEvent));
        this.device = found.device();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            PointerBuffer properties = stack.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(found.platform()).put(0).flip();
            context = CL10.clCreateContext(properties, device, null, MemoryUtil.NULL, status);
            ClStatus.check("clCreateContext", status.get(0));
            // clCreateCommandQueue: the 1.2 call, which every platform still has
            queue = CL10.clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, status);
            if (status.get(0) != ClStatus.SUCCESS) {
                CL10.clReleaseContext(context);
                ClStatus.check("clCreateCommandQueue", status.get(0));
            }
            uploadQueue = CL10.clCreateCommandQueue(context, device, 0, status);
            if (status.get(0) != ClStatus.SUCCESS) {
                CL10.clReleaseCommandQueue(queue);
                CL10.clReleaseContext(context);
                ClStatus.check("clCreateCommandQueue(upload lane)", status.get(0));
            }
        }
    }

    @Override
    protected Long allocateNative(long bytes) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            long mem = CL10.clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, status);
            ClStatus.check("clCreateBuffer(" + bytes + " bytes)", status.get(0));
            return mem;
        }
    }

    @Override
    protected void writeNative(Long target, long targetOffset, float[] source, int sourceOffset, int count) {
        if (stagedWrite(target, targetOffset, source, sourceOffset, count)) {
            return;
        }
        if (sourceOffset == 0 && count == source.length) {
            ClStatus.check("clEnqueueWriteBuffer", CL10.clEnqueueWriteBuffer(queue, target, true,
                    targetOffset * Float.BYTES, source, null, null));
            return;
        }
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            enqueueWrite(target, targetOffset + from, staging(n).put(source, sourceOffset + from, n).flip());
        }
    }

    @Override
    protected void writeNative(Long target, long targetOffset, FloatBuffer source, int count) {
        if (stagedWrite(target, targetOffset, source, count)) {
            return;
        }
        if (source.isDirect() && source.order() == ByteOrder.nativeOrder()) {
            // LWJGL copies remaining() elements from the position: a slice bounds both without moving it
            enqueueWrite(target, targetOffset, source.slice().limit(count));
            return;
        }
        int start = source.position();
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            enqueueWrite(target, targetOffset + from,
                    staging(n).put(source.duplicate().limit(start + from + n).position(start + from)).flip());
        }
    }

    @Override
    protected void writeNative(Long target, long targetOffset, int[] source, int sourceOffset, int count) {
        if (stagedWrite(target, targetOffset, source, sourceOffset, count)) {
            return;
        }
        if (sourceOffset == 0 && count == source.length) {
            ClStatus.check("clEnqueueWriteBuffer", CL10.clEnqueueWriteBuffer(queue, target, true,
                    targetOffset * Integer.BYTES, source, null, null));
            return;
        }
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            FloatBuffer staged = staging(n);
            // the same 4 bytes per element, seen as ints
            MemoryUtil.memIntBuffer(MemoryUtil.memAddress(staged), n).put(source, sourceOffset + from, n);
            enqueueWrite(target, targetOffset + from, staged.limit(n));
        }
    }

    @Override
    protected int enqueueWriteAsync(boolean lane, Long target, long targetBytes, java.nio.ByteBuffer host, long hostOffset,
                                    long bytes) {
        return CL10.nclEnqueueWriteBuffer(lane ? uploadQueue : queue, target, CL10.CL_FALSE, targetBytes, bytes,
                MemoryUtil.memAddress(host) + hostOffset, 0, MemoryUtil.NULL, MemoryUtil.NULL);
    }

    /** Blocking, for a write too large to stage: the caller may reuse its array, and staging may be refilled, as soon as this returns. */
    private void enqueueWrite(long target, long targetOffset, FloatBuffer direct) {
        ClStatus.check("clEnqueueWriteBuffer", CL10.clEnqueueWriteBuffer(queue, target, true,
                targetOffset * Float.BYTES, direct, null, null));
    }

    @Override
    protected void readNative(Long source, long sourceOffset, float[] target, int targetOffset, int count) {
        if (targetOffset == 0 && count == target.length) {
            ClStatus.check("clEnqueueReadBuffer", CL10.clEnqueueReadBuffer(queue, source, true,
                    sourceOffset * Float.BYTES, target, null, null));
            return;
        }
        for (int from = 0; from < count; from += STAGING_FLOATS) {
            int n = Math.min(STAGING_FLOATS, count - from);
            FloatBuffer staged = staging(n).limit(n);
            ClStatus.check("clEnqueueReadBuffer", CL10.clEnqueueReadBuffer(queue, source, true,
                    (sourceOffset + from) * Float.BYTES, staged, null, null));
            staged.get(target, targetOffset + from, n);
        }
    }

    /** The staging buffer, cleared, holding at least {@code count} ≤ {@link #STAGING_FLOATS} floats. */
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
    protected Long createProgram(ProgramSource source) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            // the source is far larger than the stack: LWJGL's CharSequence overload copies it to malloc'd memory
            long program = CL10.clCreateProgramWithSource(context, source.text(), status);
            ClStatus.check("clCreateProgramWithSource(" + source.name() + ")", status.get(0));
            return program;
        }
    }

    @Override
    protected int compile(Long program, String options) {
        return CL10.clBuildProgram(program, device, options, null, MemoryUtil.NULL);
    }

    /** Read into malloc'd memory because a log can outgrow the stack. */
    @Override
    protected String buildLog(Long program) {
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
            return status == ClStatus.SUCCESS ? LwjglClDevices.text(log)
                    : "(build log unreadable: clGetProgramBuildInfo: " + ClStatus.name(status) + ")";
        } finally {
            MemoryUtil.memFree(log);
        }
    }

    @Override
    protected Long createKernel(Long program, String programName, String name) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            long kernel = CL10.clCreateKernel(program, name, status);
            ClStatus.check("clCreateKernel(" + name + ")", status.get(0));
            return kernel;
        }
    }

    // the 1p/1i/1f forms pass the value through LWJGL's stack: no Java array per argument
    /*
     * An argument's value goes through 8 bytes of memAlloc'd memory kept for the driver's life:
     * LWJGL's clSetKernelArg1i/1f/1p wrap their value in a stack buffer object per call, which
     * only the JIT's escape analysis keeps off the heap.
     */

    @Override
    protected int setArgument(Long kernel, int index, Long buffer) {
        MemoryUtil.memPutAddress(argumentValue(), buffer);
        return CL10.nclSetKernelArg(kernel, index, Long.BYTES, argumentValue());
    }

    @Override
    protected int setArgument(Long kernel, int index, int value) {
        MemoryUtil.memPutInt(argumentValue(), value);
        return CL10.nclSetKernelArg(kernel, index, Integer.BYTES, argumentValue());
    }

    @Override
    protected int setArgument(Long kernel, int index, float value) {
        MemoryUtil.memPutFloat(argumentValue(), value);
        return CL10.nclSetKernelArg(kernel, index, Float.BYTES, argumentValue());
    }

    /** The address of the argument value's 8 bytes, allocated at the first argument set. */
    private long argumentValue() {
        if (argumentValue == MemoryUtil.NULL) {
            argumentValue = MemoryUtil.nmemAlloc(Long.BYTES);
            if (argumentValue == MemoryUtil.NULL) {
                throw new OutOfMemoryError("memAlloc(8) for a kernel argument's value");
            }
        }
        return argumentValue;
    }

    @Override
    protected int enqueue(Long kernel, int[] groups, int[] groupSize) {
        if (globalSizes == null) {
            globalSizes = MemoryUtil.memAllocPointer(3);
            localSizes = MemoryUtil.memAllocPointer(3);
        }
        for (int d = 0; d < groups.length; d++) {
            globalSizes.put(d, (long) groups[d] * groupSize[d]);
            localSizes.put(d, groupSize[d]);
        }
        // the unchecked form: the Java wrapper's limit checks would need a view of the buffer per launch
        return CL10.nclEnqueueNDRangeKernel(queue, kernel, groups.length, MemoryUtil.NULL, globalSizes.address(),
                localSizes.address(), 0, MemoryUtil.NULL, MemoryUtil.NULL);
    }

    @Override
    protected void finishNative() {
        ClStatus.check("clFinish", CL10.clFinish(queue));
    }

    @Override
    protected Long enqueueMarker() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer event = stack.mallocPointer(1);
            ClStatus.check("clEnqueueMarkerWithWaitList", CL12.clEnqueueMarkerWithWaitList(queue, null, event));
            return event.get(0);
        }
    }

    @Override
    protected void enqueueStagingMarker(int slot) {
        if (stagingEvent == null) {
            stagingEvent = MemoryUtil.memAllocPointer(1); // kept: the event list of every staging marker call
        }
        ClStatus.check("clEnqueueMarkerWithWaitList", CL12.clEnqueueMarkerWithWaitList(slot >= 2 ? uploadQueue : queue, null,
                stagingEvent));
        stagingMarkers[slot] = stagingEvent.get(0);
    }

    /** A fence's event: one {@code cl_event} in a {@code long}, 0 while it holds none. */
    @Override
    protected Object newEventSlot() {
        return new long[1];
    }

    @Override
    protected void markInto(Object slot, boolean lane) {
        long[] event = (long[]) slot;
        releaseEventSlot(event);
        if (stagingEvent == null) {
            stagingEvent = MemoryUtil.memAllocPointer(1);
        }
        ClStatus.check("clEnqueueMarkerWithWaitList", CL12.clEnqueueMarkerWithWaitList(lane ? uploadQueue : queue, null,
                stagingEvent));
        event[0] = stagingEvent.get(0);
    }

    @Override
    protected void barrier(Object slot, boolean lane) {
        if (stagingEvent == null) {
            stagingEvent = MemoryUtil.memAllocPointer(1);
        }
        stagingEvent.put(0, ((long[]) slot)[0]);
        ClStatus.check("clEnqueueBarrierWithWaitList", CL12.nclEnqueueBarrierWithWaitList(lane ? uploadQueue : queue, 1,
                stagingEvent.address(), MemoryUtil.NULL));
    }

    @Override
    protected void releaseEventSlot(Object slot) {
        long[] event = (long[]) slot;
        if (event[0] != 0) {
            long held = event[0];
            event[0] = 0;
            ClStatus.check("clReleaseEvent", CL10.clReleaseEvent(held));
        }
    }

    @Override
    protected void finishLane() {
        ClStatus.check("clFinish(upload lane)", CL10.clFinish(uploadQueue));
    }

    @Override
    protected void awaitStagingMarker(int slot) {
        stagingEvent.put(0, stagingMarkers[slot]);
        ClStatus.check("clWaitForEvents", CL10.clWaitForEvents(stagingEvent));
        ClStatus.check("clReleaseEvent", CL10.clReleaseEvent(stagingMarkers[slot]));
        stagingMarkers[slot] = 0;
    }

    @Override
    protected long endNanos(Long event) {
        ClStatus.check("clWaitForEvents", CL10.clWaitForEvents(event));
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer value = stack.mallocLong(1);
            ClStatus.check("clGetEventProfilingInfo", CL10.clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, value, null));
            return value.get(0);
        }
    }

    @Override
    protected void releaseDevice(Releases releases) {
        releases.attempt(() -> ClStatus.check("clReleaseCommandQueue", CL10.clReleaseCommandQueue(queue)));
        releases.attempt(() -> ClStatus.check("clReleaseCommandQueue(upload lane)", CL10.clReleaseCommandQueue(uploadQueue)));
        releases.attempt(() -> ClStatus.check("clReleaseContext", CL10.clReleaseContext(context)));
        if (staging != null) {
            MemoryUtil.memFree(staging);
            staging = null;
        }
        if (stagingEvent != null) {
            MemoryUtil.memFree(stagingEvent);
            stagingEvent = null;
        }
        if (argumentValue != MemoryUtil.NULL) {
            MemoryUtil.nmemFree(argumentValue);
            argumentValue = MemoryUtil.NULL;
        }
        if (globalSizes != null) {
            MemoryUtil.memFree(globalSizes);
            MemoryUtil.memFree(localSizes);
            globalSizes = null;
            localSizes = null;
        }
    }
}

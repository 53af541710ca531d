package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.Releases;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.opencl.ClStatus;
import dev.deltaprop.device.driver.opencl.OpenClDriver;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * The OpenCL driver on JOCL 2.0.6: the native calls of {@link OpenClDriver}. Copies are
 * blocking, so the caller may reuse its array as soon as one returns; JOCL passes a Java array
 * at an offset directly, so nothing is staged. A launch's values and work sizes pass through
 * slots the driver keeps: no array or {@code Pointer} per argument per launch.
 */
public final class JoclDriver extends OpenClDriver<cl_mem, cl_program, cl_kernel, cl_event> {
    private final cl_device_id device;
    private final cl_context context;
    private final cl_command_queue queue;
    /** The upload lane's queue (no profiling: nothing on it is timed). */
    private final cl_command_queue uploadQueue;
    private final cl_mem[] memSlot = new cl_mem[1];
    private final Pointer memArgument = Pointer.to(memSlot);
    private final int[] intSlot = new int[1];
    private final Pointer intArgument = Pointer.to(intSlot);
    private final float[] floatSlot = new float[1];
    private final Pointer floatArgument = Pointer.to(floatSlot);
    private final long[][] globalSizes = {new long[1], new long[2], new long[3]};
    private final long[][] localSizes = {new long[1], new long[2], new long[3]};
    /** The upload staging's two markers ({@link #enqueueStagingMarker}): each event object reused, one-element wait lists. */
    private final cl_event[][] stagingMarkers = {{new cl_event()}, {new cl_event()}, {new cl_event()}, {new cl_event()}};
    /** Pointers to the last two arrays read into, by identity and offset: the loss and the loss record's reads reuse theirs. */
    private final float[][] readTargets = new float[2][];
    private final long[] readOffsets = new long[2];
    private final Pointer[] readPointers = new Pointer[2];
    private int nextReadPointer;
    /** The largest array whose read pointer is kept: the loss record's read (3 + 1024 floats) fits. */
    private static final int KEPT_READ_FLOATS = 4096;

    @SuppressWarnings("deprecation") // clCreateCommandQueue: the 1.2 call, which every platform still has
    JoclDriver(JoclDevices.Found found) {
        super("JOCL 2.0.6", found, JoclDevices.deviceLong(found.device(), CL.CL_DEVICE_GLOBAL_MEM_SIZE),
                JoclDevices.deviceSize(found.device(), CL.CL_DEVICE_MAX_WORK_GROUP_SIZE),
                JoclDevices.deviceInt(found.device(), CL.CL_DEVICE_MAX_COMPUTE_UNITS),
                new Releasers<>(CL::clReleaseMemObject, CL::clReleaseKernel, CL::clReleaseProgram, CL::clReleaseEvent));
        this.device = found.device();
        int[] status = new int[1];
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, found.platform());
        context = CL.clCreateContext(properties, 1, new cl_device_id[] {device}, null, null, status);
        ClStatus.check("clCreateContext", status[0]);
        queue = CL.clCreateCommandQueue(context, device, CL.CL_QUEUE_PROFILING_ENABLE, status);
        if (status[0] != CL.CL_SUCCESS) {
            CL.clReleaseContext(context);
            ClStatus.check("clCreateCommandQueue", status[0]);
        }
        uploadQueue = CL.clCreateCommandQueue(context, device, 0, status);
        if (status[0] != CL.CL_SUCCESS) {
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
            ClStatus.check("clCreateCommandQueue(upload lane)", status[0]);
        }
    }

    @Override
    protected cl_mem allocateNative(long bytes) {
        int[] status = new int[1];
        cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, status);
        ClStatus.check("clCreateBuffer(" + bytes + " bytes)", status[0]);
        return mem;
    }

    @Override
    protected void writeNative(cl_mem target, long targetOffset, float[] source, int sourceOffset, int count) {
        if (stagedWrite(target, targetOffset, source, sourceOffset, count)) {
            return;
        }
        enqueueWrite(target, targetOffset, count, Pointer.to(source).withByteOffset((long) sourceOffset * Sizeof.cl_float));
    }

    @Override
    protected void writeNative(cl_mem target, long targetOffset, FloatBuffer source, int count) {
        if (stagedWrite(target, targetOffset, source, count)) {
            return;
        }
        Pointer pointer;
        if (source.isDirect()) {
            pointer = Pointer.to(source.slice()); // a slice's address starts at the position
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
    protected void writeNative(cl_mem target, long targetOffset, int[] source, int sourceOffset, int count) {
        if (stagedWrite(target, targetOffset, source, sourceOffset, count)) {
            return;
        }
        enqueueWrite(target, targetOffset, count, Pointer.to(source).withByteOffset((long) sourceOffset * Sizeof.cl_int));
    }

    @Override
    protected int enqueueWriteAsync(boolean lane, cl_mem target, long targetBytes, java.nio.ByteBuffer host, long hostOffset,
                                    long bytes) {
        // the staging half's position stays 0: the offset is the pointer's. JOCL keeps the pointer
        // alive until the copy is done (a task on its release executor per non-blocking write): that
        // task, the event and this pointer are what a staged write allocates on JOCL (LWJGL: nothing)
        return CL.clEnqueueWriteBuffer(lane ? uploadQueue : queue, target, CL.CL_FALSE, targetBytes, bytes,
                Pointer.to(host).withByteOffset(hostOffset), 0, null, null);
    }

    /** Blocking, for a write too large to stage. */
    private void enqueueWrite(cl_mem target, long targetOffset, int count, Pointer pointer) {
        ClStatus.check("clEnqueueWriteBuffer", CL.clEnqueueWriteBuffer(queue, target, CL.CL_TRUE,
                targetOffset * Sizeof.cl_float, (long) count * Sizeof.cl_float, pointer, 0, null, null));
    }

    @Override
    protected void readNative(cl_mem source, long sourceOffset, float[] target, int targetOffset, int count) {
        ClStatus.check("clEnqueueReadBuffer", CL.clEnqueueReadBuffer(queue, source, CL.CL_TRUE,
                sourceOffset * Sizeof.cl_float, (long) count * Sizeof.cl_float,
                readPointer(target, (long) targetOffset * Sizeof.cl_float), 0, null, null));
    }

    /**
     * A pointer to {@code target} at {@code byteOffset}, reused when one of the last two reads of
     * a small array (at most {@value #KEPT_READ_FLOATS} floats) had the same; a larger one is
     * not kept (its pointer is nothing beside it, and it is not held past its read).
     */
    private Pointer readPointer(float[] target, long byteOffset) {
        if (target.length > KEPT_READ_FLOATS) {
            return Pointer.to(target).withByteOffset(byteOffset);
        }
        for (int k = 0; k < 2; k++) {
            if (readTargets[k] == target && readOffsets[k] == byteOffset) {
                return readPointers[k];
            }
        }
        int k = nextReadPointer;
        nextReadPointer ^= 1;
        readTargets[k] = target;
        readOffsets[k] = byteOffset;
        readPointers[k] = Pointer.to(target).withByteOffset(byteOffset);
        return readPointers[k];
    }

    @Override
    protected cl_program createProgram(ProgramSource source) {
        int[] status = new int[1];
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {source.text()}, null, status);
        ClStatus.check("clCreateProgramWithSource(" + source.name() + ")", status[0]);
        return program;
    }

    @Override
    protected int compile(cl_program program, String options) {
        return CL.clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
    }

    @Override
    protected String buildLog(cl_program program) {
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size) != CL.CL_SUCCESS) {
            return "";
        }
        byte[] log = new byte[(int) size[0]];
        int status = CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return status == CL.CL_SUCCESS ? new String(log, StandardCharsets.UTF_8).replace("\0", "")
                : "(build log unreadable: clGetProgramBuildInfo: " + ClStatus.name(status) + ")";
    }

    @Override
    protected cl_kernel createKernel(cl_program program, String programName, String name) {
        int[] status = new int[1];
        cl_kernel kernel = CL.clCreateKernel(program, name, status);
        ClStatus.check("clCreateKernel(" + name + ")", status[0]);
        return kernel;
    }

    // clSetKernelArg copies the value at the call: one slot of each kind serves every argument
    @Override
    protected int setArgument(cl_kernel kernel, int index, cl_mem buffer) {
        memSlot[0] = buffer;
        return CL.clSetKernelArg(kernel, index, Sizeof.cl_mem, memArgument);
    }

    @Override
    protected int setArgument(cl_kernel kernel, int index, int value) {
        intSlot[0] = value;
        return CL.clSetKernelArg(kernel, index, Sizeof.cl_int, intArgument);
    }

    @Override
    protected int setArgument(cl_kernel kernel, int index, float value) {
        floatSlot[0] = value;
        return CL.clSetKernelArg(kernel, index, Sizeof.cl_float, floatArgument);
    }

    /** The work sizes in arrays kept per dimension count: the enqueue reads them at the call. */
    @Override
    protected int enqueue(cl_kernel kernel, int[] groups, int[] groupSize) {
        long[] global = globalSizes[groups.length - 1];
        long[] local = localSizes[groups.length - 1];
        for (int d = 0; d < groups.length; d++) {
            global[d] = (long) groups[d] * groupSize[d];
            local[d] = groupSize[d];
        }
        return CL.clEnqueueNDRangeKernel(queue, kernel, groups.length, null, global, local, 0, null, null);
    }

    @Override
    protected void finishNative() {
        ClStatus.check("clFinish", CL.clFinish(queue));
    }

    @Override
    protected cl_event enqueueMarker() {
        cl_event event = new cl_event();
        ClStatus.check("clEnqueueMarkerWithWaitList", CL.clEnqueueMarkerWithWaitList(queue, 0, null, event));
        return event;
    }

    @Override
    protected void enqueueStagingMarker(int slot) {
        // the call writes the new event into the object: one object per slot for the driver's life
        ClStatus.check("clEnqueueMarkerWithWaitList", CL.clEnqueueMarkerWithWaitList(slot >= 2 ? uploadQueue : queue, 0, null,
                stagingMarkers[slot][0]));
    }

    /** A fence's event: one {@code cl_event} object, which each marker call fills anew, and whether it holds one. */
    private static final class EventSlot {
        final cl_event[] event = {new cl_event()};
        boolean holds;
    }

    @Override
    protected Object newEventSlot() {
        return new EventSlot();
    }

    @Override
    protected void markInto(Object slot, boolean lane) {
        EventSlot ours = (EventSlot) slot;
        releaseEventSlot(ours);
        ClStatus.check("clEnqueueMarkerWithWaitList", CL.clEnqueueMarkerWithWaitList(lane ? uploadQueue : queue, 0, null,
                ours.event[0]));
        ours.holds = true;
    }

    @Override
    protected void barrier(Object slot, boolean lane) {
        ClStatus.check("clEnqueueBarrierWithWaitList", CL.clEnqueueBarrierWithWaitList(lane ? uploadQueue : queue, 1,
                ((EventSlot) slot).event, null));
    }

    @Override
    protected void releaseEventSlot(Object slot) {
        EventSlot ours = (EventSlot) slot;
        if (ours.holds) {
            ours.holds = false;
            ClStatus.check("clReleaseEvent", CL.clReleaseEvent(ours.event[0]));
        }
    }

    @Override
    protected void finishLane() {
        ClStatus.check("clFinish(upload lane)", CL.clFinish(uploadQueue));
    }

    @Override
    protected void awaitStagingMarker(int slot) {
        ClStatus.check("clWaitForEvents", CL.clWaitForEvents(1, stagingMarkers[slot]));
        ClStatus.check("clReleaseEvent", CL.clReleaseEvent(stagingMarkers[slot][0]));
    }

    @Override
    protected long endNanos(cl_event event) {
        ClStatus.check("clWaitForEvents", CL.clWaitForEvents(1, new cl_event[] {event}));
        long[] value = new long[1];
        ClStatus.check("clGetEventProfilingInfo", CL.clGetEventProfilingInfo(event, CL.CL_PROFILING_COMMAND_END,
                Sizeof.cl_ulong, Pointer.to(value), null));
        return value[0];
    }

    @Override
    protected void releaseDevice(Releases releases) {
        releases.attempt(() -> ClStatus.check("clReleaseCommandQueue", CL.clReleaseCommandQueue(queue)));
        releases.attempt(() -> ClStatus.check("clReleaseCommandQueue(upload lane)", CL.clReleaseCommandQueue(uploadQueue)));
        releases.attempt(() -> ClStatus.check("clReleaseContext", CL.clReleaseContext(context)));
    }
}

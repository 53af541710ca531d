package dev.deltaprop.device.driver.lwjgl.opencl;


import java.nio.IntBuffer;
import java.util.Arrays;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL10;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * Where a launch's host time goes, per binding (hand-run, not a test): the same empty kernel
 * {@code k(global float*, int, float)} on the first OpenCL device, called directly through JOCL
 * and through LWJGL exactly as their drivers call it: (a) three {@code clSetKernelArg}, (b) one
 * {@code clEnqueueNDRangeKernel} of one work-item, and (c) a baseline: an argument-less call ({@code clFlush})
 * that measures the JNI crossing and the ICD loader alone, and (d) a launch as the engine makes
 * one: the arguments, then one work-group of 256 items, with PoCL's worker threads running them.
 * Median of rounds, nanoseconds per call.
 *
 * <pre>java -cp target/classes:target/test-classes:$(cat cp.txt) dev.deltaprop.device.driver.lwjgl.BindingCallCost [calls] [rounds]</pre>
 */
public final class BindingCallCost {
    private static final String SOURCE = "__kernel void k(__global float* a, int b, float c) { }";

    private BindingCallCost() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Jocl jocl = new Jocl();
        Lwjgl lwjgl = new Lwjgl();
        double[][] joclNanos = new double[4][rounds];
        double[][] lwjglNanos = new double[4][rounds];
        jocl.time(calls / 4);
        lwjgl.time(calls / 4);
        for (int r = 0; r < rounds; r++) {
            double[] j = jocl.time(calls);
            double[] l = lwjgl.time(calls);
            for (int m = 0; m < 4; m++) {
                joclNanos[m][r] = j[m];
                lwjglNanos[m][r] = l[m];
            }
        }
        String[] what = {"3 x clSetKernelArg", "clEnqueueNDRangeKernel (1 item)", "clFlush (no arguments)",
                "3 args + enqueue (256 items)"};
        System.out.printf("%-34s %12s %12s%n", "ns per call, median of " + rounds, "JOCL 2.0.6", "LWJGL 3.3.6");
        for (int m = 0; m < 4; m++) {
            System.out.printf("%-34s %12.0f %12.0f%n", what[m], median(joclNanos[m]), median(lwjglNanos[m]));
        }
        jocl.close();
        lwjgl.close();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The calls as {@code JoclDriver} makes them. */
    private static final class Jocl {
        final cl_context context;
        final cl_program program;
        final cl_command_queue queue;
        final cl_kernel kernel;
        final cl_mem mem;

        @SuppressWarnings("deprecation")
        Jocl() {
            CL.setExceptionsEnabled(true);
            cl_platform_id[] platforms = new cl_platform_id[1];
            CL.clGetPlatformIDs(1, platforms, null);
            cl_device_id[] devices = new cl_device_id[1];
            CL.clGetDeviceIDs(platforms[0], CL.CL_DEVICE_TYPE_ALL, 1, devices, null);
            cl_context_properties properties = new cl_context_properties();
            properties.addProperty(CL.CL_CONTEXT_PLATFORM, platforms[0]);
            context = CL.clCreateContext(properties, 1, devices, null, null, null);
            queue = CL.clCreateCommandQueue(context, devices[0], CL.CL_QUEUE_PROFILING_ENABLE, null);
            program = CL.clCreateProgramWithSource(context, 1, new String[] {SOURCE}, null, null);
            CL.clBuildProgram(program, 0, null, null, null, null);
            kernel = CL.clCreateKernel(program, "k", null);
            mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 64, null, null);
            CL.setExceptionsEnabled(false);
        }

        void close() {
            CL.clReleaseMemObject(mem);
            CL.clReleaseKernel(kernel);
            CL.clReleaseProgram(program);
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        }

        double[] time(int calls) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                CL.clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(mem));
                CL.clSetKernelArg(kernel, 1, Sizeof.cl_int, Pointer.to(new int[] {i}));
                CL.clSetKernelArg(kernel, 2, Sizeof.cl_float, Pointer.to(new float[] {1.5f}));
            }
            long t1 = System.nanoTime();
            int launches = calls / 20;
            for (int i = 0; i < launches; i++) {
                CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {1}, new long[] {1}, 0, null, null);
            }
            long t2 = System.nanoTime();
            CL.clFinish(queue);
            long t3 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                CL.clFlush(queue);
            }
            long t4 = System.nanoTime();
            for (int i = 0; i < launches; i++) {
                CL.clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(mem));
                CL.clSetKernelArg(kernel, 1, Sizeof.cl_int, Pointer.to(new int[] {i}));
                CL.clSetKernelArg(kernel, 2, Sizeof.cl_float, Pointer.to(new float[] {1.5f}));
                CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {256}, new long[] {256}, 0, null, null);
            }
            long t5 = System.nanoTime();
            CL.clFinish(queue);
            return new double[] {(t1 - t0) / (double) calls, (t2 - t1) / (double) launches, (t4 - t3) / (double) calls,
                    (t5 - t4) / (double) launches};
        }
    }

    /** The calls as {@code LwjglOpenClDriver} makes them. */
    private static final class Lwjgl {
        final long context;
        final long program;
        final long queue;
        final long kernel;
        final long mem;

        Lwjgl() {
            LwjglClDevices.Found found = LwjglOpenClDriverFactory.devices().devices().get(0);
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer status = stack.mallocInt(1);
                PointerBuffer properties = stack.mallocPointer(3).put(CL10.CL_CONTEXT_PLATFORM).put(found.platform()).put(0).flip();
                context = CL10.clCreateContext(properties, found.device(), null, MemoryUtil.NULL, status);
                queue = CL10.clCreateCommandQueue(context, found.device(), CL10.CL_QUEUE_PROFILING_ENABLE, status);
                program = CL10.clCreateProgramWithSource(context, SOURCE, status);
                CL10.clBuildProgram(program, found.device(), "", null, MemoryUtil.NULL);
                kernel = CL10.clCreateKernel(program, "k", status);
                mem = CL10.clCreateBuffer(context, CL10.CL_MEM_READ_WRITE, 64, status);
            }
        }

        void close() {
            CL10.clReleaseMemObject(mem);
            CL10.clReleaseKernel(kernel);
            CL10.clReleaseProgram(program);
            CL10.clReleaseCommandQueue(queue);
            CL10.clReleaseContext(context);
        }

        double[] time(int calls) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                CL10.clSetKernelArg1p(kernel, 0, mem);
                CL10.clSetKernelArg1i(kernel, 1, i);
                CL10.clSetKernelArg1f(kernel, 2, 1.5f);
            }
            long t1 = System.nanoTime();
            int launches = calls / 20;
            for (int i = 0; i < launches; i++) {
                try (MemoryStack stack = MemoryStack.stackPush()) {
                    PointerBuffer global = stack.mallocPointer(1).put(0, 1);
                    PointerBuffer local = stack.mallocPointer(1).put(0, 1);
                    CL10.clEnqueueNDRangeKernel(queue, kernel, 1, null, global, local, null, null);
                }
            }
            long t2 = System.nanoTime();
            CL10.clFinish(queue);
            long t3 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                CL10.clFlush(queue);
            }
            long t4 = System.nanoTime();
            for (int i = 0; i < launches; i++) {
                CL10.clSetKernelArg1p(kernel, 0, mem);
                CL10.clSetKernelArg1i(kernel, 1, i);
                CL10.clSetKernelArg1f(kernel, 2, 1.5f);
                try (MemoryStack stack = MemoryStack.stackPush()) {
                    PointerBuffer global = stack.mallocPointer(1).put(0, 256);
                    PointerBuffer local = stack.mallocPointer(1).put(0, 256);
                    CL10.clEnqueueNDRangeKernel(queue, kernel, 1, null, global, local, null, null);
                }
            }
            long t5 = System.nanoTime();
            CL10.clFinish(queue);
            return new double[] {(t1 - t0) / (double) calls, (t2 - t1) / (double) launches, (t4 - t3) / (double) calls,
                    (t5 - t4) / (double) launches};
        }
    }
}

package dev.deltaprop.device.driver.lwjgl.opencl;

import dev.deltaprop.device.driver.lwjgl.NativeProbe;
import dev.deltaprop.device.driver.opencl.ClStatus;

import static org.lwjgl.opencl.CL10.CL_DEVICE_AVAILABLE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_COMPILER_AVAILABLE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_NAME;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE_ALL;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE_CPU;
import static org.lwjgl.opencl.CL10.CL_DEVICE_TYPE_GPU;
import static org.lwjgl.opencl.CL10.CL_DEVICE_VERSION;
import static org.lwjgl.opencl.CL10.CL_DRIVER_VERSION;
import static org.lwjgl.opencl.CL10.CL_PLATFORM_NAME;
import static org.lwjgl.opencl.CL10.clGetDeviceIDs;
import static org.lwjgl.opencl.CL10.clGetDeviceInfo;
import static org.lwjgl.opencl.CL10.clGetPlatformIDs;
import static org.lwjgl.opencl.CL10.clGetPlatformInfo;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.opencl.OpenClDeviceChoice;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The OpenCL platforms and devices through LWJGL, found once per JVM, and the loading of the ICD
 * loader itself. Which one a driver opens is {@link OpenClDeviceChoice}'s policy, shared with JOCL.
 */
final class LwjglClDevices {

    /** One device as discovery saw it; the handles are the platform's and device's {@code cl_*_id}. */
    record Found(int index, long platform, long device, String platformName, String name, String version,
                 Driver.DeviceType type, String unusableReason) implements OpenClDeviceChoice.Candidate {
    }

    private LwjglClDevices() {
    }

    /**
     * Makes LWJGL's OpenCL binding usable: if the application has not created it already, creates
     * it from LWJGL's default library name, and where that fails (LWJGL asks for {@code libOpenCL.so},
     * a developer link that a machine with only a driver lacks) from {@code libOpenCL.so.1}.
     * A user's {@code -Dorg.lwjgl.opencl.libname} is respected as it is.
     *
     * @throws UnsatisfiedLinkError when no ICD loader can be loaded (callers turn it into a reason)
     */
    static void loadLibrary() {
        if (Configuration.OPENCL_EXPLICIT_INIT.get() == null) {
            // so that touching CL does not try (and, failing, poison) the default name before we choose
            Configuration.OPENCL_EXPLICIT_INIT.set(true);
        }
        if (created()) {
            return; // the application (or an earlier probe) created it
        }
        if (Configuration.OPENCL_LIBRARY_NAME.get() != null) {
            CL.create();
            return;
        }
        String defaultFailure = NativeProbe.openFailure("libOpenCL.so");
        if (defaultFailure == null) {
            CL.create();
            return;
        }
        String versionedFailure = NativeProbe.openFailure("libOpenCL.so.1");
        if (versionedFailure != null) {
            throw new UnsatisfiedLinkError(versionedFailure);
        }
        CL.create("libOpenCL.so.1");
    }

    /** Whether LWJGL's OpenCL binding has been created (its getter throws while it has not). */
    private static boolean created() {
        try {
            return CL.getFunctionProvider() != null;
        } catch (IllegalStateException notLoaded) {
            return false;
        }
    }

    /** Enumerates every platform and its devices; {@link #loadLibrary()} first. */
    static OpenClDriverFactory.Discovery<Found> discover() {
        loadLibrary();
        List<Found> devices = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int status = clGetPlatformIDs(null, count);
            // the ICD loader answers "no platform" with CL_PLATFORM_NOT_FOUND_KHR (-1001)
            if (status != ClStatus.SUCCESS || count.get(0) == 0) {
                return OpenClDriverFactory.Discovery.found(List.of(), List.of(OpenClDeviceChoice.noPlatform(
                        status == ClStatus.SUCCESS ? "0 platforms" : ClStatus.name(status))));
            }
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            ClStatus.check("clGetPlatformIDs", clGetPlatformIDs(platforms, (IntBuffer) null));
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String platformName = platformString(platform, CL_PLATFORM_NAME);
                status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, count);
                if (status != ClStatus.SUCCESS || count.get(0) == 0) {
                    problems.add(platformName + ": no devices (clGetDeviceIDs: " + ClStatus.name(status) + ")");
                    continue;
                }
                PointerBuffer ids = stack.mallocPointer(count.get(0));
                ClStatus.check("clGetDeviceIDs", clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null));
                for (int d = 0; d < ids.capacity(); d++) {
                    long id = ids.get(d);
                    devices.add(new Found(devices.size(), platform, id, platformName, deviceString(id, CL_DEVICE_NAME),
                            deviceString(id, CL_DEVICE_VERSION) + ", driver " + deviceString(id, CL_DRIVER_VERSION),
                            type(id), unusableReason(id)));
                }
            }
        }
        return OpenClDriverFactory.Discovery.found(devices, problems);
    }

    private static String unusableReason(long id) {
        if (deviceInt(id, CL_DEVICE_AVAILABLE) == 0) {
            return "the device reports itself unavailable";
        }
        if (deviceInt(id, CL_DEVICE_COMPILER_AVAILABLE) == 0) {
            return "no OpenCL C compiler (the kernels are built from source)";
        }
        return null;
    }

    private static Driver.DeviceType type(long id) {
        long type = deviceLong(id, CL_DEVICE_TYPE);
        if ((type & CL_DEVICE_TYPE_GPU) != 0) {
            return Driver.DeviceType.GPU;
        }
        if ((type & CL_DEVICE_TYPE_CPU) != 0) {
            return Driver.DeviceType.CPU;
        }
        return Driver.DeviceType.OTHER;
    }

    /** A {@code cl_uint} or {@code cl_bool} property. */
    static int deviceInt(long id, int parameter) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer value = stack.mallocInt(1);
            ClStatus.check("clGetDeviceInfo(" + parameter + ")", clGetDeviceInfo(id, parameter, value, null));
            return value.get(0);
        }
    }

    /** A {@code cl_ulong} or {@code cl_bitfield} property. */
    static long deviceLong(long id, int parameter) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer value = stack.mallocLong(1);
            ClStatus.check("clGetDeviceInfo(" + parameter + ")", clGetDeviceInfo(id, parameter, value, null));
            return value.get(0);
        }
    }

    /** A {@code size_t} property. */
    static long deviceSize(long id, int parameter) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer value = stack.mallocPointer(1);
            ClStatus.check("clGetDeviceInfo(" + parameter + ")", clGetDeviceInfo(id, parameter, value, null));
            return value.get(0);
        }
    }

    static String deviceString(long id, int parameter) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClStatus.check("clGetDeviceInfo(" + parameter + ")", clGetDeviceInfo(id, parameter, (ByteBuffer) null, size));
            ByteBuffer bytes = stack.malloc((int) size.get(0));
            ClStatus.check("clGetDeviceInfo(" + parameter + ")", clGetDeviceInfo(id, parameter, bytes, null));
            return text(bytes);
        }
    }

    static String platformString(long id, int parameter) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClStatus.check("clGetPlatformInfo(" + parameter + ")", clGetPlatformInfo(id, parameter, (ByteBuffer) null, size));
            ByteBuffer bytes = stack.malloc((int) size.get(0));
            ClStatus.check("clGetPlatformInfo(" + parameter + ")", clGetPlatformInfo(id, parameter, bytes, null));
            return text(bytes);
        }
    }

    /** A NUL-terminated UTF-8 string, trimmed. */
    static String text(ByteBuffer bytes) {
        int end = bytes.remaining();
        while (end > 0 && bytes.get(bytes.position() + end - 1) == 0) {
            end--;
        }
        return MemoryUtil.memUTF8(bytes, end).trim();
    }
}

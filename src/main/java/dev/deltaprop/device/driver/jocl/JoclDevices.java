package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.opencl.ClStatus;
import dev.deltaprop.device.driver.opencl.OpenClDeviceChoice;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL platforms and devices through JOCL, found once per JVM by {@link JoclDriverFactory};
 * which one a driver opens is {@link OpenClDeviceChoice}'s policy, shared with LWJGL.
 */
final class JoclDevices {
    /** One device as discovery saw it; the handles are JOCL's {@code cl_platform_id} and {@code cl_device_id}. */
    record Found(int index, cl_platform_id platform, cl_device_id device, String platformName, String name,
                 String version, Driver.DeviceType type, String unusableReason) implements OpenClDeviceChoice.Candidate {
    }

    private JoclDevices() {
    }

    /**
     * Enumerates every platform and its devices. Loads the JOCL native library and, through it,
     * the OpenCL ICD loader; callers catch the {@link LinkageError} that a missing one raises.
     */
    static OpenClDriverFactory.Discovery<Found> discover() {
        CL.setExceptionsEnabled(false);
        int[] count = new int[1];
        int status = CL.clGetPlatformIDs(0, null, count);
        // the ICD loader answers "no platform" with CL_PLATFORM_NOT_FOUND_KHR (-1001)
        if (count[0] == 0) {
            return OpenClDriverFactory.Discovery.found(List.of(), List.of(OpenClDeviceChoice.noPlatform(
                    status == CL.CL_SUCCESS ? "0 platforms" : ClStatus.name(status))));
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        ClStatus.check("clGetPlatformIDs", CL.clGetPlatformIDs(platforms.length, platforms, null));
        List<Found> devices = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            String platformName = platformString(platform, CL.CL_PLATFORM_NAME);
            int[] deviceCount = new int[1];
            status = CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, deviceCount);
            if (status != CL.CL_SUCCESS || deviceCount[0] == 0) {
                problems.add("platform " + platformName + ": no devices (clGetDeviceIDs: "
                        + (status == CL.CL_SUCCESS ? "0 devices" : ClStatus.name(status)) + ")");
                continue;
            }
            cl_device_id[] ids = new cl_device_id[deviceCount[0]];
            ClStatus.check("clGetDeviceIDs", CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, ids.length, ids, null));
            for (cl_device_id id : ids) {
                devices.add(new Found(devices.size(), platform, id, platformName, deviceString(id, CL.CL_DEVICE_NAME),
                        deviceString(id, CL.CL_DEVICE_VERSION) + ", driver " + deviceString(id, CL.CL_DRIVER_VERSION),
                        type(id), unusableReason(id)));
            }
        }
        return OpenClDriverFactory.Discovery.found(devices, problems);
    }

    private static String unusableReason(cl_device_id id) {
        if (deviceInt(id, CL.CL_DEVICE_AVAILABLE) == 0) {
            return "the device reports itself unavailable";
        }
        if (deviceInt(id, CL.CL_DEVICE_COMPILER_AVAILABLE) == 0) {
            return "no OpenCL C compiler (the kernels are built from source)";
        }
        return null;
    }

    private static Driver.DeviceType type(cl_device_id id) {
        long[] type = new long[1];
        ClStatus.check("clGetDeviceInfo(CL_DEVICE_TYPE)",
                CL.clGetDeviceInfo(id, CL.CL_DEVICE_TYPE, Sizeof.cl_long, Pointer.to(type), null));
        if ((type[0] & CL.CL_DEVICE_TYPE_GPU) != 0) {
            return Driver.DeviceType.GPU;
        }
        if ((type[0] & CL.CL_DEVICE_TYPE_CPU) != 0) {
            return Driver.DeviceType.CPU;
        }
        return Driver.DeviceType.OTHER;
    }

    static int deviceInt(cl_device_id id, int parameter) {
        int[] value = new int[1];
        ClStatus.check("clGetDeviceInfo(" + parameter + ")",
                CL.clGetDeviceInfo(id, parameter, Sizeof.cl_int, Pointer.to(value), null));
        return value[0];
    }

    static long deviceLong(cl_device_id id, int parameter) {
        long[] value = new long[1];
        ClStatus.check("clGetDeviceInfo(" + parameter + ")",
                CL.clGetDeviceInfo(id, parameter, Sizeof.cl_long, Pointer.to(value), null));
        return value[0];
    }

    static long deviceSize(cl_device_id id, int parameter) {
        long[] value = new long[1];
        ClStatus.check("clGetDeviceInfo(" + parameter + ")",
                CL.clGetDeviceInfo(id, parameter, Sizeof.size_t, Pointer.to(value), null));
        return value[0];
    }

    static String deviceString(cl_device_id id, int parameter) {
        long[] size = new long[1];
        ClStatus.check("clGetDeviceInfo", CL.clGetDeviceInfo(id, parameter, 0, null, size));
        byte[] bytes = new byte[(int) size[0]];
        ClStatus.check("clGetDeviceInfo", CL.clGetDeviceInfo(id, parameter, bytes.length, Pointer.to(bytes), null));
        return text(bytes);
    }

    static String platformString(cl_platform_id id, int parameter) {
        long[] size = new long[1];
        ClStatus.check("clGetPlatformInfo", CL.clGetPlatformInfo(id, parameter, 0, null, size));
        byte[] bytes = new byte[(int) size[0]];
        ClStatus.check("clGetPlatformInfo", CL.clGetPlatformInfo(id, parameter, bytes.length, Pointer.to(bytes), null));
        return text(bytes);
    }

    private static String text(byte[] bytes) {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).trim();
    }
}

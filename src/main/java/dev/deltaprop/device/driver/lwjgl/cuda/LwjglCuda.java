package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.lwjgl.Lwjgl;
import dev.deltaprop.device.driver.lwjgl.NativeProbe;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.cuda.CudaDevice;
import dev.deltaprop.device.driver.cuda.CudaDriverFactory;
import dev.deltaprop.device.driver.cuda.CudaResult;
import dev.deltaprop.device.driver.cuda.CudaStartup;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.cuda.CU;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * LWJGL's CUDA driver API binding ({@link CU}), loaded and initialised once per JVM.
 *
 * <p>{@code CU}'s static initialiser loads the driver library; when that fails the class is
 * unusable for the life of the JVM, so the first outcome is kept. LWJGL asks for
 * {@code libcuda.so}, the developer link that only a toolkit has (and which may be the toolkit's
 * stub); the driver installs {@code libcuda.so.1}, so that name is set unless the user set
 * {@code -Dorg.lwjgl.cuda.libname} (as {@code run.sh} does with a full path).
 */
final class LwjglCuda implements CudaDriverFactory.Binding {
    private static String state;
    private static boolean tried;

    LwjglCuda() {
    }

    /** Loads {@code libcuda} and calls {@code cuInit(0)} the first time; why CUDA cannot be used, or {@code null}. Never throws. */
    @Override
    public String startFailure() {
        synchronized (LwjglCuda.class) {
            if (!tried) {
                state = initialise();
                tried = true;
            }
            return state;
        }
    }

    @Override
    public Driver open(CudaDevice device) {
        return new LwjglCudaDriver(device, driverVersion());
    }

    private static String initialise() {
        int result;
        try {
            if (Configuration.CUDA_LIBRARY_NAME.get() == null) {
                Configuration.CUDA_LIBRARY_NAME.set("libcuda.so.1");
            }
            if (NativeProbe.openFailure(Configuration.CUDA_LIBRARY_NAME.get()) != null) {
                return CudaStartup.NO_DRIVER;
            }
            result = CU.cuInit(0);
        } catch (LinkageError e) {
            String why = Lwjgl.loadFailure(e, "libcuda.so.1", "");
            return why.startsWith("LWJGL's native library") ? why : CudaStartup.NO_DRIVER;
        }
        String reason = CudaStartup.afterInit(result);
        if (reason != null) {
            return reason;
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int counted = CU.cuDeviceGetCount(count);
            return CudaStartup.afterCount(counted, count.get(0));
        }
    }

    /** The CUDA version the driver implements, e.g. {@code 13000} for 13.0. */
    @Override
    public int driverVersion() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer version = stack.mallocInt(1);
            CudaResult.check("cuDriverGetVersion", CU.cuDriverGetVersion(version));
            return version.get(0);
        }
    }

    /** Every device the driver sees, in ordinal order. */
    @Override
    public List<CudaDevice> devices() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            CudaResult.check("cuDeviceGetCount", CU.cuDeviceGetCount(count));
            List<CudaDevice> devices = new ArrayList<>();
            for (int ordinal = 0; ordinal < count.get(0); ordinal++) {
                int handle = handle(ordinal);
                ByteBuffer name = stack.calloc(256);
                CudaResult.check("cuDeviceGetName", CU.cuDeviceGetName(name, handle));
                PointerBuffer memory = stack.mallocPointer(1);
                CudaResult.check("cuDeviceTotalMem", CU.cuDeviceTotalMem(memory, handle));
                devices.add(new CudaDevice(ordinal, MemoryUtil.memUTF8(MemoryUtil.memAddress(name)),
                        attribute(handle, CU.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                        attribute(handle, CU.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                        memory.get(0),
                        attribute(handle, CU.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
                        attribute(handle, CU.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)));
            }
            return devices;
        }
    }

    /** The {@code CUdevice} of {@code ordinal}. */
    static int handle(int ordinal) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer device = stack.mallocInt(1);
            CudaResult.check("cuDeviceGet", CU.cuDeviceGet(device, ordinal));
            return device.get(0);
        }
    }

    private static int attribute(int device, int attribute) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer value = stack.mallocInt(1);
            CudaResult.check("cuDeviceGetAttribute(" + attribute + ")", CU.cuDeviceGetAttribute(value, attribute, device));
            return value.get(0);
        }
    }
}

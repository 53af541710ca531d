package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.cuda.CudaDevice;
import dev.deltaprop.device.driver.cuda.CudaDriverFactory;
import dev.deltaprop.device.driver.cuda.CudaResult;
import dev.deltaprop.device.driver.cuda.CudaStartup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Loading JCuda's driver library and initialising CUDA, once per JVM.
 *
 * <p>Once JCuda's JNI library has failed to load, its class is unusable for the life of the
 * JVM (the next touch is a {@link NoClassDefFoundError}), so the outcome of the first attempt is
 * kept and every later caller gets the same answer. Nothing here is called unless a CUDA
 * backend is probed: a class path without JCuda never loads this class.
 */
final class Jcuda implements CudaDriverFactory.Binding {

    /** The reason when {@code libcuda.so.1} cannot be loaded, word for word as DESIGN §4 spells it. */
    static final String NO_DRIVER = CudaStartup.NO_DRIVER;

    /** {@code null} once CUDA is initialised; otherwise why it is not. Set once. */
    private static final AtomicReference<String> STATE = new AtomicReference<>();
    private static volatile boolean tried;

    Jcuda() {
    }

    /**
     * Loads JCuda's native library and calls {@code cuInit(0)} the first time; returns why CUDA
     * cannot be used here, or {@code null} when it can. Never throws.
     */
    @Override
    public String startFailure() {
        return unavailableReason();
    }

    static synchronized String unavailableReason() {
        if (!tried) {
            STATE.set(initialise());
            tried = true;
        }
        return STATE.get();
    }

    private static String initialise() {
        try {
            JCudaDriver.setExceptionsEnabled(false);   // we check every result ourselves
        } catch (UnsatisfiedLinkError e) {
            return linkFailure(e);
        } catch (LinkageError e) {
            return "JCuda could not load: " + e;
        }
        // the reasons are CudaStartup's, so that cuda and cuda-lwjgl say the same on the same machine
        String reason = CudaStartup.afterInit(JCudaDriver.cuInit(0));
        if (reason != null) {
            return reason;
        }
        int[] count = new int[1];
        return CudaStartup.afterCount(JCudaDriver.cuDeviceGetCount(count), count[0]);
    }

    /** Turns JCuda's (long, nested) load error into the one line a user can act on. */
    static String linkFailure(UnsatisfiedLinkError error) {
        String message = String.valueOf(error.getMessage());
        if (message.contains("libcuda.so.1")) {
            return NO_DRIVER;
        }
        String firstLine = message.lines().findFirst().orElse(message);
        if (message.contains("No resource found") || message.contains("not found in the JAR")
                || message.contains("no JCudaDriver")) {
            return "JCuda's native library for this platform is missing (org.jcuda:jcuda-natives, classifier "
                    + "linux-x86_64): " + firstLine;
        }
        return "JCuda's native library could not load: " + firstLine;
    }

    /** Throws {@code call: CUDA_ERROR_NAME} unless {@code result} is success. */
    static void check(String call, int result) {
        CudaResult.check(call, result);
    }

    /** The CUDA version the driver implements, e.g. {@code 13000} for 13.0. */
    @Override
    public Driver open(CudaDevice device) {
        return new JcudaDriver(device, driverVersion());
    }

    @Override
    public int driverVersion() {
        int[] version = new int[1];
        check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(version));
        return version[0];
    }

    /** Every device the driver sees, in ordinal order. */
    @Override
    public List<CudaDevice> devices() {
        int[] count = new int[1];
        check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(count));
        List<CudaDevice> devices = new ArrayList<>();
        for (int ordinal = 0; ordinal < count[0]; ordinal++) {
            CUdevice device = handle(ordinal);
            byte[] name = new byte[256];
            check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(name, name.length, device));
            long[] memory = new long[1];
            check("cuDeviceTotalMem", JCudaDriver.cuDeviceTotalMem(memory, device));
            devices.add(new CudaDevice(ordinal, cString(name),
                    attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                    attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                    memory[0],
                    attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
                    attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)));
        }
        return devices;
    }

    /** The {@code CUdevice} of {@code ordinal}. */
    static CUdevice handle(int ordinal) {
        CUdevice device = new CUdevice();
        check("cuDeviceGet", JCudaDriver.cuDeviceGet(device, ordinal));
        return device;
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        check("cuDeviceGetAttribute", JCudaDriver.cuDeviceGetAttribute(value, attribute, device));
        return value[0];
    }

    /** A NUL-terminated byte string. */
    static String cString(byte[] bytes) {
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}

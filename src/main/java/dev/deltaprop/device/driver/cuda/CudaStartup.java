package dev.deltaprop.device.driver.cuda;

/**
 * Why CUDA cannot start, in the words DESIGN §4 asks for, whichever binding called
 * {@code cuInit}: each CUDA driver (JCuda, LWJGL) maps its outcome through here, so that
 * {@code cuda} and {@code cuda-lwjgl} give the same reason on the same machine.
 */
public final class CudaStartup {

    /** The reason when {@code libcuda.so.1} cannot be loaded. */
    public static final String NO_DRIVER = "no CUDA driver: libcuda.so.1 not found";

    private CudaStartup() {
    }

    /** The reason for {@code cuInit}'s {@code result}, or {@code null} when it succeeded. */
    public static String afterInit(int result) {
        if (result == CudaResult.SUCCESS) {
            return null;
        }
        String call = "cuInit: " + CudaResult.name(result);
        switch (CudaResult.name(result)) {
            case "CUDA_ERROR_NO_DEVICE":
                return "no CUDA device: " + call;
            case "CUDA_ERROR_STUB_LIBRARY":
                return "no CUDA driver: the libcuda.so.1 found is the CUDA toolkit's stub, not a driver (" + call + ")";
            case "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH":
            case "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE":
                return "the CUDA driver library does not match the kernel driver (" + call + ")";
            default:
                return "CUDA could not start: " + call;
        }
    }

    /** The reason for {@code cuDeviceGetCount}'s {@code result} and {@code count}, or {@code null} when a device exists. */
    public static String afterCount(int result, int count) {
        if (result != CudaResult.SUCCESS) {
            return "no CUDA device: cuDeviceGetCount: " + CudaResult.name(result);
        }
        return count == 0 ? "no CUDA device: the driver sees none" : null;
    }

    /** {@code CUDA driver 13.0 (NVIDIA 580.65.06)}: the CUDA version a driver implements, and its release where the kernel module says it. */
    public static String driverLine(int driverVersion) {
        String module = CudaVersions.kernelModule();
        return "CUDA driver " + CudaVersions.format(driverVersion) + (module == null ? "" : " (NVIDIA " + module + ")");
    }

    /**
     * What {@code deltaprop devices} says of the CUDA kernels this jar carries: the shipped
     * fatbin ({@code null}: none) and whether a driver for CUDA {@code driverVersion}
     * ({@link Integer#MAX_VALUE} when no driver was found) loads it.
     */
    public static String kernelsLine(ShippedFatbin shipped, int driverVersion) {
        if (shipped == null) {
            return "kernels: no fatbin in this jar (built without nvcc): NVRTC must compile them";
        }
        int needed = shipped.minimumDriverVersion();
        return "kernels: " + shipped + ", needs a driver for CUDA " + CudaVersions.format(needed)
                + " (NVIDIA " + CudaVersions.minimumLinuxDriver(needed) + " or newer)"
                + (needed > driverVersion ? " — this driver is older: NVRTC must compile them" : "");
    }
}

package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.lwjgl.Lwjgl;

import dev.deltaprop.device.driver.cuda.CudaStartup;
import dev.deltaprop.device.driver.cuda.CudaVersions;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.cuda.ShippedFatbin;
import dev.deltaprop.device.driver.cuda.Nvrtc;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens {@link LwjglCudaDriver}s for the {@code cuda-lwjgl} backend. The first question checks
 * that LWJGL's CUDA binding is on the class path without initialising it, then loads
 * {@code libcuda.so.1} and initialises CUDA once per JVM ({@link LwjglCuda}).
 */
public final class LwjglCudaDriverFactory implements DriverFactory {

    /** The variable that chooses the device: an ordinal or a substring of its name (as for {@code cuda}). */
    public static final String SELECTION_VARIABLE = "DELTAPROP_CUDA_DEVICE";

    private static String cached;
    private static boolean probed;

    /** Why no driver can open, from the class path and the CUDA driver; cached for the JVM. */
    private static synchronized String startFailure() {
        if (!probed) {
            cached = Lwjgl.classPathFailure("org.lwjgl.cuda.CU", "org.lwjgl:lwjgl-cuda");
            if (cached == null) {
                cached = LwjglCuda.unavailableReason();
            }
            probed = true;
        }
        return cached;
    }

    @Override
    public String unavailableReason() {
        String reason = startFailure();
        if (reason != null) {
            return reason;
        }
        try {
            LwjglCuda.select(LwjglCuda.devices(), System.getenv(SELECTION_VARIABLE));
            return null;
        } catch (IllegalArgumentException | DriverException e) {
            return e.getMessage();
        }
    }

    @Override
    public List<String> details() {
        String reason = startFailure();
        if (reason != null) {
            // 'devices' prints the reason itself as "cannot start: …"; say what would run (as cuda does),
            // or, without LWJGL, nothing more than the reason
            return reason.startsWith("LWJGL") ? List.of(reason)
                    : List.of(CudaStartup.kernelsLine(ShippedFatbin.find("kernels/mlp.cu"), Integer.MAX_VALUE));
        }
        List<String> lines = new ArrayList<>();
        try {
            int version = LwjglCuda.driverVersion();
            String module = CudaVersions.kernelModule();
            lines.add("CUDA driver " + CudaVersions.format(version) + (module == null ? "" : " (NVIDIA " + module + ")")
                    + ", through LWJGL's driver API binding");
            for (LwjglCuda.DeviceInfo device : LwjglCuda.devices()) {
                lines.add(device.describe());
            }
            lines.add(CudaStartup.kernelsLine(ShippedFatbin.find("kernels/mlp.cu"), version));
            String nvrtc = Nvrtc.describe();
            lines.add("run-time compiler: " + (nvrtc != null ? nvrtc : "not available: " + Nvrtc.unavailableReason()));
        } catch (DriverException | IllegalStateException e) {
            lines.add(e.getMessage());
        }
        return lines;
    }

    @Override
    public Driver open() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new DriverException(reason);
        }
        try {
            return new LwjglCudaDriver(LwjglCuda.select(LwjglCuda.devices(), System.getenv(SELECTION_VARIABLE)));
        } catch (IllegalArgumentException e) {
            throw new DriverException(e.getMessage(), e);
        }
    }
}

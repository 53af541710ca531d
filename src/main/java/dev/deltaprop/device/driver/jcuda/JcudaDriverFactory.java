package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.CudaVersions;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.ShippedFatbin;
import dev.deltaprop.device.driver.nvrtc.Nvrtc;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens {@link JcudaDriver}s for the {@code cuda} backend. The provider instantiates it by name
 * on the first question; the first question here checks that JCuda is on the class path before
 * any JCuda class is touched, then loads JCuda's native library and initialises CUDA once per
 * JVM ({@link Jcuda}): a native library that failed to load will not load later.
 */
public final class JcudaDriverFactory implements DriverFactory {

    /** The variable that chooses the device: an ordinal or a substring of its name. */
    public static final String SELECTION_VARIABLE = "DELTAPROP_CUDA_DEVICE";

    private static String classPathFailure;
    private static boolean classPathChecked;

    /** Why JCuda's classes are missing, or {@code null}; checked without initialising any of them. */
    private static synchronized String classPathFailure() {
        if (!classPathChecked) {
            try {
                Class.forName("jcuda.driver.JCudaDriver", false, JcudaDriverFactory.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                classPathFailure = "JCuda is not on the class path (" + e.getMessage() + "); add org.jcuda:jcuda 12.6.0";
            }
            classPathChecked = true;
        }
        return classPathFailure;
    }

    @Override
    public String unavailableReason() {
        String failure = classPathFailure();
        if (failure != null) {
            return failure;
        }
        String reason = Jcuda.unavailableReason();
        if (reason != null) {
            return reason;
        }
        try {
            JcudaDriver.select(Jcuda.devices(), System.getenv(SELECTION_VARIABLE));
            return null;
        } catch (IllegalArgumentException | DriverException e) {
            return e.getMessage();
        }
    }

    @Override
    public List<String> details() {
        String reason = classPathFailure();
        if (reason == null) {
            reason = Jcuda.unavailableReason();
        }
        if (reason != null) {
            return List.of(reason);
        }
        List<String> lines = new ArrayList<>();
        try {
            int version = Jcuda.driverVersion();
            String module = CudaVersions.kernelModule();
            lines.add("CUDA driver " + CudaVersions.format(version) + (module == null ? "" : " (NVIDIA " + module + ")")
                    + ", through JCuda's driver API binding");
            for (Jcuda.DeviceInfo device : Jcuda.devices()) {
                lines.add(device.describe());
            }
            ShippedFatbin shipped = ShippedFatbin.find("kernels/mlp.cu");
            lines.add(shipped == null ? "kernels: no fatbin in this jar (built without nvcc): NVRTC compiles them"
                    : "kernels: " + shipped + ", needs a driver for CUDA " + CudaVersions.format(shipped.minimumDriverVersion())
                    + (shipped.minimumDriverVersion() > version ? " — this driver is older: NVRTC must compile them" : ""));
            String nvrtc;
            try {
                nvrtc = Nvrtc.describe();
                if (nvrtc == null) {
                    nvrtc = "not available: " + Nvrtc.unavailableReason();
                }
            } catch (LinkageError e) {
                nvrtc = "not available: LWJGL is not on the class path";
            }
            lines.add("run-time compiler: " + nvrtc);
        } catch (DriverException e) {
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
        return new JcudaDriver(System.getenv(SELECTION_VARIABLE));
    }
}

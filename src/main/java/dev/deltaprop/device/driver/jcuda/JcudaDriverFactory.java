package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.CudaStartup;

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
            Jcuda.DeviceInfo device = JcudaDriver.select(Jcuda.devices(), System.getenv(SELECTION_VARIABLE));
            return kernelsUnloadable(device, Jcuda.driverVersion(), ShippedFatbin.find("kernels/mlp.cu"));
        } catch (IllegalArgumentException | DriverException e) {
            return e.getMessage();
        }
    }

    /**
     * Why no kernels could be loaded on {@code device}, known before trying: the shipped fatbin
     * needs a newer driver or has no code for the GPU, and there is no NVRTC to compile the
     * source instead; {@code null} when they can (or when only trying will tell). Said here so
     * that {@code auto} moves on to the next backend instead of failing when it opens this one.
     */
    static String kernelsUnloadable(Jcuda.DeviceInfo device, int driverVersion, ShippedFatbin shipped) {
        String problem = null;
        if (shipped == null) {
            problem = "the jar carries no CUDA fatbin (built without nvcc)";
        } else if (shipped.minimumDriverVersion() > driverVersion) {
            String module = CudaVersions.kernelModule();
            problem = "the CUDA driver is " + CudaVersions.format(driverVersion) + (module == null ? "" : " (NVIDIA " + module + ")")
                    + "; the shipped kernels need CUDA " + CudaVersions.format(shipped.minimumDriverVersion())
                    + ", i.e. NVIDIA driver " + CudaVersions.minimumLinuxDriver(shipped.minimumDriverVersion()) + " or newer";
        } else if (!shipped.contents().runsOn(device.major(), device.minor())) {
            problem = "the shipped kernels hold " + shipped.contents() + ", none of which runs on compute capability "
                    + device.major() + "." + device.minor();
        }
        if (problem == null) {
            return null;
        }
        String nvrtc;
        try {
            nvrtc = Nvrtc.unavailableReason();
        } catch (LinkageError e) {
            nvrtc = "LWJGL, through which NVRTC is reached, is not on the class path";
        }
        return nvrtc == null ? null : problem + ", and they cannot be compiled here: " + nvrtc;
    }

    @Override
    public List<String> details() {
        String reason = classPathFailure();
        if (reason == null) {
            reason = Jcuda.unavailableReason();
        }
        ShippedFatbin shipped = ShippedFatbin.find("kernels/mlp.cu");
        if (reason != null) {
            // the reason itself is what 'devices' prints as "cannot start: …"; say what would run
            return List.of(CudaStartup.kernelsLine(shipped, Integer.MAX_VALUE));
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
            lines.add(CudaStartup.kernelsLine(shipped, version));
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

    /** What the jar carries for CUDA, and whether a driver of {@code version} loads it. */
    @Override
    public Driver open() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new DriverException(reason);
        }
        return new JcudaDriver(System.getenv(SELECTION_VARIABLE));
    }

    /** Every CUDA device's ordinal, when JCuda and a driver are here. */
    @Override
    public List<String> deviceSelections() {
        List<String> selections = new ArrayList<>();
        try {
            if (classPathFailure() == null && Jcuda.unavailableReason() == null) {
                for (int ordinal = 0; ordinal < Jcuda.devices().size(); ordinal++) {
                    selections.add(String.valueOf(ordinal));
                }
            }
        } catch (LinkageError | RuntimeException e) {
            return List.of(); // open(selection) will say why
        }
        return selections;
    }

    /** The device {@code selection} names (an ordinal or a name substring, as {@value #SELECTION_VARIABLE}). */
    @Override
    public Driver open(String selection) {
        String failure = classPathFailure();
        String reason = failure != null ? failure : Jcuda.unavailableReason();
        if (reason != null) {
            throw new DriverException(reason);
        }
        try {
            return new JcudaDriver(selection);
        } catch (IllegalArgumentException e) {
            throw new DriverException(e.getMessage(), e);
        }
    }
}

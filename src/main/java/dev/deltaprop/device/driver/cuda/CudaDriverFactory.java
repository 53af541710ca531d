package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * What both CUDA bindings' factories share: the binding on the class path (checked without
 * initialising it), CUDA started once per JVM, the device {@value CudaDeviceChoice#VARIABLE}
 * chooses, and whether its kernels can be loaded at all (said before opening, so that
 * {@code auto} moves on instead of failing later).
 */
public abstract class CudaDriverFactory implements DriverFactory {
    private final String bindingName;
    private Binding binding;

    /** @param bindingName the binding's name as its reasons begin, e.g. {@code JCuda} or {@code LWJGL} */
    protected CudaDriverFactory(String bindingName) {
        this.bindingName = bindingName;
    }

    /** What a binding does for its factory once its classes are known to be there. */
    public interface Binding {
        /** Loads the binding's native library and calls {@code cuInit} the first time; why CUDA cannot start, or {@code null}. Never throws. */
        String startFailure();

        int driverVersion();

        /** Every device the driver sees, in ordinal order. */
        List<CudaDevice> devices();

        Driver open(CudaDevice device);
    }

    /** Why the binding's classes are missing, or {@code null}; checked without initialising any of them, never throws. */
    protected abstract String classPathFailure();

    /** The binding; asked for only once {@link #classPathFailure()} has found its classes. */
    protected abstract Binding binding();

    private synchronized Binding bound() {
        if (binding == null) {
            binding = binding();
        }
        return binding;
    }

    private String startReason() {
        String failure = classPathFailure();
        return failure != null ? failure : bound().startFailure();
    }

    private int driverVersion() {
        return bound().driverVersion();
    }

    private List<CudaDevice> devices() {
        return bound().devices();
    }

    @Override
    public final String unavailableReason() {
        String reason = startReason();
        if (reason != null) {
            return reason;
        }
        try {
            CudaDevice device = CudaDeviceChoice.select(devices(), System.getenv(CudaDeviceChoice.VARIABLE));
            return kernelsUnloadable(device, driverVersion(), ShippedFatbin.find("kernels/mlp.cu"));
        } catch (IllegalArgumentException | DriverException e) {
            return e.getMessage();
        }
    }

    /**
     * Why no kernels could be loaded on {@code device}, known before trying: the shipped fatbin
     * needs a newer driver or has no code for the GPU, and there is no NVRTC to compile the
     * source instead; {@code null} when they can (or when only trying will tell).
     */
    public static String kernelsUnloadable(CudaDevice device, int driverVersion, ShippedFatbin shipped) {
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
        String nvrtc = nvrtcReason();
        return nvrtc == null ? null : problem + ", and they cannot be compiled here: " + nvrtc;
    }

    private static String nvrtcReason() {
        try {
            return Nvrtc.unavailableReason();
        } catch (LinkageError e) {
            return "LWJGL, through which NVRTC is reached, is not on the class path";
        }
    }

    /** The driver, each device, what the jar carries and whether it loads, and the run-time compiler. */
    @Override
    public final List<String> details() {
        String reason = startReason();
        ShippedFatbin shipped = ShippedFatbin.find("kernels/mlp.cu");
        if (reason != null) {
            // 'devices' prints the reason itself as "cannot start: …"; say what would run, unless the binding itself is missing
            return List.of(reason.startsWith(bindingName) ? reason : CudaStartup.kernelsLine(shipped, Integer.MAX_VALUE));
        }
        List<String> lines = new ArrayList<>();
        try {
            int version = driverVersion();
            lines.add(CudaStartup.driverLine(version) + ", through " + bindingName + "'s driver API binding");
            for (CudaDevice device : devices()) {
                lines.add(device.describe());
            }
            lines.add(CudaStartup.kernelsLine(shipped, version));
            String nvrtc = nvrtcReason();
            lines.add("run-time compiler: " + (nvrtc == null ? Nvrtc.describe() : "not available: " + nvrtc));
        } catch (DriverException | IllegalStateException e) {
            lines.add(e.getMessage());
        }
        return lines;
    }

    @Override
    public final Driver open() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new DriverException(reason);
        }
        try {
            return bound().open(CudaDeviceChoice.select(devices(), System.getenv(CudaDeviceChoice.VARIABLE)));
        } catch (IllegalArgumentException e) {
            throw new DriverException(e.getMessage(), e);
        }
    }

    /** Every device's ordinal, once CUDA has started here; else none. */
    @Override
    public final List<String> deviceSelections() {
        try {
            if (startReason() != null) {
                return List.of();
            }
            List<String> selections = new ArrayList<>();
            for (int ordinal = 0; ordinal < devices().size(); ordinal++) {
                selections.add(String.valueOf(ordinal));
            }
            return selections;
        } catch (LinkageError | RuntimeException e) {
            return List.of(); // open(selection) says why
        }
    }

    /** The device {@code selection} names (an ordinal or a name substring), whatever {@value CudaDeviceChoice#VARIABLE} says. */
    @Override
    public final Driver open(String selection) {
        String reason = startReason();
        if (reason != null) {
            throw new DriverException(reason);
        }
        CudaDevice device;
        try {
            device = CudaDeviceChoice.select(devices(), selection);
        } catch (IllegalArgumentException e) {
            throw new DriverException("device '" + selection + "': " + e.getMessage(), e);
        }
        String unloadable = kernelsUnloadable(device, driverVersion(), ShippedFatbin.find("kernels/mlp.cu"));
        if (unloadable != null) {
            throw new DriverException(unloadable);
        }
        return bound().open(device);
    }
}

package dev.deltaprop.device;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendProvider;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import java.util.List;

/**
 * A device backend's provider: the {@link DeviceBackend} engine over the driver of one binding.
 * The binding's {@link DriverFactory} is named by class and loaded reflectively on the first
 * question, so that this class, and discovery, never link against JOCL, JCuda or LWJGL: a class
 * path without the binding gives a reason, not a {@link NoClassDefFoundError}. One row of
 * {@link dev.deltaprop.backend.BackendTable} per backend supplies the name, the factory's class
 * name and the library it needs.
 */
public final class DeviceProvider implements BackendProvider {
    private final String name;
    private final String factoryClass;
    private final String library;
    private DriverFactory factory;
    private String factoryFailure;
    private String autoSkipReason;
    private boolean autoSkipProbed;

    /**
     * @param name         the backend's name, e.g. {@code opencl}
     * @param factoryClass the binding's {@link DriverFactory}, e.g. {@code dev.deltaprop.device.driver.jocl.JoclDriverFactory}
     * @param library      the binding library in words, for the reason when it is missing, e.g. {@code JOCL 2.0.6 (org.jocl:jocl)}
     */
    public DeviceProvider(String name, String factoryClass, String library) {
        this.name = name;
        this.factoryClass = factoryClass;
        this.library = library;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String unavailableReason() {
        DriverFactory factory = factory();
        if (factory == null) {
            return factoryFailure;
        }
        try {
            return factory.unavailableReason();
        } catch (LinkageError | RuntimeException e) {
            return library + " failed while probing: " + e;
        }
    }

    @Override
    public Backend open() {
        Driver driver;
        try {
            driver = openDriver();
        } catch (DriverException e) {
            throw new BackendUnavailableException(name + ": " + e.getMessage(), e);
        }
        try {
            return new DeviceBackend(name, driver);
        } catch (DriverException e) {
            // the engine closed the driver; a device whose compiler rejects the kernels cannot
            // run this backend, and auto should go on to the next one
            throw new BackendUnavailableException(name + ": the kernels could not be built or loaded on "
                    + driver.deviceName() + ": " + e.getMessage(), e);
        }
    }

    /** The selections of the devices the binding can open one by one (see {@link DriverFactory#deviceSelections()}). */
    @Override
    public final List<String> devices() {
        DriverFactory factory = factory();
        if (factory == null) {
            return List.of();
        }
        try {
            return factory.deviceSelections();
        } catch (LinkageError | RuntimeException e) {
            return List.of();
        }
    }

    /** The engine on the device {@code selection} names; the device variable is not read. */
    @Override
    public final Backend open(String selection) {
        DriverFactory factory = factory();
        if (factory == null) {
            throw new BackendUnavailableException(name + ": " + factoryFailure);
        }
        Driver driver;
        try {
            driver = factory.open(selection);
        } catch (DriverException e) {
            throw new BackendUnavailableException(name + " device " + selection + ": " + e.getMessage(), e);
        }
        try {
            return new DeviceBackend(name, driver);
        } catch (DriverException e) {
            throw new BackendUnavailableException(name + " device " + selection + ": the kernels could not be built or loaded on "
                    + driver.deviceName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> details() {
        DriverFactory factory = factory();
        if (factory == null) {
            return List.of(factoryFailure);
        }
        try {
            List<String> details = factory.details();
            if (unavailableReason() != null) {
                return details;
            }
            // a backend that can start also says when it takes the fused small-MLP step
            List<String> lines = new java.util.ArrayList<>(details);
            lines.add(FusedMlp.describe());
            return lines;
        } catch (LinkageError | RuntimeException e) {
            return List.of(library + " failed while probing: " + e);
        }
    }

    /**
     * On a CPU device (an OpenCL CPU driver such as PoCL) {@code auto} should take the {@code cpu}
     * backend, which uses the same cores without a driver's launch costs (measured in
     * docs/perf.md on PoCL: faster on {@code tiny}, on a 1024³ GEMM and, in two runs of three, on
     * {@code mnist}): this says why, naming the device. Opens the
     * driver once to ask (no kernels are built) and caches the answer.
     */
    @Override
    public synchronized String autoSkipReason() {
        if (!autoSkipProbed) {
            autoSkipProbed = true;
            if (unavailableReason() == null) {
                try (Driver driver = factory().open()) {
                    if (driver.deviceType() == Driver.DeviceType.CPU) {
                        autoSkipReason = "its device is the CPU (" + driver.deviceName() + "), which the cpu backend"
                                + " drives without a driver's launch costs; --backend " + name + " still runs it";
                    }
                } catch (DriverException | BackendUnavailableException e) {
                    autoSkipReason = null; // open() will report the failure if auto gets this far
                }
            }
        }
        return autoSkipReason;
    }

    /** A driver on the selected device, without the engine (the device tests wrap it). */
    Driver openDriver() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new BackendUnavailableException(name + ": " + reason);
        }
        return factory().open();
    }

    /** A driver on the device {@code selection} names, without the engine (the device tests wrap it). */
    Driver openDriver(String selection) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new BackendUnavailableException(name + ": " + reason);
        }
        return factory().open(selection);
    }

    /** The factory, loaded once; {@code null} (with {@link #factoryFailure} set) when its binding is missing. */
    private synchronized DriverFactory factory() {
        if (factory == null && factoryFailure == null) {
            try {
                factory = Class.forName(factoryClass, true, DeviceProvider.class.getClassLoader())
                        .asSubclass(DriverFactory.class).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                factoryFailure = library + " is not on the class path (" + e + ")";
            }
        }
        return factory;
    }
}

package dev.deltaprop.device.driver;

import java.util.List;

/**
 * How the engine's provider reaches a binding without linking to it: each binding package
 * ({@code jocl}, {@code jcuda}, {@code lwjgl}) has one implementation with a public no-argument
 * constructor, which the provider instantiates by class name. A class path without the binding
 * library then gives a reason instead of a {@link NoClassDefFoundError}.
 */
public interface DriverFactory {

    /**
     * Why no driver can be opened here (no native library, no platform, no usable device, a
     * device selection that matches nothing), or {@code null} if one can. Must not throw;
     * implementations probe once and cache the answer.
     */
    String unavailableReason();

    /** Each platform and device found, and for an unusable one why; for {@code deltaprop devices}. Must not throw. */
    List<String> details();

    /**
     * Opens a driver on the selected device.
     *
     * @throws DriverException if it cannot be opened, saying why
     */
    Driver open();
}

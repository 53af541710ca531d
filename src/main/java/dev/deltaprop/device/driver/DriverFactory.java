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

    /**
     * The devices a driver could be opened on one by one ({@link #open(String)}), as the
     * selections that open them: for {@code opencl:all} and {@code cuda:all}. Empty when nothing
     * can open here, or when the binding cannot open a chosen device. Must not throw.
     */
    default List<String> deviceSelections() {
        return List.of();
    }

    /**
     * Opens a driver on the device {@code selection} names, in the terms of the binding's device
     * variable (an index, or a substring of a name), whatever that variable says.
     *
     * @throws DriverException if it cannot be opened, saying why (also when the binding cannot open a chosen device)
     */
    default Driver open(String selection) {
        throw new DriverException("this binding opens only the device its variable selects; use opencl or cuda to"
                + " choose devices");
    }
}

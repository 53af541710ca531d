package dev.deltaprop.device.driver.opencl;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What both OpenCL bindings' factories share: discovery runs once per JVM (a native library
 * that failed to load will not load later, and platforms do not appear while a program runs),
 * then {@link OpenClDeviceChoice} picks the device that {@value OpenClDeviceChoice#VARIABLE} asks for.
 *
 * @param <T> the binding's view of one device
 */
public abstract class OpenClDriverFactory<T extends OpenClDeviceChoice.Candidate> implements DriverFactory {

    /** What discovery found: the devices and the platforms that gave none, or why it could not run. */
    public record Discovery<T extends OpenClDeviceChoice.Candidate>(List<T> devices, List<String> platformProblems, String failure) {
        public static <T extends OpenClDeviceChoice.Candidate> Discovery<T> failed(String why) {
            return new Discovery<>(List.of(), List.of(), why);
        }

        public static <T extends OpenClDeviceChoice.Candidate> Discovery<T> found(List<T> devices, List<String> platformProblems) {
            return new Discovery<>(List.copyOf(devices), List.copyOf(platformProblems), null);
        }

        /** The device {@code selection} asks for, as {@link OpenClDeviceChoice#select}. */
        public T select(String selection) {
            return OpenClDeviceChoice.select(devices, platformProblems, selection);
        }
    }

    /** One discovery per binding (per factory class) for the life of the JVM. */
    private static final Map<Class<?>, Discovery<?>> DISCOVERIES = new HashMap<>();

    /** Loads the binding's native library and the ICD loader and enumerates the devices; never throws (a failure is a {@link Discovery#failed}). */
    protected abstract Discovery<T> discover();

    /** The discovery of this binding, made on the first question. */
    @SuppressWarnings("unchecked")
    protected final Discovery<T> discovery() {
        synchronized (DISCOVERIES) {
            return (Discovery<T>) DISCOVERIES.computeIfAbsent(getClass(), type -> discover());
        }
    }

    /** A driver on {@code device}. */
    protected abstract Driver open(T device);

    @Override
    public final String unavailableReason() {
        Discovery<T> found = discovery();
        if (found.failure() != null) {
            return found.failure();
        }
        try {
            found.select(System.getenv(OpenClDeviceChoice.VARIABLE));
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    @Override
    public final List<String> details() {
        Discovery<T> found = discovery();
        return found.failure() != null ? List.of(found.failure())
                : OpenClDeviceChoice.details(found.devices(), found.platformProblems());
    }

    @Override
    public final Driver open() {
        Discovery<T> found = discovery();
        if (found.failure() != null) {
            throw new DriverException(found.failure());
        }
        T chosen;
        try {
            chosen = found.select(System.getenv(OpenClDeviceChoice.VARIABLE));
        } catch (IllegalStateException e) {
            throw new DriverException(e.getMessage(), e);
        }
        SignalChaining.warnOnce(chosen.platformName());
        return open(chosen);
    }

    /** The index of every usable device. */
    @Override
    public final List<String> deviceSelections() {
        Discovery<T> found = discovery();
        List<String> selections = new ArrayList<>();
        if (found.failure() == null) {
            for (T device : found.devices()) {
                if (device.unusableReason() == null) {
                    selections.add(String.valueOf(device.index()));
                }
            }
        }
        return selections;
    }

    /** The device {@code selection} names (an index or a name substring), whatever {@value OpenClDeviceChoice#VARIABLE} says. */
    @Override
    public final Driver open(String selection) {
        Discovery<T> found = discovery();
        if (found.failure() != null) {
            throw new DriverException(found.failure());
        }
        T chosen;
        try {
            chosen = found.select(selection);
        } catch (IllegalStateException e) {
            throw new DriverException(e.getMessage(), e);
        }
        SignalChaining.warnOnce(chosen.platformName());
        return open(chosen);
    }
}

package dev.deltaprop.backend;

/**
 * How a backend is found: each room that implements one ({@code reference}, {@code cpu},
 * {@code device}) has a provider, named by class in one row of {@link BackendTable}, so that
 * this package never links to the classes above it and a missing binding library (JOCL, JCuda,
 * LWJGL) is a reason, not a {@link NoClassDefFoundError}.
 */
public interface BackendProvider {

    /** The name the backend is opened by; one of {@link Backends#NAMES}. */
    String name();

    /**
     * Why the backend cannot start on this machine, or {@code null} if it can. Must not throw;
     * may be called often (cache what is expensive).
     */
    String unavailableReason();

    /**
     * Opens the backend.
     *
     * @throws BackendUnavailableException if it cannot start here, saying why
     */
    Backend open();

    /**
     * What {@code deltaprop devices} shows under this backend: for a device backend, each
     * platform and device found and, for one that is unusable, why. Must not throw.
     */
    default java.util.List<String> details() {
        return java.util.List.of();
    }

    /**
     * Why {@code auto} should pass over this backend although it can start, or {@code null}. A
     * device backend whose device is the CPU itself (PoCL, for instance) says so: the {@code cpu}
     * backend uses the same cores without a driver's launch costs, and {@code auto} takes that instead. Asking for the
     * backend by name still opens it. Must not throw; may cache.
     */
    default String autoSkipReason() {
        return null;
    }

    /**
     * The devices this backend can open one by one with {@link #open(String)}, as the selections
     * that open them (for a device backend, the device indices); what {@code name:all} opens.
     * Empty for a backend without devices to choose. Must not throw.
     */
    default java.util.List<String> devices() {
        return java.util.List.of();
    }

    /**
     * Opens the backend on the device {@code selection} names (an index, or a substring of a
     * device name), whatever the device variables say; for {@code name:0,1} and {@code name:all}.
     *
     * @throws BackendUnavailableException if it cannot start there, saying why (also for a backend without devices)
     */
    default Backend open(String selection) {
        throw new BackendUnavailableException(name() + ": has no devices to choose; build a DataParallelBackend from "
                + name() + " backends instead");
    }
}

package dev.deltaprop.device;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendProvider;
import dev.deltaprop.backend.BackendTable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The backends the device suite runs on, and how a test gets one. Adding a backend to the suite
 * is one name in {@link #NAMES}: a backend of the device engine ({@link DeviceProvider}) gets
 * every test, including those that count launches on its driver; any other backend ({@code cpu})
 * gets the comparisons against the reference through {@link Backend} and, per kernel family,
 * through {@link Families}. A backend that cannot start here skips its tests with the reason,
 * unless the environment variable {@code DELTAPROP_REQUIRE} names it (comma or space separated),
 * as CI does for {@code opencl}: then its absence fails them. {@code cpu} always starts.
 */
final class DeviceBackends {
    /** Every backend name the suite runs; {@code @MethodSource("...#names")} reads it. */
    static final List<String> NAMES = List.of("cpu", "opencl", "cuda", "opencl-lwjgl", "cuda-lwjgl");

    private static final Map<String, DeviceBackend> SHARED = new HashMap<>();
    private static final Map<String, Families> FAMILIES = new HashMap<>();

    private DeviceBackends() {
    }

    /**
     * {@link #NAMES}, or only those the system property {@code deltaprop.test.backends} lists
     * (comma-separated), so that a GPU run spends its minutes on the backend it checks.
     */
    static List<String> names() {
        String only = System.getProperty("deltaprop.test.backends");
        if (only == null || only.isBlank()) {
            return NAMES;
        }
        List<String> wanted = Arrays.asList(only.trim().split("[,\\s]+"));
        return NAMES.stream().filter(wanted::contains).collect(java.util.stream.Collectors.toList());
    }

    /** {@link #names()} that are backends of the device engine (those with a driver to count launches on). */
    static List<String> engineNames() {
        return names().stream().filter(DeviceBackends::isEngine).collect(java.util.stream.Collectors.toList());
    }

    /** Whether {@code name} is registered by a {@link DeviceProvider} (else it is tested through {@link Backend} only). */
    static boolean isEngine(String name) {
        BackendProvider provider = registered(name);
        return provider == null || provider instanceof DeviceProvider;
    }

    /** The provider registered for {@code name} if it is one of the device engine, or {@code null}. */
    static DeviceProvider provider(String name) {
        BackendProvider provider = registered(name);
        return provider instanceof DeviceProvider ? (DeviceProvider) provider : null;
    }

    private static BackendProvider registered(String name) {
        return BackendTable.STANDARD.provider(name);
    }

    /** Skips (or, when required, fails) the calling test unless the device-engine backend {@code name} can start here. */
    static DeviceProvider require(String name) {
        DeviceProvider provider = provider(name);
        String reason = provider == null ? "no device-engine provider for '" + name + "' in this build"
                : provider.unavailableReason();
        skipUnless(name, reason);
        return provider;
    }

    /** Skips (or, when required, fails) the calling test with {@code reason} unless it is {@code null}. */
    private static void skipUnless(String name, String reason) {
        if (reason != null) {
            if (required(name)) {
                Assertions.fail(name + " is required here (" + (name.equals("cpu") ? "pure Java, it always starts"
                        : "DELTAPROP_REQUIRE=" + System.getenv("DELTAPROP_REQUIRE")) + ") but cannot start: " + reason);
            }
            Assumptions.abort(name + " cannot start here: " + reason);
        }
    }

    /**
     * A fresh backend {@code name} for the whole-backend comparisons; the caller closes it. A
     * device-engine backend runs over a {@link CountingDriver} (see {@link #open(String)}); any
     * other is opened through its provider, as {@code Backends.open} would.
     */
    static Backend backend(String name) {
        if (isEngine(name)) {
            return open(name);
        }
        BackendProvider provider = registered(name);
        skipUnless(name, provider.unavailableReason());
        return provider.open();
    }

    /**
     * The kernel families of {@code name} for the per-family comparisons, one per name, shared
     * (building a device program is the slow part) and closed at exit.
     */
    static synchronized Families families(String name) {
        Families families = FAMILIES.get(name);
        if (families == null) {
            if (isEngine(name)) {
                families = new DeviceFamilies(shared(name));
            } else if (name.equals("cpu")) {
                families = dev.deltaprop.cpu.CpuFamilies.open();
                Runtime.getRuntime().addShutdownHook(new Thread(families::close));
            } else {
                throw new IllegalStateException("no Families adapter for '" + name + "': add one beside CpuFamilies");
            }
            FAMILIES.put(name, families);
        }
        return families;
    }

    /**
     * Whether {@code name} must start here: {@code cpu} always (pure Java, so a cpu that cannot
     * start, or is missing from the services file, is a failure, never a skip), any other when
     * {@code DELTAPROP_REQUIRE} names it.
     */
    static boolean required(String name) {
        if (name.equals("cpu")) {
            return true;
        }
        String value = System.getenv("DELTAPROP_REQUIRE");
        return value != null && Arrays.asList(value.trim().split("[,\\s]+")).contains(name);
    }

    /** A fresh backend over a counting driver; the caller closes it. */
    static DeviceBackend open(String name) {
        return open(name, DeviceBackend.DATASET_SHARE_PERCENT / 100.0);
    }

    /** As {@link #open(String)} with another data-set share (0: every data set stays on the host). */
    static DeviceBackend open(String name, double datasetShare) {
        DeviceProvider provider = require(name);
        return new DeviceBackend(name, new CountingDriver(provider.openDriver()), datasetShare);
    }

    /** One backend per name shared by the kernel tests (building the program is the slow part); closed at exit. */
    static synchronized DeviceBackend shared(String name) {
        require(name);
        DeviceBackend backend = SHARED.get(name);
        if (backend == null) {
            backend = open(name);
            SHARED.put(name, backend);
            DeviceBackend toClose = backend;
            Runtime.getRuntime().addShutdownHook(new Thread(toClose::close));
        }
        return backend;
    }
}

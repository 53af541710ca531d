package dev.deltaprop.device;

import dev.deltaprop.backend.BackendProvider;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The device backends the device suite runs on, and how a test gets one. Adding a backend to
 * the suite is one name in {@link #NAMES}. A backend that cannot start here skips its tests with
 * the reason, unless the environment variable {@code DELTAPROP_REQUIRE} names it (comma or space
 * separated), as CI does for {@code opencl}: then its absence fails them.
 */
final class DeviceBackends {
    /** Every device backend name the suite runs; {@code @MethodSource("...#names")} reads it. */
    static final List<String> NAMES = List.of("opencl", "cuda", "opencl-lwjgl", "cuda-lwjgl");

    private static final Map<String, DeviceBackend> SHARED = new HashMap<>();

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

    /** The provider registered for {@code name}, or {@code null}. */
    static DeviceProvider provider(String name) {
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            if (provider.name().equals(name) && provider instanceof DeviceProvider) {
                return (DeviceProvider) provider;
            }
        }
        return null;
    }

    /** Skips (or, when required, fails) the calling test unless {@code name} can start here. */
    static DeviceProvider require(String name) {
        DeviceProvider provider = provider(name);
        String reason = provider == null ? "no provider for '" + name + "' in this build" : provider.unavailableReason();
        if (reason != null) {
            if (required(name)) {
                Assertions.fail(name + " is required here (DELTAPROP_REQUIRE=" + System.getenv("DELTAPROP_REQUIRE")
                        + ") but cannot start: " + reason);
            }
            Assumptions.abort(name + " cannot start here: " + reason);
        }
        return provider;
    }

    static boolean required(String name) {
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

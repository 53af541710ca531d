package dev.deltaprop.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Opens backends by name, and chooses one for {@code auto}.
 *
 * <p>{@code auto} tries {@code cuda}, then {@code opencl}, then {@code cpu}, and reports what it
 * chose and what it skipped and why. A device backend whose device is the CPU itself (an OpenCL
 * CPU driver such as PoCL) is passed over while the {@code cpu} backend can start, because that
 * uses the same cores without a driver's launch costs (see {@link BackendProvider#autoSkipReason()}). Each device API is tried through JCuda/JOCL first and then
 * through LWJGL, so that an application that ships only LWJGL still gets its GPU. The {@code reference} path is the oracle, not a fallback
 * that anyone would want for speed: {@code auto} takes it only while no {@code cpu} backend is
 * built into this jar.
 */
public final class Backends {

    /**
     * Where {@link #select} says what it opened (the JDK's {@code System.Logger}, so JUL by default
     * and SLF4J or Log4j through their bridges): {@code auto}'s choice and every skipped backend with
     * its reason at {@code INFO}, one record; a backend opened by name at {@code DEBUG}.
     */
    private static final System.Logger LOG = System.getLogger("dev.deltaprop.backend");

    /** Every backend name deltaprop knows, in the order {@code devices} lists them ({@link BackendTable#STANDARD}'s). */
    public static final List<String> NAMES = BackendTable.STANDARD.names();

    /** The order in which {@code auto} tries backends ({@link BackendTable#STANDARD}'s). */
    public static final List<String> AUTO_ORDER = BackendTable.STANDARD.autoOrder();

    private Backends() {
    }

    /** A backend and the story of how it was chosen (for {@code auto}: what was skipped and why). */
    public static final class Selection {
        private final Backend backend;
        private final List<String> report;

        Selection(Backend backend, List<String> report) {
            this.backend = backend;
            this.report = List.copyOf(report);
        }

        public Backend backend() {
            return backend;
        }

        /** Lines such as {@code skipped cuda: no CUDA driver (libcuda.so.1 not found)}, then {@code chose opencl}. */
        public List<String> report() {
            return report;
        }
    }

    /**
     * Opens the backend called {@code name}; {@code name:devices} ({@code opencl:all},
     * {@code cuda:0,1}, {@code cuda:0=3,1=1}) opens a {@link DataParallelBackend} with one replica
     * per device (the README's "Several devices").
     *
     * @throws IllegalArgumentException      for an unknown name, listing the valid ones
     * @throws BackendUnavailableException if it is not built into this jar or cannot start here, saying why
     */
    public static Backend open(String name) {
        return select(name).backend();
    }

    /** As {@link #open(String)}, with the report of what {@code auto} chose and skipped. */
    public static Selection select(String name) {
        return select(BackendTable.STANDARD, name);
    }

    /** As {@link #select(String)} over {@code table}'s backends (one with an application's own binding, say). */
    public static Selection select(BackendTable table, String name) {
        if (DeviceList.has(name)) { // opencl:all, cuda:0,1 …: one replica per device
            Backend backend = DeviceList.open(name, base -> requireKnown(table, base), table::provider);
            return new Selection(backend, List.of("using " + backend.name() + " (" + backend.device() + ")"));
        }
        String key = requireKnown(table, name);
        Map<String, BackendProvider> providers = table.providers();
        if (!key.equals("auto")) {
            Backend backend = openNamed(key, providers);
            LOG.log(System.Logger.Level.DEBUG, () -> "using " + key + " (" + backend.device() + ")");
            return new Selection(backend, List.of("using " + key));
        }
        List<String> report = new ArrayList<>();
        List<String> order = new ArrayList<>(table.autoOrder());
        if (!providers.containsKey("cpu")) {
            order.add("reference");
        }
        for (String candidate : order) {
            String reason = autoSkipReason(candidate, providers);
            if (reason != null) {
                report.add("skipped " + candidate + ": " + reason);
                continue;
            }
            try {
                Backend backend = providers.get(candidate).open();
                report.add("chose " + candidate + " (" + backend.device() + ")");
                LOG.log(System.Logger.Level.INFO, () -> "auto: " + String.join("; ", report));
                return new Selection(backend, report);
            } catch (BackendUnavailableException e) {
                report.add("skipped " + candidate + ": " + e.getMessage());
            }
        }
        throw new BackendUnavailableException("auto: no backend could start here; " + String.join("; ", report));
    }

    /**
     * Why {@code name} cannot start here, or {@code null} if it can. For {@code auto}, the
     * reason only when nothing can start.
     */
    public static String unavailableReason(String name) {
        return unavailableReason(BackendTable.STANDARD, name);
    }

    /** As {@link #unavailableReason(String)} over {@code table}'s backends. */
    public static String unavailableReason(BackendTable table, String name) {
        String key = requireKnown(table, name);
        Map<String, BackendProvider> providers = table.providers();
        if (key.equals("auto")) {
            for (String candidate : table.autoOrder()) {
                if (unavailableReason(candidate, providers) == null) {
                    return null;
                }
            }
            return providers.containsKey("reference") ? null : "no backend can start here";
        }
        return unavailableReason(key, providers);
    }

    /**
     * Why {@code auto} passes over {@code name} here: the reason it cannot start, or the reason it
     * should not be chosen although it can (its device is the CPU and the {@code cpu} backend can
     * start); {@code null} when {@code auto} would take it.
     */
    public static String autoSkipReason(String name) {
        return autoSkipReason(requireKnown(BackendTable.STANDARD, name), BackendTable.STANDARD.providers());
    }

    private static String autoSkipReason(String name, Map<String, BackendProvider> providers) {
        String reason = unavailableReason(name, providers);
        if (reason != null || name.equals("cpu") || unavailableReason("cpu", providers) != null) {
            return reason;
        }
        try {
            return providers.get(name).autoSkipReason();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static String unavailableReason(String name, Map<String, BackendProvider> providers) {
        BackendProvider provider = providers.get(name);
        if (provider == null) {
            return "not implemented in this version of deltaprop";
        }
        try {
            return provider.unavailableReason();
        } catch (LinkageError e) {
            // a provider must not throw, but a missing binding library can still surface here
            return "a library it needs is missing: " + e;
        }
    }

    private static Backend openNamed(String name, Map<String, BackendProvider> providers) {
        String reason = unavailableReason(name, providers);
        if (reason != null) {
            throw new BackendUnavailableException(name + ": " + reason);
        }
        try {
            return providers.get(name).open();
        } catch (LinkageError e) {
            throw new BackendUnavailableException(name + ": a library it needs is missing: " + e, e);
        }
    }

    private static String requireKnown(BackendTable table, String name) {
        String key = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        List<String> names = table.names();
        if (!names.contains(key)) {
            throw new IllegalArgumentException("backend: unknown name '" + name + "', expected one of "
                    + String.join(", ", names));
        }
        return key;
    }

    /**
     * What {@code deltaprop devices} lists under {@code name}: its provider's
     * {@link BackendProvider#details()} (platforms, devices, and why one is unusable); empty for
     * {@code auto} and for a backend not built into this jar.
     */
    public static List<String> details(String name) {
        return details(BackendTable.STANDARD, name);
    }

    /** As {@link #details(String)} over {@code table}'s backends. */
    public static List<String> details(BackendTable table, String name) {
        BackendProvider provider = table.providers().get(requireKnown(table, name));
        if (provider == null) {
            return List.of();
        }
        try {
            return List.copyOf(provider.details());
        } catch (RuntimeException | LinkageError e) {
            // details() must not throw; if it does, say so rather than hide the backend
            return List.of("could not list details: " + e);
        }
    }
}

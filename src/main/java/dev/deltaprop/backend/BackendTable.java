package dev.deltaprop.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every backend deltaprop knows, in one table: its name, its place in {@code auto}'s order, and
 * the provider that opens it. Adding a binding is one driver package and one {@link Row#device}
 * row here. Providers are named by class and made reflectively on the first question, so that
 * this package links to none of the rooms above it and a missing binding library (JOCL, JCuda,
 * LWJGL) is a reason, not a {@link NoClassDefFoundError}.
 */
public final class BackendTable {
    /** The {@link Row#autoRank} of a backend that {@code auto} never tries. */
    public static final int NEVER = Integer.MAX_VALUE;

    /** The engine's provider, which a device row gives its binding's driver factory. */
    static final String DEVICE_PROVIDER = "dev.deltaprop.device.DeviceProvider";

    /** deltaprop's backends, in the order {@code devices} lists them. */
    public static final BackendTable STANDARD = new BackendTable(List.of(
            Row.of("reference", NEVER, "dev.deltaprop.reference.ReferenceProvider"),
            Row.of("cpu", 5, "dev.deltaprop.cpu.CpuProvider"),
            Row.device("opencl", 3, "dev.deltaprop.device.driver.jocl.JoclDriverFactory", "JOCL 2.0.6 (org.jocl:jocl)"),
            Row.device("cuda", 1, "dev.deltaprop.device.driver.jcuda.JcudaDriverFactory", "JCuda 12.6.0 (org.jcuda:jcuda)"),
            Row.device("opencl-lwjgl", 4, "dev.deltaprop.device.driver.lwjgl.opencl.LwjglOpenClDriverFactory",
                    "LWJGL 3.3.6 (org.lwjgl:lwjgl, lwjgl-opencl)"),
            Row.device("cuda-lwjgl", 2, "dev.deltaprop.device.driver.lwjgl.cuda.LwjglCudaDriverFactory",
                    "LWJGL 3.3.6 (org.lwjgl:lwjgl, lwjgl-cuda)")));

    /**
     * One backend.
     *
     * @param name          what it is opened by, e.g. {@code opencl}
     * @param autoRank      its place in {@code auto}'s order (lower first), or {@link #NEVER}
     * @param provider      the {@link BackendProvider}'s class, with a public no-argument constructor,
     *                      or for a device row one taking {@code (name, driverFactory, library)}
     * @param driverFactory for a device backend, the binding's driver factory class; else {@code null}
     * @param library       for a device backend, the binding library in words, for the reason when it is missing
     */
    public record Row(String name, int autoRank, String provider, String driverFactory, String library) {
        /** A backend with a provider of its own ({@code reference}, {@code cpu}). */
        public static Row of(String name, int autoRank, String provider) {
            return new Row(name, autoRank, provider, null, null);
        }

        /** A backend of the device engine over the driver factory of one binding. */
        public static Row device(String name, int autoRank, String driverFactory, String library) {
            return new Row(name, autoRank, DEVICE_PROVIDER, driverFactory, library);
        }
    }

    private final List<Row> rows;
    private Map<String, BackendProvider> providers;

    private BackendTable(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    /** This table and one more row (an application's or a test's own binding). */
    public BackendTable with(Row row) {
        List<Row> more = new ArrayList<>(rows);
        more.removeIf(existing -> existing.name().equals(row.name()));
        more.add(row);
        return new BackendTable(more);
    }

    public List<Row> rows() {
        return rows;
    }

    /** Every name, in table order, and {@code auto}. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        rows.forEach(row -> names.add(row.name()));
        names.add("auto");
        return List.copyOf(names);
    }

    /** The names {@code auto} tries, in order. */
    public List<String> autoOrder() {
        return rows.stream().filter(row -> row.autoRank() != NEVER).sorted(Comparator.comparingInt(Row::autoRank))
                .map(Row::name).toList();
    }

    /** The providers whose classes load here, by name, made once; one that cannot load is left out (its backend is "not implemented"). */
    synchronized Map<String, BackendProvider> providers() {
        if (providers == null) {
            Map<String, BackendProvider> made = new LinkedHashMap<>();
            for (Row row : rows) {
                BackendProvider provider = make(row);
                if (provider != null) {
                    made.put(row.name(), provider);
                }
            }
            providers = made;
        }
        return providers;
    }

    /** The provider of {@code name}, or {@code null} when there is no such row or its class cannot load here. */
    public BackendProvider provider(String name) {
        return providers().get(name);
    }

    private static BackendProvider make(Row row) {
        try {
            Class<? extends BackendProvider> type = Class.forName(row.provider(), true, BackendTable.class.getClassLoader())
                    .asSubclass(BackendProvider.class);
            return row.driverFactory() == null ? type.getConstructor().newInstance()
                    : type.getConstructor(String.class, String.class, String.class)
                            .newInstance(row.name(), row.driverFactory(), row.library());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return null;
        }
    }
}

package dev.deltaprop.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A backend name with a device list, {@code name:devices}, opened as a {@link DataParallelBackend}
 * with one replica per device:
 *
 * <ul>
 * <li>{@code opencl:all}, {@code cuda:all} — every usable device of the binding, equal shares;</li>
 * <li>{@code opencl:0,1}, {@code cuda:0,1} — the devices so selected (an index, or a substring of
 *     the device's name, as the device variables {@code DELTAPROP_OPENCL_DEVICE} and
 *     {@code DELTAPROP_CUDA_DEVICE} take them), equal shares;</li>
 * <li>{@code cuda:0=3,1=1} — with shares: device 0 takes three quarters of every batch.</li>
 * </ul>
 *
 * Everything is checked before a device is opened; a device that then fails to start closes the
 * ones opened before it ({@link DataParallelBackend#open}).
 */
final class DeviceList {
    private DeviceList() {
    }

    /** Whether {@code name} carries a device list. */
    static boolean has(String name) {
        return name != null && name.indexOf(':') >= 0;
    }

    /**
     * Opens {@code name} ({@code backend:devices}).
     *
     * @param known     checks a backend name and returns its key (throws for an unknown one)
     * @param providers the provider of a key, or {@code null} when it is not built in
     */
    static DataParallelBackend open(String name, Function<String, String> known, Function<String, BackendProvider> providers) {
        String text = name.trim();
        int colon = text.indexOf(':');
        String key = known.apply(text.substring(0, colon));
        String spec = text.substring(colon + 1).trim();
        if (key.equals("auto")) {
            throw new IllegalArgumentException("backend: '" + name + "': auto takes no device list; name the backend, e.g. opencl:all");
        }
        BackendProvider provider = providers.apply(key);
        if (provider == null) {
            throw new BackendUnavailableException(key + ": not implemented in this version of deltaprop");
        }
        List<String> selections = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        if (spec.equalsIgnoreCase("all")) {
            String reason = provider.unavailableReason();
            List<String> devices = provider.devices();
            if (devices.isEmpty()) {
                throw new BackendUnavailableException(text + ": no device to open"
                        + (reason != null ? ": " + reason : key.equals("cpu") || key.equals("reference")
                        ? " (" + key + " has no devices; build a DataParallelBackend from " + key + " backends)"
                        : " (this binding cannot open a chosen device)"));
            }
            selections.addAll(devices);
            devices.forEach(device -> shares.add(1.0));
        } else {
            if (spec.isEmpty()) {
                throw new IllegalArgumentException("backend: '" + name + "': expected devices after ':' (all, or e.g. 0,1 or 0=3,1=1)");
            }
            for (String item : spec.split(",", -1)) {
                String entry = item.trim();
                int equals = entry.indexOf('=');
                String selection = (equals < 0 ? entry : entry.substring(0, equals)).trim();
                if (selection.isEmpty()) {
                    throw new IllegalArgumentException("backend: '" + name + "': expected a device index or name in every item"
                            + " of the list, found '" + item + "'");
                }
                if (selections.contains(selection)) {
                    throw new IllegalArgumentException("backend: '" + name + "': device " + selection + " is listed twice");
                }
                selections.add(selection);
                shares.add(equals < 0 ? 1.0 : share(name, selection, entry.substring(equals + 1).trim()));
            }
        }
        double[] weights = new double[shares.size()];
        List<String> labels = new ArrayList<>();
        List<Supplier<Backend>> openers = new ArrayList<>();
        for (int r = 0; r < weights.length; r++) {
            weights[r] = shares.get(r);
            String selection = selections.get(r);
            labels.add("device " + selection);
            openers.add(() -> provider.open(selection));
        }
        return DataParallelBackend.open(key + ":" + spec, labels, openers, weights);
    }

    private static double share(String name, String selection, String text) {
        double share;
        try {
            share = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            share = Double.NaN;
        }
        if (!(share > 0) || Double.isInfinite(share)) {
            throw new IllegalArgumentException("backend: '" + name + "': the share of device " + selection
                    + ": expected a finite number > 0, found '" + text + "'");
        }
        return share;
    }
}

package dev.deltaprop.cli;

import dev.deltaprop.backend.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --backend} list of {@code bench}: names separated by commas, where a device list
 * ({@code opencl:0,1}) keeps its own commas — an item after one that is not a backend name
 * continues its list ({@code opencl:0,1,cpu} is {@code opencl:0,1} then {@code cpu}). A
 * multi-device backend is compared with one device of its kind ({@code opencl:all} with
 * {@code opencl}, the device its variable selects), which is measured too when not listed.
 */
final class BackendList {
    private BackendList() {
    }

    static List<String> parse(String text) {
        List<String> names = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String name = item.trim();
            int last = names.size() - 1;
            boolean continues = last >= 0 && names.get(last).contains(":") && !name.contains(":")
                    && !Backends.NAMES.contains(name.toLowerCase(Locale.ROOT));
            if (continues) {
                names.set(last, names.get(last) + "," + name);
            } else {
                names.add(name);
            }
        }
        return names;
    }

    /** The one-device backend {@code name} is compared with, or {@code null} for a backend of one device. */
    static String singleDevice(String name) {
        int colon = name.indexOf(':');
        return colon < 0 ? null : name.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    }

    /** {@code names} and, after them, each multi-device backend's one-device peer that is not among them. */
    static List<String> withSingleDevices(List<String> names) {
        List<String> all = new ArrayList<>(names);
        for (String name : names) {
            String single = singleDevice(name);
            if (single != null && !all.contains(single)) {
                all.add(single);
            }
        }
        return all;
    }

    /** A table: per training workload, samples/s on the devices, on one device, and their ratio. */
    static String scalingTable(String name, String single, Map<String, Map<String, Double>> rates) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "scaling of %s against %s (one device), samples/s:%n", name, single));
        text.append(String.format(Locale.ROOT, "  %-12s %14s %14s %8s%n", "workload", name, single, "ratio"));
        Map<String, Double> many = rates.getOrDefault(name, Map.of());
        Map<String, Double> one = rates.getOrDefault(single, Map.of());
        for (Map.Entry<String, Double> entry : many.entrySet()) {
            Double base = one.get(entry.getKey());
            text.append(String.format(Locale.ROOT, "  %-12s %14.0f %14s %8s%n", entry.getKey(), entry.getValue(),
                    base == null ? "—" : String.format(Locale.ROOT, "%.0f", base),
                    base == null ? "—" : String.format(Locale.ROOT, "%.2f×", entry.getValue() / base)));
        }
        return text.toString();
    }

    /** As {@link #scalingTable}, one JSON object: {@code {"scaling":{"backend":…,"against":…,"ratio":{workload: r}}}}. */
    static String scalingJson(String name, String single, Map<String, Map<String, Double>> rates) {
        StringBuilder json = new StringBuilder();
        json.append("{\"scaling\":{\"backend\":\"").append(name).append("\",\"against\":\"").append(single)
                .append("\",\"ratio\":{");
        Map<String, Double> one = rates.getOrDefault(single, Map.of());
        String separator = "";
        for (Map.Entry<String, Double> entry : rates.getOrDefault(name, Map.of()).entrySet()) {
            Double base = one.get(entry.getKey());
            if (base != null) {
                json.append(separator).append('"').append(entry.getKey()).append("\":")
                        .append(String.format(Locale.ROOT, "%.4f", entry.getValue() / base));
                separator = ",";
            }
        }
        return json.append("}}}").toString();
    }
}

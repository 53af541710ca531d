package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The tiling macros the kernels are compiled with ({@code kernels/tiles.h},
 * {@code kernels/delta_output.h}), chosen per kind of device from a small table and overridable
 * for tuning with the system property {@value #PROPERTY}, e.g.
 * {@code -Ddeltaprop.tiles=TM=64,TN=64,TK=16,WM=4,WN=4,VW=4,REDUCE=256} (any subset).
 *
 * <ul>
 *   <li>{@code TM × TN}: the block of a GEMM result one work-group owns;</li>
 *   <li>{@code TK}: the K step, the depth of the slices staged in local memory;</li>
 *   <li>{@code WM × WN}: the block one work-item owns in registers, so a group has
 *       {@code (TN/WN)·(TM/WM)} work-items;</li>
 *   <li>{@code VW}: the width of global loads, 1 or 4;</li>
 *   <li>{@code REDUCE}: the work-group size of the element-wise kernels and the loss reduction.</li>
 * </ul>
 */
public final class TileProfile {
    /** The system property that overrides the table. */
    public static final String PROPERTY = "deltaprop.tiles";

    private static final String[] NAMES = {"TM", "TN", "TK", "WM", "WN", "VW", "REDUCE"};

    /** A GPU: 16×16 work-items, each a 4×4 block, K in steps of 16 — the classic shape for 32/64-wide SIMT. */
    private static final int[] GPU = {64, 64, 16, 4, 4, 4, 256};
    /**
     * A CPU device such as PoCL: 8×8 floats per work-item. Measured on PoCL 3.1, 2 AVX-512 cores
     * (docs/perf-opencl.md): the 8-row register block roughly doubles the GPU shape's 4×4 (each
     * work-item is one loop iteration on a CPU, so more work per item amortises the loads), and
     * 4-wide loads beat scalar ones by about 1.7×; TK 16, 32 and 64 were within the noise.
     */
    private static final int[] CPU = {64, 64, 16, 8, 8, 4, 256};

    private final Map<String, Integer> values;

    private TileProfile(Map<String, Integer> values) {
        this.values = values;
    }

    /**
     * The profile for the driver's device: the table's entry for its type, then the overrides
     * of {@value #PROPERTY}, checked against the kernels' constraints and the device's largest group.
     *
     * @throws IllegalArgumentException naming {@value #PROPERTY} and the rule broken
     */
    static TileProfile forDevice(Driver.DeviceType type, int maxGroupSize) {
        int[] base = type == Driver.DeviceType.CPU ? CPU : GPU;
        Map<String, Integer> values = new LinkedHashMap<>();
        for (int k = 0; k < NAMES.length; k++) {
            values.put(NAMES[k], base[k]);
        }
        String override = System.getProperty(PROPERTY);
        if (override != null && !override.isBlank()) {
            for (String assignment : override.split(",")) {
                String[] parts = assignment.trim().split("=");
                String name = parts[0].trim().toUpperCase(Locale.ROOT);
                if (parts.length != 2 || !values.containsKey(name)) {
                    throw new IllegalArgumentException(PROPERTY + ": expected NAME=value pairs with NAME one of "
                            + String.join(", ", NAMES) + ", found '" + assignment + "'");
                }
                try {
                    values.put(name, Integer.parseInt(parts[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(PROPERTY + ": " + name + " expected an integer, found '" + parts[1] + "'");
                }
            }
        }
        TileProfile profile = new TileProfile(values);
        profile.validate(maxGroupSize);
        return profile;
    }

    private void validate(int maxGroupSize) {
        for (String name : NAMES) {
            require(get(name) >= 1, name + " expected at least 1, found " + get(name));
        }
        require(tm() % wm() == 0, "WM expected to divide TM=" + tm() + ", found " + wm());
        require(tn() % wn() == 0, "WN expected to divide TN=" + tn() + ", found " + wn());
        require(vw() == 1 || vw() == 4, "VW expected 1 or 4, found " + vw());
        require(tm() % vw() == 0 && tn() % vw() == 0 && tk() % vw() == 0,
                "TM, TN and TK expected multiples of VW=" + vw() + ", found " + tm() + ", " + tn() + ", " + tk());
        require(Integer.bitCount(reduce()) == 1, "REDUCE expected a power of two, found " + reduce());
        require(groupColumns() * groupRows() <= maxGroupSize, "(TN/WN)·(TM/WM) expected at most the device's "
                + maxGroupSize + " work-items per group, found " + groupColumns() * groupRows());
        require(reduce() <= maxGroupSize, "REDUCE expected at most the device's " + maxGroupSize
                + " work-items per group, found " + reduce());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(PROPERTY + ": " + message);
        }
    }

    private int get(String name) {
        return values.get(name);
    }

    int tm() {
        return get("TM");
    }

    int tn() {
        return get("TN");
    }

    int tk() {
        return get("TK");
    }

    int wm() {
        return get("WM");
    }

    int wn() {
        return get("WN");
    }

    int vw() {
        return get("VW");
    }

    int reduce() {
        return get("REDUCE");
    }

    /** Work-items per group along the columns, {@code TN/WN}. */
    int groupColumns() {
        return tn() / wn();
    }

    /** Work-items per group along the rows, {@code TM/WM}. */
    int groupRows() {
        return tm() / wm();
    }

    /** The {@code -D} macros, by name. */
    Map<String, String> defines() {
        Map<String, String> defines = new LinkedHashMap<>();
        values.forEach((name, value) -> defines.put(name, Integer.toString(value)));
        return defines;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        values.forEach((name, value) -> s.append(s.length() == 0 ? "" : ",").append(name).append('=').append(value));
        return s.toString();
    }
}

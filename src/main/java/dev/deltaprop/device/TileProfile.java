package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The tiling macros the kernels are compiled with ({@code kernels/gemm_classes.h},
 * {@code kernels/tiles.h}), chosen per kind of device from a small table and overridable for
 * tuning with the system property {@value #PROPERTY}, e.g.
 * {@code -Ddeltaprop.tiles=LARGE_TK=16,SMALL_WM=8} (any subset).
 *
 * <ul>
 *   <li>{@code SMALL_*}, {@code LARGE_*}: the two tile classes of the warp-tiled core that every
 *       GEMM of a step runs on (forward, delta_hidden, update; kernels/warp_gemm.h), one class
 *       picked per shape by {@link GemmPlan}: {@code TM × TN}, the block of the result one
 *       work-group owns; {@code TK}, its K step, the depth of the slices staged in local memory;
 *       {@code WM × WN}, the block one work-item owns in registers, so a group has
 *       {@code (TM/WM)·(TN/WN)} work-items;</li>
 *   <li>{@code LANES_N}: the lanes of a 32-wide warp that sit side by side along N in that core;</li>
 *   <li>{@code REDUCE}: the work-group size of the element-wise kernels, the loss reduction and
 *       the split-K reductions.</li>
 * </ul>
 */
public final class TileProfile {
    /** The system property that overrides the table. */
    public static final String PROPERTY = "deltaprop.tiles";

    private static final String[] NAMES = {"REDUCE",
        "SMALL_TM", "SMALL_TN", "SMALL_TK", "SMALL_WM", "SMALL_WN",
        "LARGE_TM", "LARGE_TN", "LARGE_TK", "LARGE_WM", "LARGE_WN", "LANES_N"};

    /**
     * A GPU. The small class: 64×64 tiles of 4×4 per item, K in steps of 16 — the classic shape
     * for 32/64-wide SIMT. The large class: 128×128 of 8×8 per item with K in steps of 8, because
     * at a step of 16 the prefetch registers push sm_90 past 128 registers into spills
     * (build-cuda.sh --report, docs/perf-cuda.md), and 128 is what two 256-item groups per
     * multiprocessor allow.
     */
    private static final int[] GPU = {256, 64, 64, 16, 4, 4, 128, 128, 8, 8, 8, 8};
    /**
     * A CPU device such as PoCL: 8×8 floats per work-item in both classes. Measured on PoCL 3.1,
     * 2 AVX-512 cores (docs/perf-opencl.md, on the core before the warp-tiled one): the 8-row
     * register block roughly doubled the GPU shape's 4×4 (each work-item is one loop iteration on
     * a CPU, so more work per item amortises the loads); TK 16, 32 and 64 were within the noise.
     */
    private static final int[] CPU = {256, 64, 64, 16, 8, 8, 128, 128, 16, 8, 8, 8};

    private final Map<String, Integer> values;
    private final boolean largeClassByShape;

    private TileProfile(Map<String, Integer> values, boolean largeClassByShape) {
        this.values = values;
        this.largeClassByShape = largeClassByShape;
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
        TileProfile profile = new TileProfile(values, type != Driver.DeviceType.CPU);
        profile.validate(maxGroupSize);
        return profile;
    }

    private void validate(int maxGroupSize) {
        for (String name : NAMES) {
            require(get(name) >= 1, name + " expected at least 1, found " + get(name));
        }
        require(Integer.bitCount(reduce()) == 1, "REDUCE expected a power of two, found " + reduce());
        require(reduce() <= maxGroupSize, "REDUCE expected at most the device's " + maxGroupSize
                + " work-items per group, found " + reduce());
        int lanesN = get("LANES_N");
        require(lanesN <= 32 && 32 % lanesN == 0, "LANES_N expected to divide 32, found " + lanesN);
        small().validate(lanesN, maxGroupSize);
        large().validate(lanesN, maxGroupSize);
    }

    /**
     * Whether {@link GemmPlan} may give a shape the large class on this device. Not on a CPU
     * device: on PoCL the large class ran 2.4× slower than the small one at 1024³ (same load,
     * docs/perf-opencl.md), because PoCL keeps each work-item's sums in memory across the K
     * loop's barrier, and 256 items × 64 sums (64 KiB) outgrow the core's L1 where the small
     * class's 64 × 64 (16 KiB) do not. The large class is still built and tested there.
     */
    boolean largeClassByShape() {
        return largeClassByShape;
    }

    /** The small tile class of the warp-tiled core ({@code SMALL_*}). */
    Tiles small() {
        return tiles("SMALL");
    }

    /** The large tile class of the warp-tiled core ({@code LARGE_*}). */
    Tiles large() {
        return tiles("LARGE");
    }

    private Tiles tiles(String prefix) {
        return new Tiles(prefix.toLowerCase(Locale.ROOT), get(prefix + "_TM"), get(prefix + "_TN"), get(prefix + "_TK"),
                get(prefix + "_WM"), get(prefix + "_WN"));
    }

    /**
     * One tile class of the warp-tiled core (kernels/warp_gemm.h): a {@code tm × tn} tile per group,
     * K in steps of {@code tk}, {@code wm × wn} per work-item; its kernels are named
     * {@code forward_gemm_}{@link #name}, {@code delta_hidden_gemm_}{@link #name},
     * {@code update_gemm_}{@link #name}.
     */
    record Tiles(String name, int tm, int tn, int tk, int wm, int wn) {
        /** Work-items per group, {@code (tm/wm)·(tn/wn)}, launched 1-D. */
        int items() {
            return (tm / wm) * (tn / wn);
        }

        private void validate(int lanesN, int maxGroupSize) {
            String p = name.toUpperCase(Locale.ROOT) + "_";
            require(wm % 4 == 0 && wn % 4 == 0, p + "WM and " + p + "WN expected multiples of 4 (4×4 sub-blocks), found "
                    + wm + ", " + wn);
            require(tk >= 1, p + "TK expected at least 1, found " + tk);
            int lanesM = 32 / lanesN;
            require(tm % (lanesM * wm) == 0, p + "TM expected a multiple of (32/LANES_N)·" + p + "WM = " + lanesM * wm
                    + ", found " + tm);
            require(tn % (lanesN * wn) == 0, p + "TN expected a multiple of LANES_N·" + p + "WN = " + lanesN * wn
                    + ", found " + tn);
            require(items() % 32 == 0, "(" + p + "TM/" + p + "WM)·(" + p + "TN/" + p + "WN) expected whole warps of 32,"
                    + " found " + items());
            require(tk * tm / 4 % items() == 0 && tk * tn / 4 % items() == 0, p + "TK·" + p + "TM/4 and " + p + "TK·" + p
                    + "TN/4 expected multiples of the " + items() + " work-items (each fetches whole float4s), found "
                    + tk * tm / 4 + ", " + tk * tn / 4);
            require(items() <= maxGroupSize, "(" + p + "TM/" + p + "WM)·(" + p + "TN/" + p + "WN) expected at most the device's "
                    + maxGroupSize + " work-items per group, found " + items());
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(PROPERTY + ": " + message);
        }
    }

    private int get(String name) {
        return values.get(name);
    }

    int reduce() {
        return get("REDUCE");
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

package dev.deltaprop.device;

import java.util.Locale;

/**
 * How one forward, delta_hidden or update GEMM ({@code C = A·B}, {@code M × N} over {@code K}) is
 * launched: which tile class of the warp-tiled core, and into how many splits of K. This class is
 * the one place where both are decided.
 *
 * <p><b>The three GEMMs of a layer.</b> forward: {@code M = batch}, {@code N = n_l},
 * {@code K = n_{l-1}}; delta_hidden: {@code M = batch}, {@code N = n_l}, {@code K = n_{l+1}};
 * update: {@code M = n_{l-1} + 1} (the weights' rows and the bias row, kernels/update.h),
 * {@code N = n_l}, {@code K = batch} ({@code Kernels.updatePlan}). An update of a small layer is a
 * grid of one or two groups over a deep K, the case split-K is for: unsplit it would walk the
 * whole batch in one group. An unsplit update steps the parameters in its GEMM's epilogue; a
 * split one stores partial sums and steps them in its reduce ({@code update_reduce}), once per
 * parameter. The gradient sums of data-parallel training take the update's plan.
 *
 * <p><b>The bias of an update</b> ({@link #updateBiasRow}) is the GEMM's last row, a row of ones
 * below {@code Zᵀ}: free where {@code n_in} is not a multiple of the tile height (the last row
 * of tiles has a spare row), a whole extra row of tiles where it is. There, if the update is
 * split anyway, the reduce sums each bias's column of {@code Δ} itself instead (no launch of
 * its own); unsplit, the extra row stays (an unsplit update has many rows of tiles, so one
 * more is a small share, and a column pass would cost a launch). Measured on PoCL
 * (BiasGradientTiming, docs/perf.md): on {@code tiny}'s 64-input layers, the extra row of tiles
 * made an update about 1.7× slower than the GEMM without it plus a column pass.
 *
 * <p><b>Tile class.</b> The large class ({@code LARGE_TM × LARGE_TN}, 8×8 per work-item) does
 * four times the work per group of the small one, so it pays only when the result has room for
 * it: {@code M ≥ LARGE_TM}, {@code N ≥ LARGE_TN}, and its grid still gives every compute unit at
 * least one group. Otherwise the small class, whose four-times-larger grid spreads better. On a
 * CPU device the small class always ({@link TileProfile#largeClassByShape}: measured slower there).
 *
 * <p><b>Split-K.</b> A grid of {@code g} groups on a device of {@code c} compute units leaves
 * units idle when it is short of two waves, {@code 2c} groups (one to run, one to hide the tail).
 * K is split into {@code S = ⌊2c / g⌋} ranges (so {@code g·S ≤ 2c}; no split once {@code g > c}), each at least {@value #MIN_SPLIT_K}
 * deep (a split shallower than that spends more on its partial sums than it saves), at most
 * {@value #MAX_SPLITS}; each range a multiple of the class's K step. The splits write partial
 * sums that one more launch adds in split order (kernels/split_k.h), so a result is bitwise the
 * same on every run for a given shape and device — no atomics.
 *
 * <p><b>Override</b>, for measurement: the system property {@value #PROPERTY}, e.g.
 * {@code -Ddeltaprop.gemm=class=large,splits=4}: {@code class} one of {@code auto}, {@code small},
 * {@code large}; {@code splits} {@code auto} or a number from 1 (the split is still at least one
 * K step deep, so a small K may get fewer); {@code bias} {@code auto} or {@code row} (every
 * update's bias as the GEMM's row of ones, the rule above set aside).
 *
 * @param tiles   the tile class
 * @param splits  the number of K ranges actually launched, {@code ⌈K / kSplit⌉}, at least 1
 * @param kSplit  the depth of each range (the last may be shorter), a multiple of {@code tiles.tk()}
 * @param biasRow an update's bias is always the GEMM's row of ones ({@code bias=row}), else by the rule
 */
record GemmPlan(TileProfile.Tiles tiles, int splits, int kSplit, boolean biasRow) {
    /** The system property that overrides the choice. */
    static final String PROPERTY = "deltaprop.gemm";
    /** The shallowest K range a split is given. */
    static final int MIN_SPLIT_K = 64;
    /** The most splits of one GEMM. */
    static final int MAX_SPLITS = 16;

    /** The plan for an {@code m × n} result over {@code k}, on a device of {@code computeUnits}, after the override. */
    static GemmPlan choose(TileProfile profile, int computeUnits, int m, int n, int k) {
        String className = "auto";
        String splitsValue = "auto";
        boolean biasRow = false;
        String override = System.getProperty(PROPERTY);
        if (override != null && !override.isBlank()) {
            for (String assignment : override.split(",")) {
                String[] parts = assignment.trim().split("=");
                String name = parts[0].trim().toLowerCase(Locale.ROOT);
                if (parts.length != 2 || !(name.equals("class") || name.equals("splits") || name.equals("bias"))) {
                    throw new IllegalArgumentException(PROPERTY + ": expected class=auto|small|large,"
                            + " splits=auto|N and/or bias=auto|row, found '" + assignment + "'");
                }
                String value = parts[1].trim().toLowerCase(Locale.ROOT);
                if (name.equals("bias")) {
                    if (!(value.equals("auto") || value.equals("row"))) {
                        throw new IllegalArgumentException(PROPERTY + ": bias expected auto or row, found '" + parts[1]
                                + "'");
                    }
                    biasRow = value.equals("row");
                } else if (name.equals("class")) {
                    if (!(value.equals("auto") || value.equals("small") || value.equals("large"))) {
                        throw new IllegalArgumentException(PROPERTY + ": class expected auto, small or large, found '"
                                + parts[1] + "'");
                    }
                    className = value;
                } else {
                    if (!value.equals("auto") && !(value.matches("[0-9]{1,4}") && Integer.parseInt(value) >= 1)) {
                        throw new IllegalArgumentException(PROPERTY + ": splits expected auto or a number from 1, found '"
                                + parts[1] + "'");
                    }
                    splitsValue = value;
                }
            }
        }
        TileProfile.Tiles tiles = switch (className) {
            case "small" -> profile.small();
            case "large" -> profile.large();
            default -> tileClass(profile, computeUnits, m, n);
        };
        int splits = splitsValue.equals("auto") ? splits(tiles, computeUnits, m, n, k) : Integer.parseInt(splitsValue);
        GemmPlan plan = of(tiles, splits, k);
        return biasRow ? new GemmPlan(plan.tiles, plan.splits, plan.kSplit, true) : plan;
    }

    /** The tile class the rule above gives an {@code m × n} result. */
    static TileProfile.Tiles tileClass(TileProfile profile, int computeUnits, int m, int n) {
        TileProfile.Tiles large = profile.large();
        boolean fits = profile.largeClassByShape() && m >= large.tm() && n >= large.tn()
                && groups(large, m, n) >= computeUnits;
        return fits ? large : profile.small();
    }

    /** The number of K splits the rule above asks of {@code tiles} for this shape (before rounding to K steps). */
    static int splits(TileProfile.Tiles tiles, int computeUnits, int m, int n, int k) {
        long groups = groups(tiles, m, n);
        long target = 2L * computeUnits;
        if (groups * 2 > target) {
            return 1;
        }
        long byGrid = target / groups;
        long byDepth = Math.max(1, k / MIN_SPLIT_K);
        return (int) Math.min(MAX_SPLITS, Math.min(byGrid, byDepth));
    }

    /** {@code wanted} splits of {@code k} for {@code tiles}: ranges a whole number of K steps deep, none empty. */
    static GemmPlan of(TileProfile.Tiles tiles, int wanted, int k) {
        int steps = (k + tiles.tk() - 1) / tiles.tk();
        int stepsPerSplit = (steps + wanted - 1) / wanted;
        int kSplit = Math.max(1, stepsPerSplit) * tiles.tk();
        int splits = (k + kSplit - 1) / kSplit;
        return new GemmPlan(tiles, Math.max(1, splits), kSplit, false);
    }

    /** Groups of {@code tiles} over an {@code m × n} result, before splitting. */
    static long groups(TileProfile.Tiles tiles, int m, int n) {
        return (long) ((m + tiles.tm() - 1) / tiles.tm()) * ((n + tiles.tn() - 1) / tiles.tn());
    }

    /**
     * Whether an update of {@code nIn} inputs under this plan computes its bias as the GEMM's row
     * of ones (else a split update's reduce sums the bias's column of Δ): unless the ones row
     * would add a row of tiles to a split GEMM.
     */
    boolean updateBiasRow(int nIn) {
        return biasRow || splits == 1 || nIn % tiles.tm() != 0;
    }

    @Override
    public String toString() {
        return tiles.name() + (splits > 1 ? ", " + splits + " splits of K " + kSplit : "");
    }
}

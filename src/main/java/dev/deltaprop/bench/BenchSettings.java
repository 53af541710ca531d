package dev.deltaprop.bench;

/**
 * How many steps a benchmark takes: {@code warmup} untimed steps (kernel builds, JIT, caches),
 * {@code steps} steps timed one by one with profiling off (the reported time is their median),
 * then {@code profiledSteps} steps with per-family profiling on (the split per family is the
 * median of those).
 *
 * <p>The defaults are 3 warm-up, 20 timed and 10 profiled steps (the host overhead is a difference
 * of two medians, so the profiled side needs more than a handful). The {@code reference} backend is
 * the double-precision oracle, index by index, well under 1 GFLOP/s: there the defaults drop to 1
 * warm-up and 5 timed steps ({@code mnist} then takes seconds, not minutes), and a workload of
 * more than {@link #REFERENCE_LIMIT_FLOPS} per step ({@code wide}: 23.6 GFLOP, {@code gemm-N}
 * from N = 1260) is refused unless the steps are given explicitly, since one step alone takes
 * tens of seconds.
 *
 * @param warmup        untimed steps first, {@code ≥ 0}
 * @param steps         timed steps, {@code ≥ 1}
 * @param profiledSteps steps with profiling on, {@code ≥ 0} (ignored for a backend that is not profiled)
 * @param explicitSteps whether the user chose {@code steps}, which lifts the reference limit
 */
public record BenchSettings(int warmup, int steps, int profiledSteps, boolean explicitSteps) {

    public static final int DEFAULT_WARMUP = 3;
    public static final int DEFAULT_STEPS = 20;
    public static final int DEFAULT_PROFILED_STEPS = 10;
    public static final int REFERENCE_WARMUP = 1;
    public static final int REFERENCE_STEPS = 5;

    /** Above this many counted operations per step the reference backend refuses a workload by default. */
    public static final long REFERENCE_LIMIT_FLOPS = 4_000_000_000L;

    public BenchSettings {
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup: expected at least 0, found " + warmup);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps: expected at least 1, found " + steps);
        }
        if (profiledSteps < 0) {
            throw new IllegalArgumentException("profiled-steps: expected at least 0, found " + profiledSteps);
        }
    }

    /**
     * The settings for {@code backend}, each value the user's where given ({@code null} where not).
     *
     * @throws IllegalArgumentException naming the option whose value is out of range
     */
    public static BenchSettings choose(String backend, Integer warmup, Integer steps, Integer profiledSteps) {
        boolean reference = isReference(backend);
        return new BenchSettings(
                warmup != null ? warmup : reference ? REFERENCE_WARMUP : DEFAULT_WARMUP,
                steps != null ? steps : reference ? REFERENCE_STEPS : DEFAULT_STEPS,
                profiledSteps != null ? profiledSteps : DEFAULT_PROFILED_STEPS,
                steps != null);
    }

    /**
     * Why {@code workload} is not run on {@code backend} with these settings, or {@code null} if it is.
     */
    public String refusal(String backend, Workload workload) {
        if (isReference(backend) && !explicitSteps && workload.flopsPerStep() > REFERENCE_LIMIT_FLOPS) {
            return String.format(java.util.Locale.ROOT,
                    "%s on the reference backend: %.1f GFLOP per step, in double index by index, is tens of seconds"
                            + " a step; refused by default (the limit is %.0f GFLOP). Use a faster backend"
                            + " (--backend opencl, cpu, cuda), a smaller workload, or pass --steps N to run it anyway",
                    workload.name(), workload.flopsPerStep() / 1e9, REFERENCE_LIMIT_FLOPS / 1e9);
        }
        return null;
    }

    private static boolean isReference(String backend) {
        return "reference".equals(backend);
    }
}

package dev.deltaprop.bench;

/**
 * How many steps a benchmark takes: untimed warm-up steps (kernel builds, JIT, caches) until
 * both at least {@code warmup} steps and at least {@code warmupSeconds} seconds have gone by,
 * {@code steps} steps timed one by one with profiling off (the reported time is their median),
 * then {@code profiledSteps} steps with per-family profiling on (the split per family is the
 * median of those).
 *
 * <p>The defaults are 3 warm-up steps and at least {@value #DEFAULT_WARMUP_SECONDS} s of warm-up,
 * 20 timed and 10 profiled steps (the host overhead is a difference of two medians, so the
 * profiled side needs more than a handful). The time rule is there because a count alone
 * under-reports a JIT-compiled backend: the {@code cpu} backend's Vector API kernel is compiled
 * by C2 only after 1–2 s of running, and 3 steps of {@code mnist} are far less than that, so its
 * timed steps used to run partly interpreted (about half the speed). Past the minimum time the
 * warm-up also waits for the JIT to be quiet ({@link Benchmark#JIT_QUIET_NANOS}), since on a
 * loaded machine the compilation takes several times longer. The {@code reference} backend is
 * the double-precision oracle, index by index, well under 1 GFLOP/s: there the defaults drop to 1
 * warm-up step with no minimum time and 5 timed steps ({@code mnist} then takes seconds, not minutes), and a workload of
 * more than {@link #REFERENCE_LIMIT_FLOPS} per step ({@code wide}: 23.6 GFLOP, {@code gemm-N}
 * from N = 1260) is refused unless the steps are given explicitly, since one step alone takes
 * tens of seconds.
 *
 * @param warmup        untimed steps first, at least this many, {@code ≥ 0}
 * @param steps         timed steps, {@code ≥ 1}
 * @param profiledSteps steps with profiling on, {@code ≥ 0} (ignored for a backend that is not profiled)
 * @param explicitSteps whether the user chose {@code steps}, which lifts the reference limit
 * @param warmupSeconds untimed steps go on until at least this many seconds have gone by (and at
 *                      least {@code warmup} steps were taken, and, unless 0, the JIT is quiet),
 *                      finite and {@code ≥ 0}
 */
public record BenchSettings(int warmup, int steps, int profiledSteps, boolean explicitSteps, double warmupSeconds) {

    public static final int DEFAULT_WARMUP = 3;
    public static final int DEFAULT_STEPS = 20;
    public static final int DEFAULT_PROFILED_STEPS = 10;
    public static final int REFERENCE_WARMUP = 1;
    /** Minimum warm-up time on every backend but the reference: past the JIT's compilation of the cpu kernels. */
    public static final double DEFAULT_WARMUP_SECONDS = 2.0;
    public static final double REFERENCE_WARMUP_SECONDS = 0.0;
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
        if (!(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds)) {
            throw new IllegalArgumentException("warmup-seconds: expected a finite number at least 0, found " + warmupSeconds);
        }
    }

    /** A count-only warm-up ({@code warmupSeconds} = 0). */
    public BenchSettings(int warmup, int steps, int profiledSteps, boolean explicitSteps) {
        this(warmup, steps, profiledSteps, explicitSteps, 0.0);
    }

    /**
     * The settings for {@code backend}, each value the user's where given ({@code null} where not).
     *
     * @throws IllegalArgumentException naming the option whose value is out of range
     */
    public static BenchSettings choose(String backend, Integer warmup, Integer steps, Integer profiledSteps) {
        return choose(backend, warmup, null, steps, profiledSteps);
    }

    /**
     * As {@link #choose(String, Integer, Integer, Integer)} with the minimum warm-up time too. The
     * two warm-up minima default independently: {@code --warmup 0} alone still warms up for
     * {@value #DEFAULT_WARMUP_SECONDS} s; {@code --warmup-seconds 0} makes the warm-up a count only.
     */
    public static BenchSettings choose(String backend, Integer warmup, Double warmupSeconds, Integer steps,
                                       Integer profiledSteps) {
        boolean reference = isReference(backend);
        return new BenchSettings(
                warmup != null ? warmup : reference ? REFERENCE_WARMUP : DEFAULT_WARMUP,
                steps != null ? steps : reference ? REFERENCE_STEPS : DEFAULT_STEPS,
                profiledSteps != null ? profiledSteps : DEFAULT_PROFILED_STEPS,
                steps != null,
                warmupSeconds != null ? warmupSeconds : reference ? REFERENCE_WARMUP_SECONDS : DEFAULT_WARMUP_SECONDS);
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

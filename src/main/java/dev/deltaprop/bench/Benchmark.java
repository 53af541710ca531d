package dev.deltaprop.bench;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.backend.JitActivity;
import dev.deltaprop.backend.LazyLoss;
import dev.deltaprop.backend.LossReading;
import dev.deltaprop.backend.Profiled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Runs one {@link Workload} on a backend: load the workload's network, take warm-up steps until
 * both minima of the settings are met (a count and a time: see {@link BenchSettings}),
 * time each of the timed steps on its own with profiling off and keep the median, then, on a
 * {@link Profiled} backend, take the profiled steps and keep the median time of each kernel
 * family. Every step reuses the same fixed-seed batch, so only the parameters change between
 * steps.
 *
 * <p>On a backend whose losses wait on a device ({@link LazyLoss#readingWaits()}), the timed
 * training steps are queued ({@link LazyLoss#queueStep}) in windows of at most {@value #WINDOW}
 * steps, and the loss is read once at the end of each window — the one wait for the device that
 * makes the window's wall time include all of its device work — never after a step; each step of
 * a window is given the window's time divided by its steps, so the median is over windows. Elsewhere
 * (a host backend, and {@code predict}, which reads its outputs) each step is timed on its own.
 */
public final class Benchmark {

    /**
     * {@code η} of the timed SGD steps: small, so that tens of steps on one random batch stay far
     * from divergence (NaN or denormal arithmetic would time something other than the kernels).
     */
    public static final float LEARNING_RATE = 1e-3f;

    /**
     * The most queued steps timed as one window on a device: one wait for the device per window,
     * so a window of {@code w} steps adds {@code 1/w} of one round trip to each step's time.
     */
    public static final int WINDOW = 50;

    /**
     * How long the JIT must have been idle (its compilation time and its compiler threads' CPU time
     * unchanged) before the warm-up may end, when the minimum warm-up time is not 0: the steps'
     * code is then compiled, not merely running.
     */
    public static final long JIT_QUIET_NANOS = 1_000_000_000L;

    /** The longest the warm-up waits for a quiet JIT; the report then says it was still compiling. */
    public static final long WARMUP_LIMIT_NANOS = (long) (BenchSettings.DEFAULT_WARMUP_LIMIT_SECONDS * 1e9);

    /** Where a training step's batch comes from. */
    public enum Batches {
        /** Host arrays, {@code Backend.step(x, d, batch, η)}: uploaded by every step. */
        HOST("host"),
        /**
         * A data set of the one batch, uploaded once ({@code Backend.upload}) and stepped through
         * {@code Backend.step(data, 0, batch, η)}: on a device, nothing crosses to it per step.
         */
        DEVICE("device");

        private final String id;

        Batches(String id) {
            this.id = id;
        }

        /** As {@code --data} spells it. */
        public String id() {
            return id;
        }

        /** The value {@code --data} names. */
        public static Batches parse(String value) {
            for (Batches b : values()) {
                if (b.id.equalsIgnoreCase(value == null ? "" : value.trim())) {
                    return b;
                }
            }
            throw new IllegalArgumentException("data: expected host or device, found '" + value + "'");
        }
    }

    private Benchmark() {
    }

    /** Measures {@code workload} on {@code backend}; leaves profiling off afterwards. */
    public static BenchResult run(Backend backend, Workload workload, BenchSettings settings) {
        return run(backend, workload, settings, Batches.HOST, System::nanoTime, new JitActivity());
    }

    /** As {@link #run(Backend, Workload, BenchSettings)}, a training workload's batch taken as {@code batches} says. */
    public static BenchResult run(Backend backend, Workload workload, BenchSettings settings, Batches batches) {
        return run(backend, workload, settings, batches, System::nanoTime, new JitActivity());
    }

    /** As {@link #run(Backend, Workload, BenchSettings)} on a scripted clock, with a JIT that compiles nothing. */
    static BenchResult run(Backend backend, Workload workload, BenchSettings settings, LongSupplier nanoTime) {
        return run(backend, workload, settings, Batches.HOST, nanoTime, () -> 0L);
    }

    /** As {@link #run(Backend, Workload, BenchSettings, LongSupplier)} with the JIT's activity ({@link JitActivity}) scripted too. */
    static BenchResult run(Backend backend, Workload workload, BenchSettings settings, LongSupplier nanoTime,
                           LongSupplier jitActivity) {
        return run(backend, workload, settings, Batches.HOST, nanoTime, jitActivity);
    }

    /**
     * As {@link #run(Backend, Workload, BenchSettings)} on the clock {@code nanoTime} (a test's
     * scripted clock). The result's {@code settings().warmup()} is the number of warm-up steps
     * actually taken, which the time rule can make more than the minimum asked for.
     */
    private static BenchResult run(Backend backend, Workload workload, BenchSettings settings, Batches batches,
                                   LongSupplier nanoTime, LongSupplier jitActivity) {
        float[] x = workload.inputs();
        float[] d = workload.kind() == Workload.Kind.TRAIN ? workload.teachers() : null;
        int batch = workload.batch();
        Profiled profiled = backend instanceof Profiled ? (Profiled) backend : null;
        backend.load(workload.network(), workload.optimizer());
        Dataset uploaded = workload.kind() == Workload.Kind.TRAIN && batches == Batches.DEVICE
                ? backend.upload(x, d, batch) : null;
        LazyLoss lazy = LazyLoss.of(backend);
        Runnable queue = null;
        if (workload.kind() == Workload.Kind.TRAIN && lazy.readingWaits()) {
            queue = uploaded != null ? () -> lazy.queueStep(uploaded, 0, batch, LEARNING_RATE)
                    : () -> lazy.queueStep(x, d, batch, LEARNING_RATE);
        }
        StepAction step;
        if (workload.kind() != Workload.Kind.TRAIN) {
            step = () -> {
                backend.predict(x, batch);
                return Float.NaN;
            };
        } else if (uploaded != null) {
            step = () -> backend.step(uploaded, 0, batch, LEARNING_RATE);
        } else {
            step = () -> backend.step(x, d, batch, LEARNING_RATE);
        }
        try {
            if (profiled != null) {
                profiled.profiling(false);
            }
            float loss = Float.NaN;
            WarmUp warmed = warmUp(step, settings, nanoTime, jitActivity);
            long[] stepNanos = new long[settings.steps()];
            if (queue == null) {
                for (int k = 0; k < stepNanos.length; k++) {
                    long start = nanoTime.getAsLong();
                    loss = step.take();
                    stepNanos[k] = nanoTime.getAsLong() - start;
                }
            } else {
                loss = timeWindows(queue, lazy, stepNanos, nanoTime);
            }
            Map<String, Long> familyNanos = new LinkedHashMap<>();
            Long kernelNanos = null;
            Integer launches = null;
            if (profiled != null) {
                if (workload.kind() == Workload.Kind.TRAIN) {
                    launches = profiled.launchesPerStep();
                }
                kernelNanos = profile(profiled, step, settings.profiledSteps(), familyNanos);
            }
            BenchSettings taken = new BenchSettings(warmed.steps(), settings.steps(), settings.profiledSteps(),
                    settings.explicitSteps(), settings.warmupSeconds(), settings.warmupLimitSeconds());
            return new BenchResult(workload, taken, Median.of(stepNanos), loss, launches, familyNanos, kernelNanos,
                    warmed.nanos(), warmed.jitQuiet());
        } finally {
            if (profiled != null) {
                profiled.profiling(false);
            }
            if (uploaded != null) {
                uploaded.close();
            }
        }
    }

    /**
     * Times {@code stepNanos.length} queued steps in windows of at most {@value #WINDOW}, each
     * ended by one reading of the loss; returns the last step's loss.
     */
    private static float timeWindows(Runnable queue, LazyLoss lazy, long[] stepNanos, LongSupplier nanoTime) {
        lazy.readLoss(); // the warm-up's steps are done before the first window starts
        float loss = Float.NaN;
        for (int first = 0; first < stepNanos.length; first += WINDOW) {
            int count = Math.min(WINDOW, stepNanos.length - first);
            long start = nanoTime.getAsLong();
            for (int k = 0; k < count; k++) {
                queue.run();
            }
            LossReading reading = lazy.readLoss();
            long nanos = nanoTime.getAsLong() - start;
            java.util.Arrays.fill(stepNanos, first, first + count, nanos / count);
            loss = reading.loss(reading.kept() - 1);
        }
        return loss;
    }

    /**
     * Takes untimed steps until at least {@code settings.warmup()} were taken, at least
     * {@code settings.warmupSeconds()} have gone by since the first began, and, when that time is
     * not 0, the JIT has been idle ({@link JitActivity} unchanged) for {@link #JIT_QUIET_NANOS} (or
     * for the whole minimum time, if that is shorter) — or until {@code settings.warmupLimitSeconds()}
     * (default {@link #WARMUP_LIMIT_NANOS}), whichever comes first. The JIT rule is there because the time alone depends on the machine: on 2 cores shared
     * with other processes, C2 compiled the {@code cpu} backend's Vector API code only after 5–12 s
     * of {@code tiny} steps (interpreted Vector API code is about 1,000× slower), so a 2 s warm-up
     * timed steps that were still mostly interpreted (docs/perf.md, "the cpu backend under load").
     */
    private static WarmUp warmUp(StepAction step, BenchSettings settings, LongSupplier nanoTime,
                                 LongSupplier jitActivity) {
        long minimumNanos = (long) Math.ceil(settings.warmupSeconds() * 1e9);
        long quietNanos = Math.min(JIT_QUIET_NANOS, minimumNanos);
        long limitNanos = (long) Math.ceil(settings.warmupLimitSeconds() * 1e9);
        long start = nanoTime.getAsLong();
        long activity = jitActivity.getAsLong();
        long quietSince = start;
        int taken = 0;
        while (true) {
            long now = nanoTime.getAsLong();
            long latest = jitActivity.getAsLong();
            if (latest != activity) {
                activity = latest;
                quietSince = now;
            }
            boolean minimaMet = taken >= settings.warmup() && now - start >= minimumNanos;
            boolean quiet = now - quietSince >= quietNanos;
            if (minimaMet && (quiet || now - start >= limitNanos)) {
                return new WarmUp(taken, now - start, quiet);
            }
            step.take();
            taken++;
        }
    }

    /** What the warm-up took: steps, nanoseconds, and whether it ended with the JIT quiet (not at the limit). */
    record WarmUp(int steps, long nanos, boolean jitQuiet) {
    }

    /**
     * Takes {@code count} steps with profiling on; fills {@code familyNanos} with each family's
     * median and returns the median of the per-step sums, or {@code null} when no step reported
     * any family (no profiled steps, or a backend that does not time this kind of step).
     */
    private static Long profile(Profiled profiled, StepAction step, int count, Map<String, Long> familyNanos) {
        List<Map<String, Long>> perStep = new ArrayList<>();
        profiled.profiling(true);
        for (int k = 0; k < count; k++) {
            step.take();
            perStep.add(new LinkedHashMap<>(profiled.lastStepNanos()));
        }
        profiled.profiling(false);
        // the backend's order of families (forward first), as the steps reported them
        Set<String> families = new LinkedHashSet<>();
        for (Map<String, Long> nanos : perStep) {
            families.addAll(nanos.keySet());
        }
        if (families.isEmpty()) {
            return null;
        }
        long[] sums = new long[perStep.size()];
        for (String family : families) {
            long[] nanos = new long[perStep.size()];
            for (int k = 0; k < nanos.length; k++) {
                nanos[k] = perStep.get(k).getOrDefault(family, 0L);
                sums[k] += nanos[k];
            }
            familyNanos.put(family, Median.of(nanos));
        }
        return Median.of(sums);
    }

    /** One step of a workload; returns its loss ({@code NaN} where it has none). */
    @FunctionalInterface
    private interface StepAction {
        float take();
    }
}

package dev.deltaprop.bench;

import dev.deltaprop.backend.Backend;
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
 * steps. Both {@code step} and {@code predict} return a result read back from the backend, so a
 * step's wall time includes all of its device work.
 */
public final class Benchmark {

    /**
     * {@code η} of the timed SGD steps: small, so that tens of steps on one random batch stay far
     * from divergence (NaN or denormal arithmetic would time something other than the kernels).
     */
    public static final float LEARNING_RATE = 1e-3f;

    private Benchmark() {
    }

    /** Measures {@code workload} on {@code backend}; leaves profiling off afterwards. */
    public static BenchResult run(Backend backend, Workload workload, BenchSettings settings) {
        return run(backend, workload, settings, System::nanoTime);
    }

    /**
     * As {@link #run(Backend, Workload, BenchSettings)} on the clock {@code nanoTime} (a test's
     * scripted clock). The result's {@code settings().warmup()} is the number of warm-up steps
     * actually taken, which the time rule can make more than the minimum asked for.
     */
    static BenchResult run(Backend backend, Workload workload, BenchSettings settings, LongSupplier nanoTime) {
        float[] x = workload.inputs();
        float[] d = workload.kind() == Workload.Kind.TRAIN ? workload.teachers() : null;
        int batch = workload.batch();
        StepAction step = workload.kind() == Workload.Kind.TRAIN
                ? () -> backend.step(x, d, batch, LEARNING_RATE)
                : () -> {
                    backend.predict(x, batch);
                    return Float.NaN;
                };
        Profiled profiled = backend instanceof Profiled ? (Profiled) backend : null;
        backend.load(workload.network(), workload.optimizer());
        try {
            if (profiled != null) {
                profiled.profiling(false);
            }
            float loss = Float.NaN;
            int warmed = warmUp(step, settings, nanoTime);
            long[] stepNanos = new long[settings.steps()];
            for (int k = 0; k < stepNanos.length; k++) {
                long start = nanoTime.getAsLong();
                loss = step.take();
                stepNanos[k] = nanoTime.getAsLong() - start;
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
            BenchSettings taken = new BenchSettings(warmed, settings.steps(), settings.profiledSteps(),
                    settings.explicitSteps(), settings.warmupSeconds());
            return new BenchResult(workload, taken, Median.of(stepNanos), loss, launches, familyNanos, kernelNanos);
        } finally {
            if (profiled != null) {
                profiled.profiling(false);
            }
        }
    }

    /**
     * Takes untimed steps until at least {@code settings.warmup()} were taken and at least
     * {@code settings.warmupSeconds()} have gone by since the first began; returns how many.
     */
    private static int warmUp(StepAction step, BenchSettings settings, LongSupplier nanoTime) {
        long minimumNanos = (long) Math.ceil(settings.warmupSeconds() * 1e9);
        long start = nanoTime.getAsLong();
        int taken = 0;
        while (taken < settings.warmup() || nanoTime.getAsLong() - start < minimumNanos) {
            step.take();
            taken++;
        }
        return taken;
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

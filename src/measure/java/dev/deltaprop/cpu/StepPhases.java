package dev.deltaprop.cpu;

import dev.deltaprop.bench.Workload;
import java.util.Arrays;

/**
 * Hand-run timing for docs/perf.md (not a test): each parallel phase of a cpu training step, in
 * the order the step runs them, with its wall time, the time the calling thread waits at its
 * barrier after finishing its own part, and the serial gap before it, as medians over the timed
 * steps of {@code bench}'s workloads (the same networks, batch and optimizer, one fixed batch).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.deltaprop.cpu.StepPhases THREADS STEPS [workload ...]</pre>
 *
 * <p>The columns: {@code wall} (phase start to barrier), {@code barrier} (the caller's wait for the
 * slowest worker after its own part), {@code gap} (serial time since the previous phase's barrier).
 * The last line sums them and gives the median whole step, timed around {@code step} with
 * recording on (recording costs three {@code nanoTime} calls a phase).
 */
public final class StepPhases {
    private StepPhases() {
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        int steps = Integer.parseInt(args[1]);
        String[] names = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : Workload.TRAINING_NAMES.toArray(new String[0]);
        for (String name : names) {
            measure(Workload.parse(name).get(0), threads, steps);
        }
    }

    private static void measure(Workload workload, int threads, int steps) {
        float[] x = workload.inputs();
        float[] d = workload.teachers();
        int batch = workload.batch();
        try (CpuBackend cpu = new CpuBackend(threads)) {
            cpu.load(workload.network(), workload.optimizer());
            long warmEnd = System.nanoTime() + 2_000_000_000L;
            for (int k = 0; k < 20 || System.nanoTime() < warmEnd; k++) {
                cpu.step(x, d, batch, 1e-3f);
            }
            PhaseClock clock = new PhaseClock();
            cpu.phaseClock(clock);
            long[][] wall = null;
            long[][] barrier = null;
            long[][] gap = null;
            String[] labels = null;
            long[] stepNanos = new long[steps];
            for (int s = 0; s < steps; s++) {
                long start = System.nanoTime();
                cpu.step(x, d, batch, 1e-3f);
                stepNanos[s] = System.nanoTime() - start;
                int phases = clock.phases();
                if (wall == null) {
                    wall = new long[phases][steps];
                    barrier = new long[phases][steps];
                    gap = new long[phases][steps];
                    labels = new String[phases];
                }
                for (int p = 0; p < phases; p++) {
                    labels[p] = clock.label(p);
                    wall[p][s] = clock.wallNanos(p);
                    barrier[p][s] = clock.barrierNanos(p);
                    gap[p][s] = clock.gapNanos(p);
                }
            }
            cpu.phaseClock(null);
            System.out.printf("%s (%s, B %d), %d threads, %d steps, %s%n", workload.name(), workload.shape(), batch,
                    threads, steps, cpu.device());
            System.out.printf("  %-3s %-16s %10s %10s %10s%n", "#", "phase", "wall µs", "barrier µs", "gap µs");
            double wallSum = 0;
            double barrierSum = 0;
            double gapSum = 0;
            for (int p = 0; p < labels.length; p++) {
                double w = median(wall[p]) / 1e3;
                double b = median(barrier[p]) / 1e3;
                double g = median(gap[p]) / 1e3;
                wallSum += w;
                barrierSum += b;
                gapSum += g;
                System.out.printf("  %-3d %-16s %10.1f %10.1f %10.1f%n", p + 1, labels[p], w, b, g);
            }
            System.out.printf("  sum of medians: wall %.1f µs, barrier %.1f µs, gap %.1f µs; %d phases; median step %.1f µs%n",
                    wallSum, barrierSum, gapSum, labels.length, median(stepNanos) / 1e3);
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

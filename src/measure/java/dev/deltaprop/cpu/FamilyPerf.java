package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.testing.Compare;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Hand-run: the three GEMM families of a training step through {@link Passes}, as the step runs
 * them (their real epilogues), one layer shape {@code B×NIN×NOUT} at a time, so that each can be
 * read against OpenBLAS SGEMM on the same GEMM ({@code native/cpu-gemm-vs-openblas.sh} runs both,
 * interleaved). Per layer, with {@code C} M×N and depth K as {@code native/openblas-sgemm.c} takes it:
 *
 * <ul>
 *   <li>{@code forward} NN: {@code U = Z W + b}, relu: M = B, N = NOUT, K = NIN;</li>
 *   <li>{@code delta} NT: {@code Δ^{l-1} = (Δ^l Wᵀ) ⊙ f'} with its column sums: M = B, N = NIN, K = NOUT;</li>
 *   <li>{@code update} TN: {@code W ← W − (η/B) Zᵀ Δ}, sgd, the bias from the δ pass's column sums: M = NIN, N = NOUT, K = B.</li>
 * </ul>
 *
 * <p>Rounds of warm-up run for {@code -Dwarmup.ms} (default 4000) at least, and until a round
 * passes without JIT compilation. The families and shapes take turns round by round, so a loaded machine slows each alike. It
 * prints the best wall time of each and, with one thread (which {@link Passes} runs on the
 * caller), the best thread CPU time, which leaves out the time the thread was descheduled; with
 * more, the best summed CPU time of the team's threads and the GFLOP/s per core it gives (all
 * threads' work, the spinning at the barrier included, without the time a loaded machine took
 * the cores away: what sharing work between the threads costs, where the wall time says little).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.deltaprop.cpu.FamilyPerf THREADS ROUNDS BxNINxNOUT...</pre>
 */
public final class FamilyPerf {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final String[] FAMILIES = {"forward", "delta", "update"};
    private static final long WARM_UP_NANOS = Long.getLong("warmup.ms", 4000) * 1_000_000L;

    private FamilyPerf() {
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int shapes = args.length - 2;
        Layer[] layers = new Layer[shapes];
        for (int s = 0; s < shapes; s++) {
            String[] parts = args[s + 2].split("x");
            layers[s] = new Layer(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }
        long[][] wall = new long[shapes][FAMILIES.length];
        long[][] cpu = new long[shapes][FAMILIES.length];
        for (long[] row : wall) {
            java.util.Arrays.fill(row, Long.MAX_VALUE);
        }
        for (long[] row : cpu) {
            java.util.Arrays.fill(row, Long.MAX_VALUE);
        }
        try (Passes passes = new Passes(threads, MicroKernels.chosen())) {
            // the team's threads (Workers names them deltaprop-cpu-N), whose CPU time adds up to the work of a phase
            long[] team = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("deltaprop-cpu-") || t == Thread.currentThread())
                    .mapToLong(Thread::getId).toArray();
            for (Layer layer : layers) {
                layer.prepare(passes);
            }
            // warm-up until the JIT has compiled every kernel these shapes use: a loaded machine's
            // compiler threads get little time, and a Vector API kernel not yet compiled by C2 runs
            // the boxed Java fallback, ~100x slower (seen: a narrow kernel's C2 compile still queued
            // after 6 s at load average 14). So: at least warmup.ms, and until a whole round
            // passes without the JIT compiling (CompilationMXBean's total time standing still).
            java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long warmUntil = System.nanoTime() + WARM_UP_NANOS;
            long compiled = -1;
            for (int r = -3; r < rounds; r++) {
                if (r == -1) {
                    long now = jit.getTotalCompilationTime();
                    if (System.nanoTime() < warmUntil || now != compiled) {
                        r = -2;
                    }
                    compiled = now;
                }
                for (int s = 0; s < shapes; s++) {
                    for (int f = 0; f < FAMILIES.length; f++) {
                        long startCpu = teamCpu(team);
                        long start = System.nanoTime();
                        layers[s].run(passes, f);
                        long nanos = System.nanoTime() - start;
                        long cpuNanos = teamCpu(team) - startCpu;
                        if (r >= 0) {
                            wall[s][f] = Math.min(wall[s][f], nanos);
                            cpu[s][f] = Math.min(cpu[s][f], cpuNanos);
                        }
                    }
                }
            }
        }
        for (int s = 0; s < shapes; s++) {
            Layer l = layers[s];
            double flops = 2.0 * l.batch * l.nIn * l.nOut;
            for (int f = 0; f < FAMILIES.length; f++) {
                String gemm = f == 0 ? l.batch + "x" + l.nOut + "x" + l.nIn + ":NN"
                        : f == 1 ? l.batch + "x" + l.nIn + "x" + l.nOut + ":NT" : l.nIn + "x" + l.nOut + "x" + l.batch + ":TN";
                System.out.printf("%-8s %-16s threads=%d best_us=%.1f gflops=%.1f%s%n", FAMILIES[f], gemm, threads,
                        wall[s][f] * 1e-3, flops / wall[s][f],
                        threads == 1 ? String.format(" cpu_us=%.1f cpu_gflops=%.1f", cpu[s][f] * 1e-3, flops / cpu[s][f])
                                : String.format(" team_cpu_us=%.1f per_core_gflops=%.1f", cpu[s][f] * 1e-3, flops / cpu[s][f]));
            }
        }
    }

    /** The summed CPU time of {@code team}'s threads. */
    private static long teamCpu(long[] team) {
        long sum = 0;
        for (long id : team) {
            sum += CPU.getThreadCpuTime(id);
        }
        return sum;
    }

    /** One layer's operands, drawn once. */
    private static final class Layer {
        final int batch, nIn, nOut;
        float[] w, bias, zPrev, uPrev, u, z, delta, deltaPrev;
        final ColumnSums sums = new ColumnSums();
        /** The δ pass's own column sums: the update reads {@link #sums}, prepared once. */
        final ColumnSums deltaSums = new ColumnSums();
        final OptimizerStep rule = new OptimizerStep();

        Layer(int batch, int nIn, int nOut) {
            this.batch = batch;
            this.nIn = nIn;
            this.nOut = nOut;
        }

        void prepare(Passes passes) {
            SplittableRandom random = new SplittableRandom(42);
            w = Compare.uniform(random, nIn * nOut, 0.1);
            bias = new float[nOut];
            zPrev = Compare.uniform(random, batch * nIn, 1.0);
            uPrev = Compare.uniform(random, batch * nIn, 1.0);
            u = new float[batch * nOut];
            z = new float[batch * nOut];
            delta = Compare.uniform(random, batch * nOut, 1e-3);
            deltaPrev = new float[batch * nIn];
            int mr = passes.kernel().mr();
            sums.prepare(batch, nOut, mr, false);
            for (int row = 0; row < batch; row += mr) {
                sums.add(delta, row, 0, Math.min(mr, batch - row), nOut);
            }
            rule.set(Optimizer.sgd(), 1, 1e-9f, batch); // a tiny step: the weights stay as drawn
        }

        void run(Passes passes, int family) {
            switch (family) {
                case 0:
                    passes.forward(w, bias, nIn, nOut, Activation.RELU, zPrev, batch, u, z);
                    break;
                case 1:
                    passes.stageDeltaHidden(w, nIn, nOut, delta, uPrev, zPrev, Activation.RELU, batch, deltaPrev,
                            deltaSums);
                    passes.runStaged();
                    break;
                default:
                    passes.stageUpdate(w, bias, zPrev, delta, batch, nIn, nOut, rule, null, null, null, null, sums);
                    passes.runStaged();
            }
        }
    }
}

package dev.deltaprop.cpu;

import dev.deltaprop.bench.Workload;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Hand-run timing for docs/perf.md (not a test): a cpu backend's training rate second by second
 * from its first step, on one of {@code bench}'s workloads, with the JVM's accumulated compilation
 * time beside it. It shows when the JIT has compiled the step (the rate jumps by about 1,000×
 * when C2 has compiled the Vector API code) and how long that takes on a loaded machine.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.deltaprop.cpu.WarmUpCurve WORKLOAD THREADS SECONDS</pre>
 */
public final class WarmUpCurve {
    private WarmUpCurve() {
    }

    public static void main(String[] args) {
        Workload workload = Workload.parse(args[0]).get(0);
        int threads = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        float[] x = workload.inputs();
        float[] d = workload.teachers();
        int batch = workload.batch();
        try (CpuBackend cpu = new CpuBackend(threads)) {
            cpu.load(workload.network(), workload.optimizer());
            System.out.printf("%s (%s, B %d), %s%n", workload.name(), workload.shape(), batch, cpu.device());
            long start = System.nanoTime();
            long windowStart = start;
            int steps = 0;
            while (System.nanoTime() - start < seconds * 1e9) {
                cpu.step(x, d, batch, 1e-3f);
                steps++;
                long now = System.nanoTime();
                if (now - windowStart >= 1_000_000_000L) {
                    System.out.printf("  t = %5.1f s: %6d steps, %12.0f samples/s, JIT total %6d ms%n", (now - start) / 1e9,
                            steps, steps * (double) batch / ((now - windowStart) / 1e9), jit.getTotalCompilationTime());
                    windowStart = now;
                    steps = 0;
                }
            }
        }
    }
}

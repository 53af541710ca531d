package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Hand-run check (not a test): the bytes each thread of a cpu step allocates per window of 100
 * steady-state steps, for CpuBackendTest's allocation check outside surefire (64 → 96 tanh → 10
 * softmax, batch 32, weight decay 0.01, two threads), one line per optimizer. Run several JVMs:
 * an allocating compiled state shows in some JVMs only.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.deltaprop.cpu.StepAllocation KIND[,KIND...] WINDOWS [SEED]</pre>
 */
public final class StepAllocation {
    private StepAllocation() {
    }

    public static void main(String[] args) {
        long seed = args.length > 2 ? Long.parseLong(args[2]) : System.nanoTime();
        for (String kind : args[0].split(",")) {
            measure(Optimizer.Kind.valueOf(kind.toUpperCase()), Integer.parseInt(args[1]), seed);
        }
    }

    private static void measure(Optimizer.Kind kind, int windows, long seed) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Network network = Network.builder(64).layer(96, Activation.TANH).layer(10, Activation.SOFTMAX).build(seed);
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = uniform(random, 32 * 64);
        float[] d = uniform(random, 32 * 10);
        try (CpuBackend cpu = new CpuBackend(2)) {
            cpu.load(network, Optimizer.builder(kind).weightDecay(0.01f).build());
            for (int step = 0; step < 2000; step++) {
                cpu.step(x, d, 32, 0.001f);
            }
            long[] ids = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("deltaprop-cpu-") || t == Thread.currentThread())
                    .mapToLong(Thread::getId).toArray();
            StringBuilder line = new StringBuilder(kind + " seed " + seed + ":");
            long[] bytes = new long[ids.length];
            for (int window = 0; window < windows; window++) {
                for (int k = 0; k < ids.length; k++) {
                    bytes[k] = threads.getThreadAllocatedBytes(ids[k]);
                }
                for (int step = 0; step < 100; step++) {
                    cpu.step(x, d, 32, 0.001f);
                }
                for (int k = 0; k < ids.length; k++) {
                    bytes[k] = threads.getThreadAllocatedBytes(ids[k]) - bytes[k];
                }
                line.append(' ').append(Arrays.toString(bytes));
            }
            System.out.println(line);
        }
    }

    private static float[] uniform(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) (2 * random.nextDouble() - 1);
        }
        return values;
    }
}

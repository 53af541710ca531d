package dev.deltaprop.device;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A hand-run comparison of the host cost of a launch through each OpenCL binding (not a test:
 * speed is never asserted), on the same device, with the same kernels, in one JVM:
 *
 * <ul>
 *   <li><b>enqueue</b>: {@code gather_rows} on one work-group (about no device work) launched
 *       {@code N} times; the host time of the {@code launch} calls alone, per launch (arguments
 *       set one by one, then {@code clEnqueueNDRangeKernel}), and with the final {@code finish};</li>
 *   <li><b>tiny step</b>: whole training steps of the {@code tiny} workload (32-64-64-1, tanh, tanh,
 *       identity, B = 1024) from a data set on the device, wall time per step and per launch.</li>
 * </ul>
 *
 * Rounds alternate the bindings so that drift on a shared machine hits both alike; the median
 * round is printed.
 *
 * <pre>
 * mvn -q -o test-compile -Dmaven.antrun.skip
 * java -cp target/classes:target/test-classes:$(cat cp.txt) dev.deltaprop.device.LaunchCostTiming [launches] [steps] [rounds] [backend...]
 * </pre>
 */
public final class LaunchCostTiming {
    private LaunchCostTiming() {
    }

    public static void main(String[] args) {
        int launches = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        List<String> names = args.length > 3 ? Arrays.asList(args).subList(3, args.length) : List.of("opencl", "opencl-lwjgl");
        List<Bench> benches = new ArrayList<>();
        for (String name : names) {
            String reason = Backends.unavailableReason(name);
            if (reason != null) {
                System.err.println(name + ": " + reason);
                System.exit(2);
            }
            benches.add(new Bench(name, rounds));
        }
        try {
            for (Bench bench : benches) { // warm-up: JIT and PoCL's kernel cache
                bench.enqueue(launches / 4);
                bench.steps(steps / 4);
            }
            for (int r = 0; r < rounds; r++) {
                for (Bench bench : benches) {
                    double[] enqueue = bench.enqueue(launches);
                    bench.enqueueNanos[r] = enqueue[0];
                    bench.finishedNanos[r] = enqueue[1];
                    bench.stepNanos[r] = bench.steps(steps);
                }
            }
            System.out.printf("device: %s%n", benches.get(0).backend.device());
            System.out.printf("%d launches of gather_rows (1 group), %d tiny steps, median of %d rounds%n", launches, steps, rounds);
            System.out.printf("%-14s %22s %24s %16s %20s%n", "backend", "enqueue µs/launch", "with finish µs/launch",
                    "tiny ms/step", "tiny µs/launch");
            for (Bench bench : benches) {
                double step = median(bench.stepNanos);
                System.out.printf("%-14s %22.2f %24.2f %16.3f %20.2f%n", bench.name, median(bench.enqueueNanos) / 1e3,
                        median(bench.finishedNanos) / 1e3, step / 1e6, step / bench.backend.launchesPerStep() / 1e3);
            }
            System.out.printf("launches per tiny step: %d%n", benches.get(0).backend.launchesPerStep());
        } finally {
            benches.forEach(bench -> bench.backend.close());
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** One backend's engine, its empty-ish launch and its tiny data set. */
    private static final class Bench {
        final String name;
        final DeviceBackend backend;
        final Driver driver;
        final Memory data;
        final Memory order;
        final Memory out;
        final Dataset tiny;
        final double[] enqueueNanos;
        final double[] finishedNanos;
        final double[] stepNanos;
        int offset;

        Bench(String name, int rounds) {
            this.name = name;
            this.backend = new DeviceBackend(name, DeviceBackends.provider(name).openDriver());
            this.driver = backend.driver();
            Network network = Network.builder(32).layer(64, Activation.TANH).layer(64, Activation.TANH)
                    .layer(1, Activation.IDENTITY).build(1);
            backend.load(network);
            SplittableRandom random = new SplittableRandom(2);
            int samples = 8 * 1024;
            tiny = backend.upload(Compare.uniform(random, samples * 32, 1.0), Compare.uniform(random, samples, 1.0), samples);
            data = driver.allocate(64);
            driver.write(data, 0, new float[64], 0, 64);
            order = driver.allocate(1);
            driver.write(order, 0, new int[] {0}, 0, 1);
            out = driver.allocate(64);
            enqueueNanos = new double[rounds];
            finishedNanos = new double[rounds];
            stepNanos = new double[rounds];
        }

        /** {enqueue-only, with finish} nanoseconds per launch. */
        double[] enqueue(int launches) {
            driver.finish();
            long start = System.nanoTime();
            for (int k = 0; k < launches; k++) {
                backend.kernels().gather(data, order, out, 0, 1, 1);
            }
            long enqueued = System.nanoTime();
            driver.finish();
            long finished = System.nanoTime();
            return new double[] {(enqueued - start) / (double) launches, (finished - start) / (double) launches};
        }

        /** Nanoseconds per tiny training step (B = 1024) from the device data set. */
        double steps(int steps) {
            long start = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                backend.step(tiny, offset, 1024, 0.01f);
                offset = (offset + 1024) % (8 * 1024);
            }
            return (System.nanoTime() - start) / (double) steps;
        }
    }
}

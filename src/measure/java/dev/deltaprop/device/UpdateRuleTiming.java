package dev.deltaprop.device;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Optimizer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A hand-run timing of the update family alone (not a test: speed is never asserted), to choose
 * how the optimizer reaches {@code update_gemm}'s epilogue: the rule as a kernel argument (one
 * program, a uniform switch; what the engine builds) against the rule fixed at build time with
 * {@code -DOPTIMIZER_RULE=n} (a program per optimizer). It times the three updates of a step of
 * the {@code mnist} workload (784-512-512-10, B = 256) for every rule and both variants,
 * interleaved round by round so that a noisy neighbour hits all alike, and prints the best and
 * median device time per step's updates and the GFLOP/s ({@code 2·n_in·n_out·B} per layer), and
 * the GFLOP done per CPU-second of the whole process (PoCL's worker threads included), which
 * depends much less on the neighbours of a shared machine than wall time does.
 *
 * <pre>
 * mvn -q -o -Dmaven.antrun.skip test-compile
 * java -cp target/classes:target/test-classes:$HOME/.m2/repository/org/jocl/jocl/2.0.6/jocl-2.0.6.jar \
 *      dev.deltaprop.device.UpdateRuleTiming [backend] [rounds]
 * </pre>
 */
public final class UpdateRuleTiming {
    private static final int[] WIDTHS = {784, 512, 512, 10};
    private static final int BATCH = 256;

    private UpdateRuleTiming() {
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "opencl";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String reason = Backends.unavailableReason(name);
        if (reason != null) {
            System.err.println(name + ": " + reason);
            System.exit(2);
        }
        DeviceProvider provider = DeviceBackends.provider(name);
        Optimizer.Kind[] kinds = Optimizer.Kind.values();
        try (DeviceBackend backend = new DeviceBackend(name, provider.openDriver())) {
            Driver driver = backend.driver();
            Kernels[] fixed = new Kernels[kinds.length];
            for (Optimizer.Kind kind : kinds) {
                fixed[kind.code()] = new Kernels(driver, Map.of("OPTIMIZER_RULE", Integer.toString(kind.code())));
            }
            SplittableRandom random = new SplittableRandom(1);
            int depth = WIDTHS.length - 1;
            Memory[] z = new Memory[depth];
            Memory[] delta = new Memory[depth];
            Memory[] w = new Memory[depth];
            Memory[] b = new Memory[depth];
            Memory[][] wState = new Memory[depth][2];
            Memory[][] bState = new Memory[depth][2];
            for (int l = 0; l < depth; l++) {
                int nIn = WIDTHS[l];
                int nOut = WIDTHS[l + 1];
                z[l] = upload(driver, Compare.uniform(random, BATCH * nIn, 1.0));
                delta[l] = upload(driver, Compare.uniform(random, BATCH * nOut, 1e-3));
                w[l] = upload(driver, Compare.uniform(random, nIn * nOut, 0.05));
                b[l] = upload(driver, Compare.uniform(random, nOut, 0.05));
                for (int slot = 0; slot < 2; slot++) {
                    wState[l][slot] = upload(driver, new float[nIn * nOut]);
                    bState[l][slot] = upload(driver, new float[nOut]);
                }
            }
            double flops = 0;
            for (int l = 0; l < depth; l++) {
                flops += 2.0 * WIDTHS[l] * WIDTHS[l + 1] * BATCH;
            }
            double[][][] nanos = new double[kinds.length][2][rounds];
            long[][] cpuNanos = new long[kinds.length][2];
            long t = 0;
            for (int round = -1; round < rounds; round++) { // round -1 warms up
                for (Optimizer.Kind kind : kinds) {
                    for (int variant = 0; variant < 2; variant++) {
                        Kernels kernels = variant == 0 ? backend.kernels() : fixed[kind.code()];
                        OptimizerStep step = OptimizerStep.of(Optimizer.of(kind), 1e-4f, ++t);
                        driver.finish();
                        long cpuStart = processCpuNanos();
                        Driver.TimingMark start = driver.mark();
                        for (int l = 0; l < depth; l++) {
                            kernels.update(z[l], delta[l], w[l], b[l], wState[l], bState[l], BATCH, WIDTHS[l],
                                    WIDTHS[l + 1], step);
                        }
                        Driver.TimingMark end = driver.mark();
                        driver.finish();
                        long cpu = processCpuNanos() - cpuStart;
                        if (round >= 0) {
                            nanos[kind.code()][variant][round] = driver.elapsedNanos(start, end);
                            cpuNanos[kind.code()][variant] += cpu;
                        }
                    }
                }
            }
            System.out.printf("device %s%nbackend %s, tiles %s; update family of mnist (784-512-512-10, B=%d), "
                    + "%d rounds%n", backend.device(), name, backend.kernels().tiles(), BATCH, rounds);
            for (Optimizer.Kind kind : kinds) {
                for (int variant = 0; variant < 2; variant++) {
                    double[] r = nanos[kind.code()][variant];
                    Arrays.sort(r);
                    System.out.printf("%-9s %-22s best %7.3f ms = %6.1f GFLOP/s, median %7.3f ms = %6.1f GFLOP/s, "
                                    + "%5.1f GFLOP per CPU-second%n",
                            kind, variant == 0 ? "rule as argument" : "-DOPTIMIZER_RULE=" + kind.code(), r[0] / 1e6,
                            flops / r[0], r[rounds / 2] / 1e6, flops / r[rounds / 2],
                            flops * rounds / cpuNanos[kind.code()][variant]);
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Memory upload(Driver driver, float[] values) {
        Memory memory = driver.allocate(values.length);
        driver.write(memory, 0, values, 0, values.length);
        return memory;
    }
}

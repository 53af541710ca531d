package dev.deltaprop.device;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Activation;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A hand-run timing of the forward kernel alone, {@code U = Z W + b} at N×N×N with the identity,
 * for tuning the tile table (not a test: speed is never asserted). Prints the device, the tiles,
 * and the best and median device time of the repetitions, in GFLOP/s ({@code 2N³} per launch).
 *
 * <pre>
 * mvn -q -o test-compile
 * java -cp target/classes:target/test-classes:$HOME/.m2/repository/org/jocl/jocl/2.0.6/jocl-2.0.6.jar \
 *      [-Ddeltaprop.tiles=SMALL_TM=128,SMALL_TN=128] dev.deltaprop.device.ForwardGemmTiming [backend] [N] [repetitions]
 * </pre>
 */
public final class ForwardGemmTiming {
    private ForwardGemmTiming() {
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "opencl";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        String reason = Backends.unavailableReason(name);
        if (reason != null) {
            System.err.println(name + ": " + reason);
            System.exit(2);
        }
        DeviceProvider provider = DeviceBackends.provider(name);
        try (DeviceBackend backend = new DeviceBackend(name, provider.openDriver())) {
            Driver driver = backend.driver();
            SplittableRandom random = new SplittableRandom(1);
            Memory z = upload(driver, Compare.uniform(random, n * n, 1.0));
            Memory w = upload(driver, Compare.uniform(random, n * n, 1.0 / Math.sqrt(n)));
            Memory bias = upload(driver, Compare.uniform(random, n, 1.0));
            Memory u = driver.allocate((long) n * n);
            Memory out = driver.allocate((long) n * n);
            backend.kernels().forward(z, w, bias, u, out, n, n, n, Activation.IDENTITY); // warm-up
            driver.finish();
            double[] nanos = new double[repetitions];
            long cpuStart = processCpuNanos();
            for (int r = 0; r < repetitions; r++) {
                Driver.TimingMark start = driver.mark();
                backend.kernels().forward(z, w, bias, u, out, n, n, n, Activation.IDENTITY);
                Driver.TimingMark end = driver.mark();
                nanos[r] = driver.elapsedNanos(start, end);
            }
            long cpuNanos = processCpuNanos() - cpuStart;
            Arrays.sort(nanos);
            double flops = 2.0 * n * n * n;
            System.out.printf("device %s%nbackend %s, tiles %s%nforward_gemm %d^3: best %.3f ms = %.1f GFLOP/s, "
                            + "median %.3f ms = %.1f GFLOP/s (%d repetitions)%n",
                    backend.device(), name, backend.kernels().tiles(), n, nanos[0] / 1e6, flops / nanos[0],
                    nanos[repetitions / 2] / 1e6, flops / nanos[repetitions / 2], repetitions);
            // on a shared machine the wall time depends on the neighbours; the CPU time this
            // process spent does much less, so it ranks tile choices more reliably
            System.out.printf("per CPU-second of this process: %.1f GFLOP (%d cores would give at most %.1f GFLOP/s)%n",
                    flops * repetitions / cpuNanos, Runtime.getRuntime().availableProcessors(),
                    flops * repetitions / cpuNanos * Runtime.getRuntime().availableProcessors());
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

package dev.deltaprop.device;

import dev.deltaprop.backend.Backends;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.testing.Compare;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A hand-run timing (not a test: speed is never asserted) of the two ways to take the bias
 * gradient {@code g_b = (1/B) Σ_b δ_b} out of the update GEMM's K loop, on the update shapes of
 * {@code tiny}, {@code mnist} and {@code wide}:
 * <ul>
 *   <li><b>row</b>: what the engine does — the bias is row {@code n_in} of the GEMM (a row of ones
 *       below {@code Zᵀ}, kernels/update.h), so the GEMM is {@code (n_in + 1) × n_out}; it costs
 *       a whole extra row of tiles where {@code n_in} is a multiple of the tile height;</li>
 *   <li><b>pass</b>: a GEMM of {@code n_in} rows for the weights (timed as the engine's kernel on
 *       {@code n_in − 1} inputs, whose ones row makes it exactly {@code n_in} rows of the same
 *       tiles), plus a column-sum pass: one work-item per output column adding its {@code B}
 *       deltas in order and stepping its bias (sgd), a kernel built here for this timing only.</li>
 * </ul>
 * Rounds interleave the variants, each first every other round, so a noisy neighbour and the
 * wake-up of an idle device hit both alike; prints the median device
 * time of each layer's update under each variant.
 *
 * <pre>
 * mvn -q -o -Dmaven.antrun.skip test-compile
 * java -cp target/classes:target/test-classes:$HOME/.m2/repository/org/jocl/jocl/2.0.6/jocl-2.0.6.jar \
 *      dev.deltaprop.device.BiasGradientTiming [backend] [rounds] [tiny,mnist,wide]
 * </pre>
 */
public final class BiasGradientTiming {
    /** (name, batch, widths…) of the workloads whose update shapes are timed. */
    private static final int[][] SHAPES = {
        {1024, 32, 64, 64, 1},
        {256, 784, 512, 512, 10},
        {512, 1024, 2048, 2048, 1024},
    };
    private static final String[] NAMES = {"tiny", "mnist", "wide"};

    private static final String COLUMN_SUMS = "__kernel void bias_column_step(__global const float* delta,"
            + " __global float* bias, int batch, int n_out, float inverse_batch, float learning_rate) {\n"
            + "    const int j = get_global_id(0);\n"
            + "    if (j < n_out) {\n"
            + "        float sum = 0.0f;\n"
            + "        for (int b = 0; b < batch; ++b) {\n"
            + "            sum += delta[(long) b * n_out + j];\n"
            + "        }\n"
            + "        bias[j] -= learning_rate * (sum * inverse_batch);\n"
            + "    }\n"
            + "}\n";

    private BiasGradientTiming() {
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "opencl";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        java.util.List<String> only = java.util.Arrays.asList((args.length > 2 ? args[2] : "tiny,mnist,wide").split(","));
        String reason = Backends.unavailableReason(name);
        if (reason != null) {
            System.err.println(name + ": " + reason);
            System.exit(2);
        }
        if (!name.startsWith("opencl")) {
            System.err.println(name + ": the column-sum kernel of this timing is OpenCL C; use an opencl backend");
            System.exit(2);
        }
        DeviceProvider provider = DeviceBackends.provider(name);
        try (DeviceBackend backend = new DeviceBackend(name, provider.openDriver())) {
            Driver driver = backend.driver();
            Kernels kernels = backend.kernels();
            Driver.Kernel columns = driver.kernel(driver.build(new ProgramSource("bias_column_step.cl", COLUMN_SUMS, null),
                    Map.of()), "bias_column_step");
            int reduce = kernels.tiles().reduce();
            System.out.printf("device %s%nbackend %s, tiles %s, %d rounds (median device time per layer's update)%n",
                    backend.device(), name, kernels.tiles(), rounds);
            System.out.printf("%-6s %-16s %-28s %10s %10s %10s %10s%n", "", "layer", "plan (row variant)", "row ms",
                    "pass: GEMM", "+ columns", "= pass ms");
            SplittableRandom random = new SplittableRandom(1);
            OptimizerStep step = OptimizerStep.of(Optimizer.sgd(), 1e-4f, 1);
            for (int s = 0; s < SHAPES.length; s++) {
                if (!only.contains(NAMES[s])) {
                    continue;
                }
                int batch = SHAPES[s][0];
                for (int l = 1; l + 1 < SHAPES[s].length; l++) {
                    int nIn = SHAPES[s][l];
                    int nOut = SHAPES[s][l + 1];
                    Memory z = upload(driver, Compare.uniform(random, batch * nIn, 1.0));
                    Memory delta = upload(driver, Compare.uniform(random, batch * nOut, 1e-3));
                    Memory w = upload(driver, Compare.uniform(random, nIn * nOut, 0.05));
                    Memory b = upload(driver, Compare.uniform(random, nOut, 0.05));
                    Memory[] none = {w, w};
                    double[][] nanos = new double[3][rounds];
                    for (int round = -1; round < rounds; round++) { // round -1 warms up
                        // each variant runs first every other round: the first launch after a
                        // finish() also pays for waking the device's threads
                        for (int turn = 0; turn < 2; turn++) {
                            driver.finish();
                            boolean row = (turn == 0) == (round % 2 == 0);
                            Driver.TimingMark t0 = driver.mark();
                            if (row) {
                                kernels.update(z, delta, w, b, none, none, batch, nIn, nOut, step);
                            } else {
                                kernels.update(z, delta, w, b, none, none, batch, nIn - 1, nOut, step);
                            }
                            Driver.TimingMark t1 = driver.mark();
                            if (!row) {
                                driver.launch(columns, new int[] {(nOut + reduce - 1) / reduce}, new int[] {reduce}, delta,
                                        b, batch, nOut, 1.0f / batch, 1e-4f);
                            }
                            Driver.TimingMark t2 = driver.mark();
                            driver.finish();
                            if (round >= 0 && row) {
                                nanos[0][round] = driver.elapsedNanos(t0, t1);
                            } else if (round >= 0) {
                                nanos[1][round] = driver.elapsedNanos(t0, t1);
                                nanos[2][round] = driver.elapsedNanos(t1, t2);
                            }
                        }
                    }
                    double[] median = new double[3];
                    for (int v = 0; v < 3; v++) {
                        Arrays.sort(nanos[v]);
                        median[v] = nanos[v][rounds / 2] / 1e6;
                    }
                    System.out.printf("%-6s %-16s %-28s %10.3f %10.3f %10.3f %10.3f%n", NAMES[s],
                            nIn + "→" + nOut + " B=" + batch, kernels.updatePlan(batch, nIn, nOut), median[0], median[1],
                            median[2], median[1] + median[2]);
                    for (Memory m : new Memory[] {z, delta, w, b}) {
                        driver.free(m);
                    }
                }
            }
        }
    }

    private static Memory upload(Driver driver, float[] values) {
        Memory memory = driver.allocate(values.length);
        driver.write(memory, 0, values, 0, values.length);
        return memory;
    }
}

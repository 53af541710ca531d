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
 * A hand-run timing (not a test: speed is never asserted) of the ways to take the bias gradient
 * {@code g_b = (1/B) Σ_b δ_b} out of the update GEMM's K loop, on the update shapes of
 * {@code tiny}, {@code mnist} and {@code wide}:
 * <ul>
 *   <li><b>row</b>: the bias as row {@code n_in} of the GEMM (a row of ones below {@code Zᵀ},
 *       kernels/update.h), so the GEMM is {@code (n_in + 1) × n_out}: free where {@code n_in} is
 *       not a multiple of the tile height, a whole extra row of tiles where it is;</li>
 *   <li><b>engine</b>: what the engine launches ({@link GemmPlan#updateBiasRow}): the row, except
 *       for a split update where it would add a row of tiles: there the reduce sums each bias's
 *       column of Δ;</li>
 *   <li><b>pass</b>: a GEMM of {@code n_in} rows for the weights (timed as the engine's kernel
 *       with the row on {@code n_in − 1} inputs: exactly {@code n_in} rows of the same tiles), plus
 *       a column-sum launch: one work-item per output column adding its {@code B} deltas in order
 *       and stepping its bias (sgd), a kernel built here for this timing only.</li>
 * </ul>
 * Rounds interleave the variants, rotating which runs first (the first launch after a
 * {@code finish()} also pays for waking an idle device), so a noisy neighbour hits all alike;
 * prints the median device time of each layer's update under each variant.
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
            System.out.printf("%-6s %-16s %-44s %9s %9s %9s %9s %9s%n", "", "layer", "engine's plan", "row ms",
                    "engine ms", "pass GEMM", "+ columns", "= pass ms");
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
                    GemmPlan engine = kernels.updatePlan(batch, nIn, nOut);
                    GemmPlan row = new GemmPlan(engine.tiles(), engine.splits(), engine.kSplit(), true);
                    GemmPlan pass = kernels.updatePlan(batch, nIn - 1, nOut);
                    double[][] nanos = new double[4][rounds];
                    for (int round = -1; round < rounds; round++) { // round -1 warms up
                        for (int turn = 0; turn < 3; turn++) {
                            int variant = (turn + Math.max(round, 0)) % 3;
                            driver.finish();
                            Driver.TimingMark t0 = driver.mark();
                            if (variant == 0) {
                                kernels.update(z, delta, w, b, none, none, batch, nIn, nOut, step, row);
                            } else if (variant == 1) {
                                kernels.update(z, delta, w, b, none, none, batch, nIn, nOut, step, engine);
                            } else {
                                kernels.update(z, delta, w, b, none, none, batch, nIn - 1, nOut, step, pass);
                            }
                            Driver.TimingMark t1 = driver.mark();
                            if (variant == 2) {
                                driver.launch(columns, new int[] {(nOut + reduce - 1) / reduce}, new int[] {reduce}, delta,
                                        b, batch, nOut, 1.0f / batch, 1e-4f);
                            }
                            Driver.TimingMark t2 = driver.mark();
                            driver.finish();
                            if (round >= 0) {
                                nanos[variant][round] = driver.elapsedNanos(t0, t1);
                                if (variant == 2) {
                                    nanos[3][round] = driver.elapsedNanos(t1, t2);
                                }
                            }
                        }
                    }
                    double[] median = new double[4];
                    for (int v = 0; v < 4; v++) {
                        Arrays.sort(nanos[v]);
                        median[v] = nanos[v][rounds / 2] / 1e6;
                    }
                    System.out.printf("%-6s %-16s %-44s %9.3f %9.3f %9.3f %9.3f %9.3f%n", NAMES[s],
                            nIn + "→" + nOut + " B=" + batch, engine + (engine.updateBiasRow(nIn) ? "" : ", bias in reduce"),
                            median[0], median[1], median[2], median[3], median[2] + median[3]);
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

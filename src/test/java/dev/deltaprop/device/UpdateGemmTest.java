package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.OptimizerRules;
import dev.deltaprop.reference.Reference;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The update GEMM on the warp-tiled core ({@code kernels/update.h}) under every plan the engine
 * can make — each tile class of both rows of {@link TileProfile}, unsplit and split along
 * {@code K = batch} (the step then runs in {@code update_reduce}) — with every optimizer, against
 * {@link Reference#gradient} and {@link OptimizerRules#step} in double at the shapes of
 * {@link DeviceKernelsTest#shapes()} ({@code M = n_in}, {@code K = batch}, {@code N = n_out}).
 * Also the data-parallel half ({@link Kernels#gradientSums}: the same GEMM with a store for an
 * epilogue) against the sums, and both halves together against the one-launch step, bit for bit.
 * Outputs and unused optimizer slots are NaN-poisoned; the seed is in every message.
 */
class UpdateGemmTest {
    private static final double BOUND = 1e-5;
    /** Unsplit, two, an odd count, the most (a shallow K gets fewer: a split is whole K steps). */
    private static final int[] SPLITS = {1, 2, 3, GemmPlan.MAX_SPLITS};

    /**
     * {@link DeviceKernelsTest#shapes()} and shapes whose {@code n_in} is a multiple of a tile
     * height (64: both small classes; 128: the large ones too), where a split update sums its
     * bias in the reduce instead of the GEMM's row of ones ({@link GemmPlan#updateBiasRow}).
     */
    static List<int[]> shapes() {
        List<int[]> shapes = new ArrayList<>(DeviceKernelsTest.shapes());
        shapes.add(new int[] {64, 257, 7});
        shapes.add(new int[] {128, 1031, 3});
        shapes.add(new int[] {64, 33, 64});
        return shapes;
    }

    /** (backend, table row, tile class, splits wanted, n_in, batch, n_out) for each device-engine backend. */
    static Stream<Arguments> planCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : DeviceBackends.engineNames()) {
            for (Driver.DeviceType table : List.of(Driver.DeviceType.GPU, Driver.DeviceType.CPU)) {
                for (String tileClass : List.of("small", "large")) {
                    for (int splits : SPLITS) {
                        for (int[] shape : shapes()) {
                            cases.add(Arguments.of(name, table, tileClass, splits, shape[0], shape[1], shape[2]));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    /** (backend, n_in, batch, n_out) for each device-engine backend, the engine choosing the plan. */
    static Stream<Arguments> engineCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : DeviceBackends.engineNames()) {
            for (int[] shape : shapes()) {
                cases.add(Arguments.of(name, shape[0], shape[1], shape[2]));
            }
        }
        return cases.stream();
    }

    private static GemmPlan plan(DeviceFamilies families, String tileClass, int splits, int batch) {
        TileProfile profile = families.tiles();
        return GemmPlan.of(tileClass.equals("large") ? profile.large() : profile.small(), splits, batch);
    }

    private static long seed() {
        return Seeds.fixed() ? Seeds.seed() : Seeds.seed() ^ Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
    }

    /** One layer's inputs and optimizer state, drawn from a seed, and what the reference makes of them. */
    private static final class Layer {
        final int nIn;
        final int batch;
        final int nOut;
        final float[] zPrev;
        final float[] delta;
        final float[] w;
        final float[] bias;
        final float[][] wState;
        final float[][] biasState;

        Layer(SplittableRandom random, int nIn, int batch, int nOut, int slots) {
            this.nIn = nIn;
            this.batch = batch;
            this.nOut = nOut;
            zPrev = Compare.uniform(random, batch * nIn, 1.0);
            delta = Compare.uniform(random, batch * nOut, 1.0);
            w = Compare.uniform(random, nIn * nOut, 0.5);
            bias = Compare.uniform(random, nOut, 0.5);
            wState = new float[slots][];
            biasState = new float[slots][];
            for (int slot = 0; slot < slots; slot++) {
                // slot 1 is Adam's second moment: never negative
                double scale = slot == 1 ? 0.05 : 0.3;
                wState[slot] = Compare.uniform(random, nIn * nOut, scale);
                biasState[slot] = Compare.uniform(random, nOut, scale);
                if (slot == 1) {
                    abs(wState[slot]);
                    abs(biasState[slot]);
                }
            }
        }

        /** A copy whose arrays the device may overwrite. */
        Layer copy() {
            return new Layer(this);
        }

        private Layer(Layer o) {
            nIn = o.nIn;
            batch = o.batch;
            nOut = o.nOut;
            zPrev = o.zPrev;
            delta = o.delta;
            w = o.w.clone();
            bias = o.bias.clone();
            wState = new float[o.wState.length][];
            biasState = new float[o.biasState.length][];
            for (int slot = 0; slot < wState.length; slot++) {
                wState[slot] = o.wState[slot].clone();
                biasState[slot] = o.biasState[slot].clone();
            }
        }

        /** The layer after step {@code t} of {@code optimizer}, by the reference: w, bias, then each state slot. */
        double[][] expected(Optimizer optimizer, long t, float learningRate) {
            double[] gradient = new double[nIn * nOut];
            double[] biasGradient = new double[nOut];
            Reference.gradient(Compare.toDouble(zPrev), Compare.toDouble(delta), batch, nIn, nOut, gradient, biasGradient);
            double[] wExpected = Compare.toDouble(w);
            double[] biasExpected = Compare.toDouble(bias);
            double[][] wStateExpected = toDouble(wState);
            double[][] biasStateExpected = toDouble(biasState);
            OptimizerRules.step(optimizer, t, learningRate, wExpected, gradient, wStateExpected);
            OptimizerRules.step(optimizer, t, learningRate, biasExpected, biasGradient, biasStateExpected);
            double[][] out = new double[2 + 2 * wState.length][];
            out[0] = wExpected;
            out[1] = biasExpected;
            for (int slot = 0; slot < wState.length; slot++) {
                out[2 + 2 * slot] = wStateExpected[slot];
                out[3 + 2 * slot] = biasStateExpected[slot];
            }
            return out;
        }

        void assertClose(double[][] expected, String what) {
            Compare.close(w, expected[0], BOUND, what + " weights");
            Compare.close(bias, expected[1], BOUND, what + " bias");
            for (int slot = 0; slot < wState.length; slot++) {
                Compare.close(wState[slot], expected[2 + 2 * slot], BOUND, what + " weights state " + slot);
                Compare.close(biasState[slot], expected[3 + 2 * slot], BOUND, what + " bias state " + slot);
            }
        }

        void assertSame(Layer other, String what) {
            assertArrayEquals(w, other.w, what + ": weights bit for bit");
            assertArrayEquals(bias, other.bias, what + ": bias bit for bit");
            for (int slot = 0; slot < wState.length; slot++) {
                assertArrayEquals(wState[slot], other.wState[slot], what + ": weights state " + slot + " bit for bit");
                assertArrayEquals(biasState[slot], other.biasState[slot], what + ": bias state " + slot + " bit for bit");
            }
        }
    }

    private static void update(DeviceFamilies families, Layer layer, Optimizer optimizer, long t, float learningRate,
                               GemmPlan plan, boolean bySums) {
        families.update(layer.zPrev, layer.delta, layer.w, layer.bias, layer.wState, layer.biasState, layer.batch,
                layer.nIn, layer.nOut, learningRate, optimizer, t, plan, bySums);
    }

    /**
     * Step {@code t = 3} of every optimizer (weight decay 0.1; adamw's decoupled) from random
     * state, launched by the given plan; a split step is run twice and must agree bit for bit.
     */
    @ParameterizedTest(name = "{0} update {1} row {2} splits={3} M={4} K={5} N={6}", allowZeroInvocations = true)
    @MethodSource("planCases")
    void updateEachPlan(String backend, Driver.DeviceType table, String tileClass, int splits, int nIn, int batch,
                        int nOut) {
        DeviceFamilies families = DeviceBackends.families(backend, table);
        GemmPlan plan = plan(families, tileClass, splits, batch);
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            Optimizer optimizer = Optimizer.builder(kind).weightDecay(0.1f).build();
            long seed = seed();
            Layer layer = new Layer(new SplittableRandom(seed), nIn, batch, nOut, kind.slots());
            float learningRate = 0.05f;
            double[][] expected = layer.expected(optimizer, 3, learningRate);
            Layer device = layer.copy();
            update(families, device, optimizer, 3, learningRate, plan, false);
            String what = "update " + optimizer + " [" + table + " row, " + plan + ", bias "
                    + (plan.updateBiasRow(nIn) ? "row" : "in the reduce") + "] on " + backend + " (seed " + seed
                    + ", M=" + nIn + " K=" + batch + " N=" + nOut + ")";
            device.assertClose(expected, what);
            if (plan.splits() > 1) {
                Layer again = layer.copy();
                update(families, again, optimizer, 3, learningRate, plan, false);
                device.assertSame(again, what + " again");
            }
        }
    }

    /** The gradient sums {@code [Z_prevᵀ Δ; Σ_b Δ_b]}, unscaled, into a poisoned buffer, launched by the given plan. */
    @ParameterizedTest(name = "{0} gradient sums {1} row {2} splits={3} M={4} K={5} N={6}", allowZeroInvocations = true)
    @MethodSource("planCases")
    void gradientSumsEachPlan(String backend, Driver.DeviceType table, String tileClass, int splits, int nIn, int batch,
                              int nOut) {
        DeviceFamilies families = DeviceBackends.families(backend, table);
        GemmPlan plan = plan(families, tileClass, splits, batch);
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        float[] zPrev = Compare.uniform(random, batch * nIn, 1.0);
        float[] delta = Compare.uniform(random, batch * nOut, 1.0);
        double[] expected = new double[(nIn + 1) * nOut];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i <= nIn; i++) {
                double z = i < nIn ? zPrev[b * nIn + i] : 1.0;
                for (int j = 0; j < nOut; j++) {
                    expected[i * nOut + j] += z * delta[b * nOut + j];
                }
            }
        }
        float[] sums = Compare.poisoned((nIn + 1) * nOut);
        families.gradientSums(zPrev, delta, sums, batch, nIn, nOut, plan);
        Compare.close(sums, expected, BOUND, "gradient sums [" + table + " row, " + plan + ", bias "
                + (plan.updateBiasRow(nIn) ? "row" : "in the reduce") + "] on " + backend + " (seed "
                + seed + ", M=" + nIn + " K=" + batch + " N=" + nOut + ")");
    }

    /**
     * Data-parallel training's two halves on one device — the gradient sums, then
     * {@code update_reduce} from them — give the one-launch update's result bit for bit, for
     * every optimizer, at the plan the engine chooses: one accumulation path, one step.
     */
    @ParameterizedTest(name = "{0} sums then step M={1} K={2} N={3}", allowZeroInvocations = true)
    @MethodSource("engineCases")
    void sumsThenStepEqualTheUpdate(String backend, int nIn, int batch, int nOut) {
        DeviceFamilies families = (DeviceFamilies) DeviceBackends.families(backend);
        GemmPlan plan = families.updatePlan(batch, nIn, nOut);
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            Optimizer optimizer = Optimizer.builder(kind).weightDecay(0.1f).build();
            long seed = seed();
            Layer layer = new Layer(new SplittableRandom(seed), nIn, batch, nOut, kind.slots());
            Layer oneLaunch = layer.copy();
            update(families, oneLaunch, optimizer, 2, 0.05f, plan, false);
            Layer twoHalves = layer.copy();
            update(families, twoHalves, optimizer, 2, 0.05f, plan, true);
            oneLaunch.assertSame(twoHalves, "update " + optimizer + " [" + plan + "] on " + backend + " (seed " + seed
                    + ", M=" + nIn + " K=" + batch + " N=" + nOut + "): sums then step");
        }
    }

    private static void abs(float[] values) {
        for (int k = 0; k < values.length; k++) {
            values[k] = Math.abs(values[k]);
        }
    }

    private static double[][] toDouble(float[][] values) {
        double[][] out = new double[values.length][];
        for (int k = 0; k < values.length; k++) {
            out[k] = Compare.toDouble(values[k]);
        }
        return out;
    }
}

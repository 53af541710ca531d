package dev.deltaprop.cpu;

import static dev.deltaprop.testing.Compare.assertClose;
import static dev.deltaprop.testing.Compare.poisoned;
import static dev.deltaprop.testing.Compare.toDouble;
import static dev.deltaprop.testing.Compare.uniform;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.OptimizerRules;
import dev.deltaprop.reference.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cpu passes that issue 10 added, one family at a time against {@link Reference} and
 * {@link OptimizerRules} in double: the softmax forward (GEMM, then the per-sample softmax), the
 * output δ and loss of both cross-entropy pairings, and the update GEMM with every optimizer in its
 * epilogue, from a random state at step {@code t = 3}; saturated sigmoid and tanh derivatives.
 * Sizes 1, 7, 33, 257 and 1100 (past a
 * {@code K} slice) in each dimension, both micro-kernels, 1 and 2 threads, outputs poisoned with
 * NaN first; relative error ≤ 1e-5.
 */
class LearningPassesTest {
    private static final double BOUND = 1e-5;
    private static final int[] SIZES = {1, 7, 33, 257, 1100};
    private static final long SEED = Seeds.seed();
    private static final List<Passes> OPENED = new ArrayList<>();

    static {
        System.out.println("LearningPassesTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    static Stream<Arguments> passes() {
        List<Arguments> cases = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector"}) {
            for (int threads : new int[] {1, 2}) {
                Passes passes = new Passes(threads, CpuBackendTest.kernel(kernel));
                OPENED.add(passes);
                cases.add(Arguments.of(kernel + "/" + threads + "t", passes));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> optimizers() {
        return passes().flatMap(p -> Stream.of(Optimizer.Kind.values()).map(kind -> Arguments.of(p.get()[0], p.get()[1], kind)));
    }

    @AfterAll
    static void close() {
        OPENED.forEach(Passes::close);
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("passes")
    void softmaxForwardMatchesReference(String name, Passes passes) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int size : SIZES) {
            for (int[] shape : new int[][] {{size, 33, 7}, {7, size, 33}, {33, 7, size + 1}}) {
                int batch = shape[0], nIn = shape[1], nOut = shape[2];
                float[] w = uniform(random, nIn * nOut, 3.0 / Math.sqrt(nIn));
                float[] bias = uniform(random, nOut, 0.5);
                float[] zPrev = uniform(random, batch * nIn, 1.0);
                float[] u = poisoned(batch * nOut);
                float[] z = poisoned(batch * nOut);
                passes.forward(w, bias, nIn, nOut, Activation.SOFTMAX, zPrev, batch, u, z);
                passes.softmax(u, z, batch, nOut);
                double[] uRef = new double[batch * nOut];
                double[] zRef = new double[batch * nOut];
                Reference.forward(toDouble(w), toDouble(bias), nIn, nOut, Activation.SOFTMAX, toDouble(zPrev), batch, uRef,
                        zRef);
                String what = name + " forward softmax " + batch + "×" + nIn + "×" + nOut;
                assertClose(what + " u", u, uRef, u.length, BOUND, SEED);
                assertClose(what + " z", z, zRef, z.length, BOUND, SEED);
            }
        }
    }

    /** Both pairings; under softmax the phase also writes {@code y} (poisoned before), from {@code u}. */
    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("passes")
    void crossEntropyDeltaOutputMatchesReference(String name, Passes passes) {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int size : SIZES) {
            for (int[] shape : new int[][] {{size, 7}, {7, size + 1}}) {
                int batch = shape[0], n = shape[1];
                float[] u = uniform(random, batch * n, 6.0);
                float[] d = new float[batch * n];
                for (int b = 0; b < batch; b++) {
                    d[b * n + random.nextInt(n)] = 1f;
                }
                float[] y = poisoned(batch * n);
                float[] delta = poisoned(batch * n);
                double loss = passes.deltaOutput(Loss.CROSS_ENTROPY, y, d, u, Activation.SOFTMAX, batch, n, delta);
                double[] uRef = toDouble(u);
                double[] yRef = new double[batch * n];
                for (int b = 0; b < batch; b++) {
                    Activation.softmax(uRef, b * n, n, yRef);
                }
                double[] deltaRef = new double[batch * n];
                Reference.deltaOutputCrossEntropy(yRef, toDouble(d), batch, n, deltaRef);
                double lossRef = Reference.crossEntropySoftmax(uRef, toDouble(d), batch, n);
                String what = name + " delta_output softmax cross entropy " + batch + "×" + n;
                assertClose(what + " y", y, yRef, y.length, BOUND, SEED);
                assertClose(what, delta, deltaRef, delta.length, BOUND, SEED);
                assertClose(what + " loss", new float[] {(float) loss}, new double[] {lossRef}, 1, BOUND, SEED);

                float[] z = new float[batch * n];
                ActivationKernels.apply(Activation.SIGMOID, u, 0, z, 0, u.length);
                float[] p = uniform(random, batch * n, 0.5);
                for (int k = 0; k < p.length; k++) {
                    p[k] += 0.5f;
                }
                delta = poisoned(batch * n);
                loss = passes.deltaOutput(Loss.CROSS_ENTROPY, z, p, u, Activation.SIGMOID, batch, n, delta);
                Reference.deltaOutputCrossEntropy(toDouble(z), toDouble(p), batch, n, deltaRef);
                lossRef = Reference.crossEntropySigmoid(uRef, toDouble(p), batch, n);
                what = name + " delta_output sigmoid cross entropy " + batch + "×" + n;
                assertClose(what, delta, deltaRef, delta.length, BOUND, SEED);
                assertClose(what + " loss", new float[] {(float) loss}, new double[] {lossRef}, 1, BOUND, SEED);
            }
        }
    }

    /**
     * One update with {@code kind} in the epilogue, from random parameters and a random state
     * (second moments positive) at {@code t = 3}, against the reference gradient stepped by
     * {@link OptimizerRules}: parameters and every state slot.
     */
    @ParameterizedTest(name = "{0} {2}", autoCloseArguments = false)
    @MethodSource("optimizers")
    void everyOptimizerInTheUpdateEpilogueMatchesReference(String name, Passes passes, Optimizer.Kind kind) {
        SplittableRandom random = new SplittableRandom(SEED + 3 + kind.ordinal());
        Optimizer optimizer = Optimizer.builder(kind).weightDecay(0.02f).momentum(0.8f).beta1(0.8f).beta2(0.99f).build();
        float learningRate = 0.3f;
        long t = 3;
        OptimizerStep rule = new OptimizerStep();
        for (int size : SIZES) {
            for (int[] shape : new int[][] {{size, 33, 7}, {7, size, 33}, {33, 7, size}}) {
                int batch = shape[0], nIn = shape[1], nOut = shape[2];
                float[] zPrev = uniform(random, batch * nIn, 1.0);
                float[] delta = uniform(random, batch * nOut, 1.0);
                double[] g = new double[nIn * nOut];
                double[] gBias = new double[nOut];
                Reference.gradient(toDouble(zPrev), toDouble(delta), batch, nIn, nOut, g, gBias);

                float[] w = uniform(random, nIn * nOut, 1.0);
                float[] b = uniform(random, nOut, 1.0);
                float[][] ws = state(random, kind, nIn * nOut);
                float[][] bs = state(random, kind, nOut);
                double[] wRef = toDouble(w);
                double[] bRef = toDouble(b);
                double[][] wsRef = toDoubles(ws);
                double[][] bsRef = toDoubles(bs);
                OptimizerRules.step(optimizer, t, learningRate, wRef, g, wsRef);
                OptimizerRules.step(optimizer, t, learningRate, bRef, gBias, bsRef);

                rule.set(optimizer, t, learningRate, batch);
                passes.update(w, b, zPrev, delta, batch, nIn, nOut, rule, slot(ws, 0), slot(ws, 1),
                        slot(bs, 0), slot(bs, 1));
                String what = name + " update " + kind + " " + batch + "×" + nIn + "×" + nOut;
                assertClose(what + " weights", w, wRef, w.length, BOUND, SEED);
                assertClose(what + " bias", b, bRef, b.length, BOUND, SEED);
                for (int slot = 0; slot < kind.slots(); slot++) {
                    assertClose(what + " state " + slot, ws[slot], wsRef[slot], w.length, BOUND, SEED);
                    assertClose(what + " bias state " + slot, bs[slot], bsRef[slot], b.length, BOUND, SEED);
                }
            }
        }
    }

    /**
     * Saturated sigmoid and tanh units keep {@code f'} to float precision element by element:
     * with {@code n_next = 1}, {@code W_next = 1}, {@code Δ_next = 1}, {@code Δ = f'(u)} for
     * {@code |u|} in [4, 12], against {@code σ'(u) = e^{−|u|}/(1 + e^{−|u|})²} and
     * {@code tanh'(u) = 1/cosh² u} in double. From the float {@code z} ({@code z(1−z)}, {@code 1−z²})
     * it would be rounding noise there (0 past |u| ≈ 9 for tanh), which Adam turns into steps of η.
     */
    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("passes")
    void saturatedDerivativesKeepTheirPrecision(String name, Passes passes) {
        SplittableRandom random = new SplittableRandom(SEED + 5);
        int batch = 37;
        for (Activation f : new Activation[] {Activation.SIGMOID, Activation.TANH}) {
            float[] u = new float[batch];
            float[] z = new float[batch];
            double[] expected = new double[batch];
            for (int b = 0; b < batch; b++) {
                u[b] = (float) ((4 + 8 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1));
                z[b] = (float) f.f(u[b]);
                double e = Math.exp(-Math.abs((double) u[b]));
                double c = Math.cosh(u[b]);
                expected[b] = f == Activation.SIGMOID ? e / ((1 + e) * (1 + e)) : 1 / (c * c);
            }
            float[] ones = new float[batch];
            java.util.Arrays.fill(ones, 1f);
            float[] delta = poisoned(batch);
            passes.deltaHidden(new float[] {1f}, 1, 1, ones, u, z, f, batch, delta);
            for (int b = 0; b < batch; b++) {
                double error = Math.abs(delta[b] - expected[b]) / expected[b];
                org.junit.jupiter.api.Assertions.assertTrue(error <= 1e-6, name + " " + f + ": f'(" + u[b] + ") = " + delta[b]
                        + ", expected " + expected[b] + " (relative error " + error + ", seed " + SEED + ")");
            }
        }
    }

    /** Random state: {@code v} or {@code m} in [−0.5, 0.5], Adam's {@code s} in [0.01, 0.5] (it is a mean of squares). */
    private static float[][] state(SplittableRandom random, Optimizer.Kind kind, int count) {
        float[][] slots = new float[kind.slots()][];
        for (int slot = 0; slot < slots.length; slot++) {
            slots[slot] = uniform(random, count, 0.5);
            if (slot == 1) {
                for (int k = 0; k < count; k++) {
                    slots[slot][k] = 0.01f + Math.abs(slots[slot][k]);
                }
            }
        }
        return slots;
    }

    private static float[] slot(float[][] slots, int slot) {
        return slot < slots.length ? slots[slot] : null;
    }

    private static double[][] toDoubles(float[][] slots) {
        double[][] out = new double[slots.length][];
        for (int s = 0; s < slots.length; s++) {
            out[s] = Compare.toDouble(slots[s]);
        }
        return out;
    }
}

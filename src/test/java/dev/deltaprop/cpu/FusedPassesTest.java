package dev.deltaprop.cpu;

import static dev.deltaprop.testing.Compare.assertClose;
import static dev.deltaprop.testing.Compare.poisoned;
import static dev.deltaprop.testing.Compare.toDouble;
import static dev.deltaprop.testing.Compare.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.reference.Reference;
import dev.deltaprop.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fusions of a cpu step against {@link Reference} in double: the last forward layer with the
 * output δ, the loss and δ's column sums in its epilogue ({@link Passes#forwardOutput}), for every
 * activation under squared error and both cross-entropy pairings, a softmax narrower and wider than
 * one tile; and the staged δ GEMM's column sums. Sizes 1, 7, 33, 257 (and 1100 for the depth),
 * both micro-kernels, 1, 2 and 3 threads (which split the same layer by columns or by rows), outputs
 * poisoned first; every thread count must give the same bits.
 */
class FusedPassesTest {
    private static final double BOUND = 1e-5;
    private static final long SEED = Seeds.seed();
    private static final List<Passes> OPENED = new ArrayList<>();

    static {
        System.out.println("FusedPassesTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    /** Per kernel, the same passes on 1, 2 and 3 threads. */
    static Stream<Arguments> kernels() {
        List<Arguments> cases = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector"}) {
            Passes[] byThreads = new Passes[3];
            for (int t = 0; t < 3; t++) {
                byThreads[t] = new Passes(t + 1, kernel.equals("scalar") ? new ScalarMicroKernel() : MicroKernels.vector());
                OPENED.add(byThreads[t]);
            }
            cases.add(Arguments.of(kernel, byThreads));
        }
        return cases.stream();
    }

    @AfterAll
    static void close() {
        OPENED.forEach(Passes::close);
    }

    /** {batch, nIn, nOut}. */
    private static final int[][] SHAPES = {{1, 7, 1}, {7, 33, 7}, {33, 7, 33}, {257, 33, 1}, {257, 7, 257}, {33, 1100, 7},
            {300, 9, 64}};

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("kernels")
    void forwardOutputMatchesReference(String kernel, Passes[] byThreads) {
        SplittableRandom random = new SplittableRandom(SEED);
        List<Object[]> pairings = new ArrayList<>();
        for (Activation f : Activation.elementwiseValues()) {
            pairings.add(new Object[] {Loss.SQUARED_ERROR, f});
        }
        pairings.add(new Object[] {Loss.CROSS_ENTROPY, Activation.SIGMOID});
        pairings.add(new Object[] {Loss.CROSS_ENTROPY, Activation.SOFTMAX});
        for (Object[] pairing : pairings) {
            Loss loss = (Loss) pairing[0];
            Activation f = (Activation) pairing[1];
            for (int[] shape : SHAPES) {
                int batch = shape[0], nIn = shape[1], nOut = shape[2];
                if (f == Activation.SOFTMAX && nOut == 1) {
                    nOut = 2;
                }
                float[] w = uniform(random, nIn * nOut, 2.0 / Math.sqrt(nIn));
                float[] bias = uniform(random, nOut, 0.5);
                float[] zPrev = uniform(random, batch * nIn, 1.0);
                float[] d = teachers(random, loss, f, batch, nOut);
                String what = kernel + " " + loss + " " + f + " " + batch + "×" + nIn + "×" + nOut;

                float[][] deltas = new float[3][];
                float[][] biasSums = new float[3][];
                double[] losses = new double[3];
                for (int t = 0; t < 3; t++) {
                    float[] u = poisoned(batch * nOut);
                    float[] z = poisoned(batch * nOut);
                    float[] delta = poisoned(batch * nOut);
                    ColumnSums sums = new ColumnSums();
                    losses[t] = byThreads[t].forwardOutput(loss, w, bias, nIn, nOut, f, zPrev, batch, u, z, d, delta, sums);
                    deltas[t] = delta;
                    biasSums[t] = new float[nOut];
                    double[] exact = new double[nOut];
                    for (int j = 0; j < nOut; j++) {
                        exact[j] = sums.sum(j, batch);
                        biasSums[t][j] = (float) exact[j];
                    }
                    if (t == 0) {
                        double[] uRef = new double[batch * nOut];
                        double[] yRef = new double[batch * nOut];
                        Reference.forward(toDouble(w), toDouble(bias), nIn, nOut, f, toDouble(zPrev), batch, uRef, yRef);
                        double[] deltaRef = new double[batch * nOut];
                        double lossRef;
                        if (loss == Loss.SQUARED_ERROR) {
                            lossRef = Reference.deltaOutput(yRef, toDouble(d), uRef, f, batch, nOut, deltaRef);
                        } else {
                            Reference.deltaOutputCrossEntropy(yRef, toDouble(d), batch, nOut, deltaRef);
                            lossRef = f == Activation.SOFTMAX ? Reference.crossEntropySoftmax(uRef, toDouble(d), batch, nOut)
                                    : Reference.crossEntropySigmoid(uRef, toDouble(d), batch, nOut);
                        }
                        double[] sumRef = new double[nOut];
                        for (int b = 0; b < batch; b++) {
                            for (int j = 0; j < nOut; j++) {
                                sumRef[j] += deltaRef[b * nOut + j];
                            }
                        }
                        assertClose(what + " y", z, yRef, z.length, BOUND, SEED);
                        assertClose(what + " δ", delta, deltaRef, delta.length, BOUND, SEED);
                        assertClose(what + " loss", new float[] {(float) losses[t]}, new double[] {lossRef}, 1, BOUND, SEED);
                        // the column sums against the δ this pass wrote, summed in double: the sum, not δ's error, is tested
                        double[] sumOfDelta = new double[nOut];
                        for (int b = 0; b < batch; b++) {
                            for (int j = 0; j < nOut; j++) {
                                sumOfDelta[j] += delta[b * nOut + j];
                            }
                        }
                        assertClose(what + " Σ_b δ", biasSums[t], sumOfDelta, nOut, 1e-12 + BOUND * 1e-2, SEED);
                        assertClose(what + " Σ_b δ against the reference", biasSums[t], sumRef, nOut, 1e-4, SEED);
                    }
                }
                for (int t = 1; t < 3; t++) {
                    assertArrayEquals(deltas[0], deltas[t], what + ": δ, 1 vs " + (t + 1) + " threads (seed " + SEED + ")");
                    assertArrayEquals(biasSums[0], biasSums[t], what + ": Σ δ, 1 vs " + (t + 1) + " threads (seed " + SEED + ")");
                    assertEquals(losses[0], losses[t], what + ": loss, 1 vs " + (t + 1) + " threads (seed " + SEED + ")");
                }
            }
        }
    }

    /** Δ^l with its column sums from the δ GEMM's epilogue; bitwise the same on 1, 2 and 3 threads. */
    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("kernels")
    void stagedDeltaColumnSumsMatchReference(String kernel, Passes[] byThreads) {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int[] shape : SHAPES) {
            int batch = shape[0], n = shape[2], nNext = shape[1];
            float[] wNext = uniform(random, n * nNext, 1.0 / Math.sqrt(nNext));
            float[] deltaNext = uniform(random, batch * nNext, 1.0);
            float[] u = uniform(random, batch * n, 2.0);
            float[] z = new float[u.length];
            ActivationKernels.apply(Activation.TANH, u, 0, z, 0, u.length);
            double[] deltaRef = new double[batch * n];
            Reference.deltaHidden(toDouble(wNext), n, nNext, toDouble(deltaNext), toDouble(u), toDouble(z),
                    Activation.TANH, batch, deltaRef);
            double[] sumRef = new double[n];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < n; j++) {
                    sumRef[j] += deltaRef[b * n + j];
                }
            }
            String what = kernel + " delta_hidden " + batch + "×" + n + "×" + nNext;
            float[] first = null;
            for (int t = 0; t < 3; t++) {
                float[] delta = poisoned(batch * n);
                ColumnSums sums = new ColumnSums();
                byThreads[t].stageDeltaHidden(wNext, n, nNext, deltaNext, u, z, Activation.TANH, batch, delta, sums);
                byThreads[t].runStaged();
                float[] sum = new float[n];
                for (int j = 0; j < n; j++) {
                    sum[j] = (float) sums.sum(j, batch);
                    assertEquals(ColumnSums.of(delta, batch, n, byThreads[t].kernel().mr(), j), sums.sum(j, batch),
                            what + ": the fused sum is the definition's, column " + j);
                }
                assertClose(what + " δ", delta, deltaRef, delta.length, BOUND, SEED);
                assertClose(what + " Σ_b δ", sum, sumRef, n, 1e-4, SEED);
                if (first == null) {
                    first = sum;
                } else {
                    assertArrayEquals(first, sum, what + ": 1 vs " + (t + 1) + " threads (seed " + SEED + ")");
                }
            }
        }
    }

    private static float[] teachers(SplittableRandom random, Loss loss, Activation f, int batch, int n) {
        if (loss == Loss.SQUARED_ERROR) {
            return uniform(random, batch * n, 1.0);
        }
        float[] d = new float[batch * n];
        for (int b = 0; b < batch; b++) {
            if (f == Activation.SOFTMAX) {
                d[b * n + random.nextInt(n)] = 1f;
            } else {
                for (int j = 0; j < n; j++) {
                    d[b * n + j] = (float) random.nextDouble();
                }
            }
        }
        return d;
    }
}

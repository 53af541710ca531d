package dev.deltaprop.device;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.OptimizerRules;
import dev.deltaprop.reference.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each kernel family, launched alone on every backend of {@link DeviceBackends#NAMES} (through
 * {@link Families}: the device engine's kernels, the cpu backend's passes), against the equations of
 * {@link Reference} in double: fresh random inputs (the seed is in every failure message),
 * shapes that are not multiples of any tile (1, 7, 33, 257, and one dimension above 1000),
 * every activation, output buffers filled with NaN before the launch. Bound: 1e-5 relative.
 * The learning families of issue 10 (cross entropy, the optimizers of {@link OptimizerRules})
 * run on the backends whose {@link Families#hasLearningFamilies()}; the others skip them saying so.
 */
class DeviceKernelsTest {
    private static final double BOUND = 1e-5;

    /** (rows M, inner K, columns N) of the GEMM-shaped families; elementwise families use M × N. */
    static List<int[]> shapes() {
        return List.of(
                new int[] {1, 1, 1},
                new int[] {7, 1, 33},
                new int[] {1, 7, 7},
                new int[] {33, 7, 1},
                new int[] {7, 33, 257},
                new int[] {257, 33, 7},
                new int[] {33, 257, 33},
                new int[] {257, 257, 257},
                new int[] {1031, 7, 33},
                new int[] {5, 1031, 7},
                new int[] {3, 7, 1031});
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : DeviceBackends.names()) {
            for (int[] shape : shapes()) {
                cases.add(Arguments.of(name, shape[0], shape[1], shape[2]));
            }
        }
        return cases.stream();
    }

    /**
     * {@link #cases()} for the backends whose {@link Families} have a gather family: those of
     * the device engine (cpu gathers a host data set in {@code backend}; {@code DeviceTrainingTest}
     * covers that through the data-set comparison).
     */
    static Stream<Arguments> gatherCases() {
        return cases().filter(c -> DeviceBackends.isEngine((String) c.get()[0]));
    }

    private static long seed() {
        // fresh seeds differ per thread (parallel cases may start in the same nanosecond); a fixed one is used as given
        return Seeds.fixed() ? Seeds.seed() : Seeds.seed() ^ Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
    }

    private static String label(String family, String backend, long seed, int m, int k, int n, Activation f) {
        return family + " on " + backend + " (seed " + seed + ", M=" + m + " K=" + k + " N=" + n
                + (f == null ? "" : ", " + f) + ")";
    }

    /** {@code U = Z W + b}, {@code Z' = f(U)}: M = batch, K = n_in, N = n_out. */
    @ParameterizedTest(name = "{0} forward M={1} K={2} N={3}")
    @MethodSource("cases")
    void forward(String backend, int batch, int nIn, int nOut) {
        Families families = DeviceBackends.families(backend);
        for (Activation f : Activation.elementwiseValues()) {
            long seed = seed();
            SplittableRandom random = new SplittableRandom(seed);
            float[] zPrev = Compare.uniform(random, batch * nIn, 1.0);
            float[] w = Compare.uniform(random, nIn * nOut, 2.0 / Math.sqrt(nIn));
            float[] bias = Compare.uniform(random, nOut, 0.5);
            double[] u = new double[batch * nOut];
            double[] z = new double[batch * nOut];
            Reference.forward(Compare.toDouble(w), Compare.toDouble(bias), nIn, nOut, f, Compare.toDouble(zPrev), batch, u, z);

            float[] uOut = Compare.poisoned(batch * nOut);
            float[] zOut = Compare.poisoned(batch * nOut);
            families.forward(zPrev, w, bias, uOut, zOut, batch, nIn, nOut, f);
            String what = label("forward", backend, seed, batch, nIn, nOut, f);
            Compare.close(uOut, u, BOUND, what + " u");
            Compare.close(zOut, z, BOUND, what + " z");
        }
    }

    /** {@code Δ = (Y − D) ⊙ f'(U)} over M × N, and the mean loss. */
    @ParameterizedTest(name = "{0} delta_output M={1} N={3}")
    @MethodSource("cases")
    void deltaOutput(String backend, int batch, int unused, int n) {
        Families families = DeviceBackends.families(backend);
        for (Activation f : Activation.elementwiseValues()) {
            long seed = seed();
            SplittableRandom random = new SplittableRandom(seed);
            float[] u = Compare.uniform(random, batch * n, 3.0);
            float[] y = new float[u.length];
            for (int k = 0; k < u.length; k++) {
                y[k] = (float) f.f(u[k]);
            }
            float[] d = Compare.uniform(random, batch * n, 1.0);
            double[] delta = new double[batch * n];
            double loss = Reference.deltaOutput(Compare.toDouble(y), Compare.toDouble(d), Compare.toDouble(u), f, batch, n,
                    delta) / batch;

            float[] deltaOut = Compare.poisoned(batch * n);
            double lossOut = families.deltaOutput(y, d, u, deltaOut, batch, n, f);
            String what = label("delta_output", backend, seed, batch, 0, n, f);
            Compare.close(deltaOut, delta, BOUND, what + " delta");
            Compare.close(new float[] {(float) lossOut}, new double[] {loss}, BOUND, what + " loss");
        }
    }

    /** {@code Δ = (Δ_next W_nextᵀ) ⊙ f'(U, Z)}: M = batch, K = n_next, N = n. */
    @ParameterizedTest(name = "{0} delta_hidden M={1} K={2} N={3}")
    @MethodSource("cases")
    void deltaHidden(String backend, int batch, int nNext, int n) {
        Families families = DeviceBackends.families(backend);
        for (Activation f : Activation.elementwiseValues()) {
            long seed = seed();
            SplittableRandom random = new SplittableRandom(seed);
            float[] deltaNext = Compare.uniform(random, batch * nNext, 1.0);
            float[] wNext = Compare.uniform(random, n * nNext, 1.0);
            float[] u = Compare.uniform(random, batch * n, 3.0);
            float[] z = new float[u.length];
            for (int k = 0; k < u.length; k++) {
                z[k] = (float) f.f(u[k]);
            }
            double[] delta = new double[batch * n];
            Reference.deltaHidden(Compare.toDouble(wNext), n, nNext, Compare.toDouble(deltaNext), Compare.toDouble(u),
                    Compare.toDouble(z), f, batch, delta);

            float[] deltaOut = Compare.poisoned(batch * n);
            families.deltaHidden(deltaNext, wNext, u, z, deltaOut, batch, n, nNext, f);
            Compare.close(deltaOut, delta, BOUND, label("delta_hidden", backend, seed, batch, nNext, n, f));
        }
    }

    /**
     * {@code W −= (η/B) Z_prevᵀ Δ}, {@code b −= (η/B) Σ Δ}: M = n_in, K = batch, N = n_out. The
     * weights start small and η is large, so the step, not the old value, dominates the result.
     */
    @ParameterizedTest(name = "{0} update M={1} K={2} N={3}")
    @MethodSource("cases")
    void update(String backend, int nIn, int batch, int nOut) {
        Families families = DeviceBackends.families(backend);
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        float[] zPrev = Compare.uniform(random, batch * nIn, 1.0);
        float[] delta = Compare.uniform(random, batch * nOut, 1.0);
        float[] w = Compare.uniform(random, nIn * nOut, 0.01);
        float[] bias = Compare.uniform(random, nOut, 0.01);
        float learningRate = 0.75f;
        double[] gradient = new double[nIn * nOut];
        double[] biasGradient = new double[nOut];
        Reference.gradient(Compare.toDouble(zPrev), Compare.toDouble(delta), batch, nIn, nOut, gradient, biasGradient);
        double[] wExpected = Compare.toDouble(w);
        double[] biasExpected = Compare.toDouble(bias);
        Reference.update(wExpected, gradient, learningRate);
        Reference.update(biasExpected, biasGradient, learningRate);

        families.update(zPrev, delta, w, bias, batch, nIn, nOut, learningRate);
        String what = label("update", backend, seed, nIn, batch, nOut, null);
        Compare.close(w, wExpected, BOUND, what + " weights");
        Compare.close(bias, biasExpected, BOUND, what + " bias");
    }

    private static Families learningFamilies(String backend) {
        Families families = DeviceBackends.families(backend);
        Assumptions.assumeTrue(families.hasLearningFamilies(), backend + " has no learning families (cross entropy, "
                + "optimizers) in its Families adapter yet");
        return families;
    }

    /** {@code count} rows of {@code n} probabilities (positive, each row summing to 1): soft teachers. */
    private static float[] probabilityRows(SplittableRandom random, int rows, int n) {
        float[] d = new float[rows * n];
        for (int b = 0; b < rows; b++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                d[b * n + j] = (float) random.nextDouble();
                sum += d[b * n + j];
            }
            for (int j = 0; j < n; j++) {
                d[b * n + j] = (float) (d[b * n + j] / sum);
            }
        }
        return d;
    }

    /**
     * Cross entropy (DESIGN §1b) over M × N, both pairings: with softmax the kernel also writes
     * {@code y = softmax(u)} into a poisoned {@code y}; {@code Δ = y − d}; the mean loss from u.
     * Logits of scale 3, then of size 1e4 (every sign), where the loss must stay finite.
     */
    @ParameterizedTest(name = "{0} delta_output cross entropy M={1} N={3}")
    @MethodSource("cases")
    void deltaOutputCrossEntropy(String backend, int batch, int unused, int n) {
        Families families = learningFamilies(backend);
        for (Activation f : List.of(Activation.SOFTMAX, Activation.SIGMOID)) {
            for (double scale : new double[] {3.0, 1e4}) {
                long seed = seed();
                SplittableRandom random = new SplittableRandom(seed);
                float[] u = Compare.uniform(random, batch * n, scale);
                float[] d = f == Activation.SOFTMAX ? probabilityRows(random, batch, n) : Compare.uniform(random, batch * n, 0.5);
                if (f == Activation.SIGMOID) {
                    for (int k = 0; k < d.length; k++) {
                        d[k] += 0.5f; // teachers in [0, 1]
                    }
                }
                float[] y = f == Activation.SOFTMAX ? Compare.poisoned(batch * n) : new float[batch * n];
                double[] yExpected = new double[batch * n];
                for (int k = 0; k < u.length && f == Activation.SIGMOID; k++) {
                    y[k] = (float) f.f(u[k]);
                    yExpected[k] = y[k];
                }
                double[] uExpected = Compare.toDouble(u);
                double[] dExpected = Compare.toDouble(d);
                double loss;
                if (f == Activation.SOFTMAX) {
                    for (int b = 0; b < batch; b++) {
                        Activation.softmax(uExpected, b * n, n, yExpected);
                    }
                    loss = Reference.crossEntropySoftmax(uExpected, dExpected, batch, n) / batch;
                } else {
                    loss = Reference.crossEntropySigmoid(uExpected, dExpected, batch, n) / batch;
                }
                double[] delta = new double[batch * n];
                Reference.deltaOutputCrossEntropy(yExpected, dExpected, batch, n, delta);

                float[] deltaOut = Compare.poisoned(batch * n);
                double lossOut = families.deltaOutput(y, d, u, deltaOut, batch, n, f, Loss.CROSS_ENTROPY);
                String what = label("delta_output cross entropy", backend, seed, batch, 0, n, f) + " logits ±" + scale;
                Compare.close(deltaOut, delta, BOUND, what + " delta");
                Compare.close(y, yExpected, BOUND, what + " y");
                assertTrue(Double.isFinite(lossOut), what + ": loss " + lossOut);
                Compare.close(new float[] {(float) lossOut}, new double[] {loss}, BOUND, what + " loss");
            }
        }
    }

    /**
     * The extremes of a softmax: all-equal logits give the uniform {@code 1/n}, and a confident
     * wrong answer ({@code u = ±1e4} against a one-hot teacher on the smallest logit) a loss
     * of {@code 2e4} per sample, finite, with a finite δ.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#names")
    void softmaxExtremes(String backend) {
        Families families = learningFamilies(backend);
        int batch = 3;
        int n = 7;
        float[] u = new float[batch * n];
        float[] d = new float[batch * n];
        java.util.Arrays.fill(u, 0, n, 42.5f); // row 0: all equal
        d[3] = 1;
        for (int b = 1; b < batch; b++) {
            for (int j = 0; j < n; j++) {
                u[b * n + j] = j == 0 ? 1e4f : -1e4f;
            }
            d[b * n + n - 1] = 1; // the teacher picks a unit at -1e4
        }
        float[] y = Compare.poisoned(batch * n);
        float[] delta = Compare.poisoned(batch * n);
        double loss = families.deltaOutput(y, d, u, delta, batch, n, Activation.SOFTMAX, Loss.CROSS_ENTROPY);
        for (int j = 0; j < n; j++) {
            assertEquals(1.0 / n, y[j], 1e-7, backend + " uniform y[" + j + "]");
        }
        for (int k = 0; k < delta.length; k++) {
            assertTrue(Float.isFinite(delta[k]) && Float.isFinite(y[k]), backend + " finite δ and y at " + k);
        }
        assertEquals(1.0f, y[n], 0.0f, backend + " y of the confident unit");
        assertEquals(-1.0f, delta[2 * n - 1], 0.0f, backend + " δ of the teacher's unit");
        // (log 7 + 2e4 + 2e4) / 3: float32 keeps 2e4 to within 2e-3
        assertEquals((Math.log(n) + 4e4) / batch, loss, 1e-2, backend + " loss");
    }

    /**
     * The update with every optimizer in its epilogue, with weight decay 0 and 0.1, at step
     * {@code t = 3} from random state (v, m of either sign, s ≥ 0): weights, bias and every state
     * slot against {@link OptimizerRules#step}. M = n_in, K = batch, N = n_out.
     */
    @ParameterizedTest(name = "{0} update optimizers M={1} K={2} N={3}")
    @MethodSource("cases")
    void updateWithOptimizer(String backend, int nIn, int batch, int nOut) {
        Families families = learningFamilies(backend);
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            for (float lambda : new float[] {0f, 0.1f}) {
                Optimizer optimizer = Optimizer.builder(kind).weightDecay(lambda).build();
                long seed = seed();
                SplittableRandom random = new SplittableRandom(seed);
                float[] zPrev = Compare.uniform(random, batch * nIn, 1.0);
                float[] delta = Compare.uniform(random, batch * nOut, 1.0);
                float[] w = Compare.uniform(random, nIn * nOut, 0.5);
                float[] bias = Compare.uniform(random, nOut, 0.5);
                int slots = kind.slots();
                float[][] wState = new float[slots][];
                float[][] biasState = new float[slots][];
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
                float learningRate = 0.05f;
                long t = 3;
                double[] gradient = new double[nIn * nOut];
                double[] biasGradient = new double[nOut];
                Reference.gradient(Compare.toDouble(zPrev), Compare.toDouble(delta), batch, nIn, nOut, gradient, biasGradient);
                double[] wExpected = Compare.toDouble(w);
                double[] biasExpected = Compare.toDouble(bias);
                double[][] wStateExpected = toDouble(wState);
                double[][] biasStateExpected = toDouble(biasState);
                OptimizerRules.step(optimizer, t, learningRate, wExpected, gradient, wStateExpected);
                OptimizerRules.step(optimizer, t, learningRate, biasExpected, biasGradient, biasStateExpected);

                families.update(zPrev, delta, w, bias, wState, biasState, batch, nIn, nOut, learningRate, optimizer, t);
                String what = label("update " + optimizer, backend, seed, nIn, batch, nOut, null);
                Compare.close(w, wExpected, BOUND, what + " weights");
                Compare.close(bias, biasExpected, BOUND, what + " bias");
                for (int slot = 0; slot < slots; slot++) {
                    Compare.close(wState[slot], wStateExpected[slot], BOUND, what + " weights state " + slot);
                    Compare.close(biasState[slot], biasStateExpected[slot], BOUND, what + " bias state " + slot);
                }
            }
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

    /**
     * Saturated sigmoid and tanh units keep f' to float precision, element by element: with
     * {@code n_next = 1}, {@code W_next = 1} and {@code Δ_next = 1}, {@code Δ = f'(u)}, for
     * {@code |u|} in [4, 12], against {@code σ'(u) = e^{−|u|} / (1 + e^{−|u|})²} and
     * {@code tanh'(u) = 1 / cosh² u} in double (cosh, not the kernel's e^{−2|u|} form). An f' taken
     * from float32 z (z(1−z), 1−z²) is rounding noise there, which Adam would turn into steps of η
     * (see kernels/activation.h; the cpu backend takes f' from u where z is near 1, see
     * cpu.ActivationKernels).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#names")
    void saturatedDerivativesKeepTheirPrecision(String backend) {
        Families families = DeviceBackends.families(backend);
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        int batch = 37;
        for (Activation f : List.of(Activation.SIGMOID, Activation.TANH)) {
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
            float[] delta = Compare.poisoned(batch);
            families.deltaHidden(ones, new float[] {1f}, u, z, delta, batch, 1, 1, f);
            for (int b = 0; b < batch; b++) {
                double error = Math.abs(delta[b] - expected[b]) / expected[b];
                assertTrue(error <= 1e-5, label("delta_hidden", backend, seed, batch, 1, 1, f) + ": f'(" + u[b] + ") = "
                        + delta[b] + ", expected " + expected[b] + " (relative error " + error + ")");
            }
        }
    }

    /** {@code out[b] = data[order[offset + b]]}, a shuffled window of a data set (backends with a gather family). */
    @ParameterizedTest(name = "{0} gather samples={1} width={3}", allowZeroInvocations = true)
    @MethodSource("gatherCases")
    void gather(String backend, int samples, int unused, int width) {
        Families families = DeviceBackends.families(backend);
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = Compare.uniform(random, samples * width, 1.0);
        int[] order = new int[samples];
        for (int k = 0; k < samples; k++) {
            order[k] = k;
        }
        for (int k = samples - 1; k > 0; k--) {
            int other = random.nextInt(k + 1);
            int t = order[k];
            order[k] = order[other];
            order[other] = t;
        }
        int offset = samples / 3;
        int batch = samples - offset;
        double[] expected = new double[batch * width];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < width; c++) {
                expected[b * width + c] = data[order[offset + b] * width + c];
            }
        }
        float[] out = Compare.poisoned(batch * width);
        families.gather(data, order, out, offset, batch, width);
        // a copy: exact
        Compare.close(out, expected, 0.0, label("gather", backend, seed, samples, offset, width, null));
    }

    /** {@code kernels/activation.h} numbers the activations as {@link Activation#code()} does. */
    @Test
    void activationCodesMatchTheKernels() throws IOException {
        String header;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("kernels/activation.h")) {
            header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher define = Pattern.compile("#define ACT_([A-Z_]+) (\\d+)").matcher(header);
        int found = 0;
        while (define.find()) {
            Activation activation = Activation.valueOf(define.group(1));
            assertEquals(activation.code(), Integer.parseInt(define.group(2)), "ACT_" + define.group(1));
            found++;
        }
        assertEquals(Activation.values().length, found, "one ACT_* per activation");
        assertTrue(header.contains("0.01f"), "leaky slope 0.01 as in Activation.LEAKY_SLOPE");
    }

    /** {@code kernels/optimizer.h} numbers the rules as {@link Optimizer.Kind#code()} does. */
    @Test
    void optimizerCodesMatchTheKernels() throws IOException {
        String header;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("kernels/optimizer.h")) {
            header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher define = Pattern.compile("#define OPT_([A-Z]+) (\\d+)").matcher(header);
        int found = 0;
        while (define.find()) {
            Optimizer.Kind kind = Optimizer.Kind.valueOf(define.group(1));
            assertEquals(kind.code(), Integer.parseInt(define.group(2)), "OPT_" + define.group(1));
            found++;
        }
        assertEquals(Optimizer.Kind.values().length, found, "one OPT_* per optimizer");
    }
}

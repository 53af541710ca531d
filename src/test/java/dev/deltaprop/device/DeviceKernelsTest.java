package dev.deltaprop.device;

import dev.deltaprop.model.Activation;
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
        return System.nanoTime() ^ Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
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

            float[] uOut = Compare.nan(batch * nOut);
            float[] zOut = Compare.nan(batch * nOut);
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

            float[] deltaOut = Compare.nan(batch * n);
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

            float[] deltaOut = Compare.nan(batch * n);
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
        float[] out = Compare.nan(batch * width);
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
        assertEquals(Activation.elementwiseValues().size(), found, "one ACT_* per elementwise activation");
        assertTrue(header.contains("0.01f"), "leaky slope 0.01 as in Activation.LEAKY_SLOPE");
    }
}

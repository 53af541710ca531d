package dev.deltaprop.cpu;

import static dev.deltaprop.testing.Compare.assertClose;
import static dev.deltaprop.testing.Compare.poisoned;
import static dev.deltaprop.testing.Compare.toDouble;
import static dev.deltaprop.testing.Compare.uniform;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.model.Activation;
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
 * Each pass of the cpu backend (the three GEMM shapes with their epilogues, and the output δ)
 * against {@link Reference} in double: sizes 1, 7, 33, 257 and 1100 (past a {@code K} slice, so
 * partial sums are exercised) in each dimension with the others cheap, and 300×150×1100 (several
 * {@code MC × NC} blocks each way), every activation, both
 * micro-kernels, 1 and 2 threads, outputs poisoned with NaN first. Relative error ≤ 1e-5.
 *
 * <p>{@code DeviceKernelsTest} holds the configuration that {@code Backends.open("cpu")} uses (the
 * chosen micro-kernel, the default thread count) to the same checks as the device kernels, through
 * {@link CpuFamilies}; this class adds what only the cpu has: each micro-kernel and thread count
 * explicitly, and the update from zero parameters (the step alone, at full precision).
 */
class PassesTest {
    private static final double BOUND = 1e-5;
    private static final int[] SIZES = {1, 7, 33, 257, 1100};
    private static final long SEED = Seeds.seed();
    private static final List<Passes> OPENED = new ArrayList<>();

    static {
        System.out.println("PassesTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    /** {batch, nIn, nOut}: one dimension swept, the others small and odd. */
    static List<int[]> shapes() {
        List<int[]> shapes = new ArrayList<>();
        for (int size : SIZES) {
            shapes.add(new int[] {size, 33, 7});
            shapes.add(new int[] {7, size, 33});
            shapes.add(new int[] {33, 7, size});
        }
        // past MC rows and NC columns at once, wider than a narrow product: the epilogues that take
        // whole blocks (Epilogue.takesBlocks) see several blocks down and across in every family
        shapes.add(new int[] {300, 150, 1100});
        return shapes;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "vector"}) {
            for (int threads : new int[] {1, 2}) {
                MicroKernel micro = kernel.equals("scalar") ? new ScalarMicroKernel() : MicroKernels.vector();
                Passes passes = new Passes(threads, micro);
                OPENED.add(passes);
                for (Activation f : Activation.elementwiseValues()) {
                    cases.add(Arguments.of(kernel + "/" + threads + "t", f, passes));
                }
            }
        }
        return cases.stream();
    }

    @AfterAll
    static void close() {
        OPENED.forEach(Passes::close);
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void forwardMatchesReference(String name, Activation f, Passes passes) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int[] shape : shapes()) {
            int batch = shape[0], nIn = shape[1], nOut = shape[2];
            float[] w = uniform(random, nIn * nOut, 1.0 / Math.sqrt(nIn));
            float[] bias = uniform(random, nOut, 0.5);
            float[] zPrev = uniform(random, batch * nIn, 1.0);
            float[] u = poisoned(batch * nOut);
            float[] z = poisoned(batch * nOut);
            passes.forward(w, bias, nIn, nOut, f, zPrev, batch, u, z);
            double[] uRef = new double[batch * nOut];
            double[] zRef = new double[batch * nOut];
            Reference.forward(toDouble(w), toDouble(bias), nIn, nOut, f, toDouble(zPrev), batch, uRef, zRef);
            String what = name + " forward " + f + " " + batch + "×" + nIn + "×" + nOut;
            assertClose(what + " u", u, uRef, u.length, BOUND, SEED);
            assertClose(what + " z", z, zRef, z.length, BOUND, SEED);
        }
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void deltaOutputMatchesReference(String name, Activation f, Passes passes) {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int size : SIZES) {
            for (int[] shape : new int[][] {{size, 7}, {7, size}}) {
                int batch = shape[0], n = shape[1];
                float[] u = uniform(random, batch * n, 2.0);
                float[] y = new float[u.length];
                ActivationKernels.apply(f, u, 0, y, 0, u.length);
                float[] d = uniform(random, batch * n, 1.0);
                float[] delta = poisoned(batch * n);
                double loss = passes.deltaOutput(y, d, u, f, batch, n, delta);
                double[] deltaRef = new double[batch * n];
                double lossRef = Reference.deltaOutput(toDouble(y), toDouble(d), toDouble(u), f, batch, n, deltaRef);
                String what = name + " delta_output " + f + " " + batch + "×" + n;
                assertClose(what, delta, deltaRef, delta.length, BOUND, SEED);
                assertClose(what + " loss", new float[] {(float) loss}, new double[] {lossRef}, 1, BOUND, SEED);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void deltaHiddenMatchesReference(String name, Activation f, Passes passes) {
        SplittableRandom random = new SplittableRandom(SEED + 2);
        for (int[] shape : shapes()) {
            // {batch, n (this layer), nNext}
            int batch = shape[0], n = shape[1], nNext = shape[2];
            float[] wNext = uniform(random, n * nNext, 1.0 / Math.sqrt(nNext));
            float[] deltaNext = uniform(random, batch * nNext, 1.0);
            float[] u = uniform(random, batch * n, 2.0);
            float[] z = new float[u.length];
            ActivationKernels.apply(f, u, 0, z, 0, u.length);
            float[] delta = poisoned(batch * n);
            passes.deltaHidden(wNext, n, nNext, deltaNext, u, z, f, batch, delta);
            double[] deltaRef = new double[batch * n];
            Reference.deltaHidden(toDouble(wNext), n, nNext, toDouble(deltaNext), toDouble(u), toDouble(z), f, batch,
                    deltaRef);
            assertClose(name + " delta_hidden " + f + " " + batch + "×" + n + "×" + nNext, delta, deltaRef,
                    delta.length, BOUND, SEED);
        }
    }

    /**
     * The update from zero parameters, so that the result is exactly the step {@code −η ∂E/∂w}
     * (compared with the reference's gradient at full precision), then from random parameters.
     */
    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void updateMatchesReference(String name, Activation f, Passes passes) {
        SplittableRandom random = new SplittableRandom(SEED + 3);
        float learningRate = 0.7f;
        for (int[] shape : shapes()) {
            int batch = shape[0], nIn = shape[1], nOut = shape[2];
            float[] zPrev = uniform(random, batch * nIn, 1.0);
            float[] delta = uniform(random, batch * nOut, 1.0);
            double[] gradientRef = new double[nIn * nOut];
            double[] biasGradientRef = new double[nOut];
            Reference.gradient(toDouble(zPrev), toDouble(delta), batch, nIn, nOut, gradientRef, biasGradientRef);
            String what = name + " update " + batch + "×" + nIn + "×" + nOut;

            float[] w = new float[nIn * nOut];
            float[] bias = new float[nOut];
            passes.update(w, bias, zPrev, delta, batch, nIn, nOut, learningRate);
            assertClose(what + " step", w, scaled(gradientRef, -learningRate), w.length, BOUND, SEED);
            assertClose(what + " bias step", bias, scaled(biasGradientRef, -learningRate), nOut, BOUND, SEED);

            float[] w0 = uniform(random, nIn * nOut, 1.0);
            float[] b0 = uniform(random, nOut, 1.0);
            double[] wRef = toDouble(w0);
            double[] bRef = toDouble(b0);
            Reference.update(wRef, gradientRef, learningRate);
            Reference.update(bRef, biasGradientRef, learningRate);
            passes.update(w0, b0, zPrev, delta, batch, nIn, nOut, learningRate);
            assertClose(what + " weights", w0, wRef, w0.length, BOUND, SEED);
            assertClose(what + " bias", b0, bRef, nOut, BOUND, SEED);
        }
        assertTrue(f != null);
    }

    private static double[] scaled(double[] values, double factor) {
        double[] out = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            out[k] = values[k] * factor;
        }
        return out;
    }
}

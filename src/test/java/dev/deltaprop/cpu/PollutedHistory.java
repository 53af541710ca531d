package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.testing.SteadyWindows;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * {@link PollutedHistoryTest}'s JVM (run it alone: {@code java --add-modules jdk.incubator.vector
 * -cp target/classes:target/test-classes dev.deltaprop.cpu.PollutedHistory}): a {@link Predictor}
 * warmed until its calls allocate nothing, then the cpu backend's first steps on other shapes
 * ({@link #pollute}), and then the same predictor again. Prints {@code warm WINDOWS}, then one
 * {@code after WINDOW BYTES} line per window of 100 batched and 100 one-sample calls.
 */
public final class PollutedHistory {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private PollutedHistory() {
    }

    public static void main(String[] args) {
        // PredictorTest.batchAllocatesNothing's network and calls
        Network network = Network.builder(32).layer(64, Activation.TANH).layer(64, Activation.TANH)
                .layer(10, Activation.SOFTMAX).build(7);
        Predictor predictor = Predictor.of(network);
        SplittableRandom random = new SplittableRandom(7);
        float[] x = new float[64 * 32];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) random.nextDouble(-1, 1);
        }
        float[] y = new float[64 * 10];
        float[] xOne = Arrays.copyOf(x, 32);
        float[] one = new float[10];
        for (int call = 0; call < 5_000; call++) {
            predictor.predict(x, y, 64);
            predictor.predict(xOne, one, 1);
        }
        long smallest = Long.MAX_VALUE;
        int windows = 0;
        for (SteadyWindows steady = new SteadyWindows(); steady.another(smallest); windows++) {
            smallest = Math.min(smallest, window(predictor, x, y, xOne, one, 1000));
        }
        System.out.println(smallest == 0 ? "warm " + windows : "never warm " + smallest);
        pollute();
        for (int w = 0; w < 20; w++) {
            System.out.println("after " + w + " " + window(predictor, x, y, xOne, one, 100));
        }
    }

    /**
     * The cpu backend's first steps on shapes the predictor never had, one each, right before the
     * predictor is measured again: odd widths (runs shorter than a vector, tails), every hidden
     * activation, a softmax output, both micro-kernel tiles and the scalar kernel, two threads.
     */
    private static void pollute() {
        MicroKernel[] kernels = {MicroKernels.vector(14), MicroKernels.vector(6) /* both tiles, whichever this JVM chose */,
            new ScalarMicroKernel()};
        Activation[] hidden = {Activation.TANH, Activation.SIGMOID, Activation.RELU, Activation.LEAKY_RELU, Activation.SOFTPLUS};
        SplittableRandom random = new SplittableRandom(11);
        for (int width : new int[] {7, 33}) {
            for (Activation f : hidden) {
                for (MicroKernel kernel : kernels) {
                    Network net = Network.builder(37).layer(width, f).layer(width + 2, Activation.TANH)
                            .layer(3, Activation.SOFTMAX).build(width);
                    try (CpuBackend cpu = new CpuBackend(2, kernel)) {
                        cpu.load(net, Optimizer.of(Optimizer.Kind.ADAM));
                        int batch = 19;
                        float[] x = new float[batch * 37];
                        float[] d = new float[batch * 3];
                        for (int k = 0; k < x.length; k++) {
                            x[k] = (float) random.nextDouble(-3, 3);
                        }
                        for (int b = 0; b < batch; b++) {
                            d[b * 3 + b % 3] = 1f;
                        }
                        cpu.step(x, d, batch, 0.05f);
                        cpu.predict(x, batch);
                    }
                }
            }
        }
    }

    private static long window(Predictor predictor, float[] x, float[] y, float[] xOne, float[] one, int calls) {
        long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int call = 0; call < calls; call++) {
            predictor.predict(x, y, 64);
            predictor.predict(xOne, one, 1);
        }
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    }
}

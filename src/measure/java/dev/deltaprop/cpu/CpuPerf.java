package dev.deltaprop.cpu;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Hand-run timing of the cpu backend for docs/perf-cpu.md (not a test: speed is measured, never
 * asserted). Prints the forward GEMM at N³ and the {@code mnist} training step (784-512-512-10,
 * relu, identity out, B = 256; training FLOPs counted as {@code bench} counts them) for the chosen
 * kernel and thread count, and optionally the reference backend's step for the ratio.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     [-Ddeltaprop.cpu.kernel=scalar] dev.deltaprop.cpu.CpuPerf THREADS [gemm N | mnist | reference | rules B NIN NOUT]</pre>
 *
 * <p>{@code rules} times the update pass (TN GEMM) at {@code B × NIN × NOUT} with each optimizer
 * in its epilogue, to see what a rule costs beside plain sgd.
 */
public final class CpuPerf {
    private CpuPerf() {
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        String what = args.length > 1 ? args[1] : "mnist";
        switch (what) {
            case "gemm":
                gemm(threads, Integer.parseInt(args[2]));
                break;
            case "mnist":
                mnist(new CpuBackend(threads), 10, 40);
                break;
            case "shapes":
                shapes(threads, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            case "reference":
                mnist(new ReferenceBackend(), 1, 3);
                break;
            case "rules":
                rules(threads, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            default:
                throw new IllegalArgumentException("expected gemm N, mnist, reference or rules B NIN NOUT, found " + what);
        }
    }

    private static void gemm(int threads, int n) {
        SplittableRandom random = new SplittableRandom(42);
        float[] w = Compare.uniform(random, n * n, 0.1);
        float[] bias = new float[n];
        float[] x = Compare.uniform(random, n * n, 1.0);
        float[] u = new float[n * n];
        float[] z = new float[n * n];
        try (Passes passes = new Passes(threads, MicroKernels.chosen())) {
            long[] nanos = new long[25];
            for (int r = -5; r < nanos.length; r++) {
                long start = System.nanoTime();
                passes.forward(w, bias, n, n, Activation.IDENTITY, x, n, u, z);
                if (r >= 0) {
                    nanos[r] = System.nanoTime() - start;
                }
            }
            Arrays.sort(nanos);
            double seconds = nanos[nanos.length / 2] * 1e-9;
            System.out.printf("cpu forward gemm %dx%dx%d threads=%d kernel=\"%s\" median_us=%.1f gflops=%.1f best_gflops=%.1f%n",
                    n, n, n, threads, passes.kernel().description(), seconds * 1e6, 2.0 * n * n * n / seconds * 1e-9,
                    2.0 * n * n * n / (nanos[0] * 1e-9) * 1e-9);
        }
    }

    /** The three GEMM passes alone at batch × nIn × nOut (relu), to see which shape is slow. */
    private static void shapes(int threads, int batch, int nIn, int nOut) {
        SplittableRandom random = new SplittableRandom(42);
        float[] w = Compare.uniform(random, nIn * nOut, 0.1);
        float[] bias = new float[nOut];
        float[] zPrev = Compare.uniform(random, batch * nIn, 1.0);
        float[] u = Compare.uniform(random, batch * nOut, 1.0);
        float[] z = new float[batch * nOut];
        float[] deltaPrev = new float[batch * nIn];
        double flops = 2.0 * batch * nIn * nOut;
        try (Passes passes = new Passes(threads, MicroKernels.chosen())) {
            for (String shape : new String[] {"forward NN", "delta NT", "update TN"}) {
                long[] nanos = new long[30];
                for (int r = -10; r < nanos.length; r++) {
                    long start = System.nanoTime();
                    if (shape.startsWith("forward")) {
                        passes.forward(w, bias, nIn, nOut, Activation.RELU, zPrev, batch, u, z);
                    } else if (shape.startsWith("delta")) {
                        passes.deltaHidden(w, nIn, nOut, u, zPrev, zPrev, Activation.RELU, batch, deltaPrev);
                    } else {
                        passes.update(w, bias, zPrev, u, batch, nIn, nOut, 1e-6f);
                    }
                    if (r >= 0) {
                        nanos[r] = System.nanoTime() - start;
                    }
                }
                Arrays.sort(nanos);
                System.out.printf("%-10s %dx%dx%d threads=%d median_us=%.1f gflops=%.1f best_gflops=%.1f%n", shape,
                        batch, nIn, nOut, threads, nanos[15] * 1e-3, flops / nanos[15], flops / nanos[0]);
            }
        }
    }

    /** The update pass at batch × nIn × nOut with each optimizer's epilogue (weight decay on), rounds interleaved. */
    private static void rules(int threads, int batch, int nIn, int nOut) {
        SplittableRandom random = new SplittableRandom(42);
        float[] w = Compare.uniform(random, nIn * nOut, 0.1);
        float[] bias = new float[nOut];
        float[] zPrev = Compare.uniform(random, batch * nIn, 1.0);
        float[] delta = Compare.uniform(random, batch * nOut, 1e-3);
        float[][] weightState = {new float[nIn * nOut], new float[nIn * nOut]};
        float[][] biasState = {new float[nOut], new float[nOut]};
        dev.deltaprop.model.Optimizer.Kind[] kinds = dev.deltaprop.model.Optimizer.Kind.values();
        long[][] nanos = new long[kinds.length + 1][30];
        OptimizerStep rule = new OptimizerStep();
        try (Passes passes = new Passes(threads, MicroKernels.chosen())) {
            for (int r = -10; r < nanos[0].length; r++) {
                for (int k = 0; k <= kinds.length; k++) {
                    // k = 0: plain sgd (λ = 0), the path that existed before optimizers
                    dev.deltaprop.model.Optimizer optimizer = k == 0 ? dev.deltaprop.model.Optimizer.sgd()
                            : dev.deltaprop.model.Optimizer.builder(kinds[k - 1]).weightDecay(0.01f).build();
                    rule.set(optimizer, r + 11, 1e-6f, batch);
                    long start = System.nanoTime();
                    passes.update(w, bias, zPrev, delta, batch, nIn, nOut, rule, weightState[0], weightState[1],
                            biasState[0], biasState[1]);
                    if (r >= 0) {
                        nanos[k][r] = System.nanoTime() - start;
                    }
                }
            }
            double flops = 2.0 * batch * nIn * nOut;
            for (int k = 0; k <= kinds.length; k++) {
                Arrays.sort(nanos[k]);
                System.out.printf("update %-14s %dx%dx%d threads=%d median_us=%.1f best_us=%.1f gflops=%.1f%n",
                        k == 0 ? "sgd (plain)" : kinds[k - 1] + " (λ>0)", batch, nIn, nOut, threads, nanos[k][15] * 1e-3,
                        nanos[k][0] * 1e-3, flops / nanos[k][15]);
            }
        }
    }

    private static void mnist(Backend backend, int warmup, int steps) {
        Network network = Network.builder(784).layer(512, Activation.RELU).layer(512, Activation.RELU)
                .layer(10, Activation.IDENTITY).build(1);
        int batch = 256;
        SplittableRandom random = new SplittableRandom(7);
        float[] x = Compare.uniform(random, batch * 784, 1.0);
        float[] d = Compare.uniform(random, batch * 10, 1.0);
        int[] widths = network.widths();
        long macs = 0;
        long deltaMacs = 0;
        for (int l = 1; l < widths.length; l++) {
            macs += (long) widths[l - 1] * widths[l];
            if (l > 1) {
                deltaMacs += (long) widths[l - 1] * widths[l];
            }
        }
        double flops = 2.0 * batch * (2 * macs + deltaMacs);
        try (backend) {
            backend.load(network);
            long[] nanos = new long[steps];
            for (int r = -warmup; r < steps; r++) {
                long start = System.nanoTime();
                backend.step(x, d, batch, 0.001f);
                if (r >= 0) {
                    nanos[r] = System.nanoTime() - start;
                }
            }
            Arrays.sort(nanos);
            double seconds = nanos[steps / 2] * 1e-9;
            if (backend instanceof CpuBackend) {
                CpuBackend cpu = (CpuBackend) backend;
                cpu.profiling(true);
                cpu.step(x, d, batch, 0.001f);
                System.out.println("families (one profiled step, ns): " + cpu.lastStepNanos());
                cpu.profiling(false);
            }
            System.out.printf("%s mnist step B=%d device=\"%s\" median_us=%.1f samples_per_s=%.1f gflops=%.1f%n",
                    backend.name(), batch, backend.device(), seconds * 1e6, batch / seconds, flops / seconds * 1e-9);
        }
    }
}

package dev.deltaprop.cpu;

import java.util.SplittableRandom;

/**
 * Hand-run, one thread: {@link Gemm} variants (blocking, packing) on one GEMM shape, interleaved
 * round by round so that a loaded machine slows every variant alike; prints the best thread CPU time of each.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     [-Dvariants=KC/MC/NC,...] [-Drows=6|14] [-Dchunk=COLUMNS] dev.deltaprop.cpu.GemmPerf MxNxK:OP [ROUNDS]</pre>
 *
 * <p>{@code -Dchunk} computes the product in column chunks of that width, as {@code Passes} does
 * (the packed {@code A} is reused between them). {@code -Drows} picks the Vector API kernel's tile height ({@code VectorMicroKernel}).
 */
public final class GemmPerf {
    /** Thread CPU time, not wall time: on a shared machine the time a thread is descheduled is not the GEMM's. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private GemmPerf() {
    }

    public static void main(String[] args) {
        String[] parts = args[0].split("[x:]");
        int m = Integer.parseInt(parts[0]);
        int n = Integer.parseInt(parts[1]);
        int k = Integer.parseInt(parts[2]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int aRow, aCol, bRow, bCol;
        switch (parts[3]) {
            case "NN": aRow = k; aCol = 1; bRow = n; bCol = 1; break;
            case "NT": aRow = k; aCol = 1; bRow = 1; bCol = k; break;
            case "TN": aRow = 1; aCol = m; bRow = n; bCol = 1; break;
            default: throw new IllegalArgumentException("shape: expected OP NN, NT or TN, found " + parts[3]);
        }
        SplittableRandom random = new SplittableRandom(5);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (random.nextDouble() * 2 - 1);
        }
        float[] c = new float[m * n];
        Epilogue store = (tile, stride, row, column, rows, cols) -> {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(tile, r * stride, c, (row + r) * n + column, cols);
            }
        };
        MicroKernel kernel = System.getProperty("rows") == null ? MicroKernels.chosen()
                : MicroKernels.vector(Integer.getInteger("rows"));
        String[] names = System.getProperty("variants", "256/120/1024").split(",");
        Gemm[] gemms = new Gemm[names.length];
        for (int v = 0; v < names.length; v++) {
            String[] f = names[v].split("/");
            gemms[v] = new Gemm(kernel, Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
        }
        // columns per multiply call, as Passes cuts a phase into chunks (default: the whole width)
        int chunk = Integer.getInteger("chunk", n);
        long[] best = new long[names.length];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        for (int r = -5; r < rounds; r++) {
            for (int v = 0; v < names.length; v++) {
                gemms[v].newProduct();
                long start = CPU.getCurrentThreadCpuTime();
                for (int j = 0; j < n; j += chunk) {
                    gemms[v].multiply(a, 0, aRow, aCol, b, 0, bRow, bCol, 0, m, j, Math.min(n, j + chunk), k, store);
                }
                long t = CPU.getCurrentThreadCpuTime() - start;
                if (r >= 0) {
                    best[v] = Math.min(best[v], t);
                }
            }
        }
        for (int v = 0; v < names.length; v++) {
            System.out.printf("%s %-22s best_us=%.1f gflops=%.1f%n", args[0], names[v], best[v] * 1e-3,
                    2.0 * m * n * k / best[v]);
        }
    }
}

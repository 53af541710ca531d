package dev.deltaprop.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Hand-run, one thread: where a {@link Gemm} product's time goes, against the tile's own rate, all
 * in one JVM and interleaved round by round. On a shared host the tile's rate alone moves by 2×
 * from one JVM (or minute) to the next; ratios measured within a round cancel that.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     [-Drows=6|14] dev.deltaprop.cpu.GemmLoss MxNxK:NN|TN [ROUNDS]</pre>
 *
 * <p>Each round prints, in GFLOP/s and as a share of the first: {@code tile}, one tile at depth 128
 * on L1-resident operands; {@code loops}, {@code Gemm}'s kernel loops alone (eight {@code B} panels,
 * eight {@code A} panels, the partial sums between {@code KC} slices as {@code Gemm} keeps them) on
 * blocks packed beforehand; {@code gemm}, the whole product in 256-column chunks as {@code Passes}
 * cuts it; then the milliseconds that packing {@code B} ({@link Packing#packB}) and {@code A}
 * ({@link Packing#packPanelsA}, in {@code MC} blocks) take for that product on their own.
 */
public final class GemmLoss {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final int CHUNK = 256;

    private GemmLoss() {
    }

    public static void main(String[] args) {
        String[] parts = args[0].split("[x:]");
        int m = Integer.parseInt(parts[0]);
        int n = Integer.parseInt(parts[1]);
        int k = Integer.parseInt(parts[2]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        boolean tn;
        switch (parts[3]) {
            case "NN": tn = false; break;
            case "TN": tn = true; break;
            default: throw new IllegalArgumentException("shape: expected OP NN or TN, found " + parts[3]);
        }
        int aRow = tn ? 1 : k;
        int aCol = tn ? m : 1;
        MicroKernel kernel = System.getProperty("rows") == null ? MicroKernels.chosen()
                : MicroKernels.vector(Integer.getInteger("rows"));
        if (kernel.warmsUpFirst()) {
            TileWarmUp.once(kernel);
        }
        int mr = kernel.mr();
        int nr = kernel.nr();
        SplittableRandom random = new SplittableRandom(5);
        float[] a = filled(m * k, random);
        float[] b = filled(k * n, random);
        float[] c = new float[m * n];
        Epilogue store = (tile, stride, row, column, rows, cols) -> {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(tile, r * stride, c, (row + r) * n + column, cols);
            }
        };
        Gemm gemm = new Gemm(kernel);
        int kc = Math.min(Gemm.KC, k);
        int slices = (k + Gemm.KC - 1) / Gemm.KC;
        int panels = 8;
        float[] packedA = filled(panels * mr * kc, random);
        float[] packedB = filled(panels * nr * kc, random);
        float[] sums = new float[panels * panels * mr * nr];
        float[] tile = new float[mr * nr];
        float[] packScratchB = new float[kc * CHUNK];
        float[] packScratchA = new float[(m + mr - 1) / mr * mr * kc];
        System.out.printf("%s, %s: tile / loops / gemm GFLOP/s (share of tile) | packing B, A ms%n", args[0],
                kernel.description() + " " + mr + " × " + nr);
        for (int round = -3; round < rounds; round++) {
            int calls = 20_000;
            long start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                kernel.multiply(packedA, 0, packedB, 0, 128, tile, 0, nr, tile, 0, nr, true);
            }
            double tileRate = 2.0 * mr * nr * 128 * calls / (CPU.getCurrentThreadCpuTime() - start);

            int reps = Math.max(1, 40 * 4 / slices * 512 / kc);
            start = CPU.getCurrentThreadCpuTime();
            for (int rep = 0; rep < reps; rep++) {
                for (int s = 0; s < slices; s++) {
                    boolean first = s == 0;
                    boolean last = s == slices - 1;
                    for (int jr = 0; jr < panels; jr++) {
                        for (int ir = 0; ir < panels; ir++) {
                            int at = (jr * panels + ir) * mr * nr;
                            kernel.multiply(packedA, ir * mr * kc, packedB, jr * nr * kc, kc, sums, at, nr,
                                    last ? tile : sums, last ? 0 : at, nr, first);
                        }
                    }
                }
            }
            double loopsRate = 2.0 * mr * nr * kc * slices * panels * panels * reps
                    / (CPU.getCurrentThreadCpuTime() - start);

            gemm.newProduct();
            start = CPU.getCurrentThreadCpuTime();
            for (int j = 0; j < n; j += CHUNK) {
                gemm.multiply(a, 0, aRow, aCol, b, 0, n, 1, 0, m, j, Math.min(n, j + CHUNK), n, k, store);
            }
            double gemmRate = 2.0 * m * n * k / (CPU.getCurrentThreadCpuTime() - start);

            start = CPU.getCurrentThreadCpuTime();
            for (int j = 0; j < n; j += CHUNK) {
                for (int pc = 0; pc < k; pc += Gemm.KC) {
                    int depth = Math.min(Gemm.KC, k - pc);
                    Packing.packB(b, 0, n, 1, pc, depth, j, Math.min(CHUNK, n - j), packScratchB, depth * nr, kernel);
                }
            }
            long packB = CPU.getCurrentThreadCpuTime() - start;
            start = CPU.getCurrentThreadCpuTime();
            int block = Math.max(1, Gemm.MC_TARGET / mr) * mr; // Gemm's MC, as its constructor derives it
            for (int pc = 0; pc < k; pc += Gemm.KC) {
                int depth = Math.min(Gemm.KC, k - pc);
                for (int row = 0; row < m; row += block) {
                    Packing.packPanelsA(a, 0, aRow, aCol, row, Math.min(block, m - row), pc, depth, packScratchA,
                            row / mr * mr * kc, mr * kc, mr);
                }
            }
            long packA = CPU.getCurrentThreadCpuTime() - start;
            if (round >= 0) {
                System.out.printf("  round %d: %.0f / %.0f (%.2f) / %.0f (%.2f) | %.2f, %.2f%n", round, tileRate,
                        loopsRate, loopsRate / tileRate, gemmRate, gemmRate / tileRate, packB * 1e-6, packA * 1e-6);
            }
        }
    }

    private static float[] filled(int length, SplittableRandom random) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }
}

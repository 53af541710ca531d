package dev.deltaprop.cpu;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One thread's {@link Gemm} on each GEMM of a training step of {@code mnist} (784-512-512-10,
 * B = 256) and {@code wide} (1024-2048-2048-1024, B = 512), in the three layouts of DESIGN §1,
 * with an epilogue that only stores the tile (the least any family's epilogue does), so the
 * figure is the GEMM's own: GFLOP/s = 2·M·N·K / time. {@code shape} is {@code MxNxK:OP} with
 * {@code C} M×N, as native/openblas-sgemm.sh takes it (run that with OPENBLAS_NUM_THREADS=1 for
 * the same shape's ceiling):
 *
 * <ul>
 *   <li>{@code NN} forward {@code U = Z W}: {@code Z} M×K, {@code W} K×N, both row-major;</li>
 *   <li>{@code NT} δ {@code S = Δ Wᵀ}: {@code Δ} M×K, {@code W} N×K ({@code n_l × n_{l+1}});</li>
 *   <li>{@code TN} update {@code G = Zᵀ Δ}: {@code Z} K×M, {@code Δ} K×N.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBenchmark {

    @Param({
        // mnist: forward per layer, δ of layers 2 and 1 (the small-K one first), update per layer
        "256x512x784:NN", "256x512x512:NN", "256x10x512:NN",
        "256x512x10:NT", "256x512x512:NT",
        "784x512x256:TN", "512x512x256:TN", "512x10x256:TN",
        // wide
        "512x2048x1024:NN", "512x2048x2048:NN", "512x1024x2048:NN",
        "512x2048x1024:NT", "512x2048x2048:NT",
        "1024x2048x512:TN", "2048x2048x512:TN", "2048x1024x512:TN",
    })
    public String shape;

    /** {@code vector}: the Vector API kernel; {@code scalar}: the fallback for JVMs without the module. */
    @Param({"vector"})
    public String kernel;

    private Gemm gemm;
    private float[] a;
    private float[] b;
    private float[] c;
    private int m;
    private int n;
    private int k;
    private int aRowStride;
    private int aColStride;
    private int bRowStride;
    private int bColStride;
    private Epilogue store;

    @Setup
    public void setUp() {
        String[] parts = shape.split("[x:]");
        m = Integer.parseInt(parts[0]);
        n = Integer.parseInt(parts[1]);
        k = Integer.parseInt(parts[2]);
        switch (parts[3]) {
            case "NN":
                aRowStride = k; aColStride = 1; bRowStride = n; bColStride = 1;
                break;
            case "NT":
                aRowStride = k; aColStride = 1; bRowStride = 1; bColStride = k;
                break;
            case "TN":
                aRowStride = 1; aColStride = m; bRowStride = n; bColStride = 1;
                break;
            default:
                throw new IllegalArgumentException("shape: expected OP NN, NT or TN, found '" + parts[3] + "'");
        }
        gemm = new Gemm(kernel.equals("vector") ? MicroKernels.vector() : new ScalarMicroKernel());
        SplittableRandom random = new SplittableRandom(5);
        a = new float[m * k];
        b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (random.nextDouble() * 2 - 1);
        }
        c = new float[m * n];
        store = (tile, stride, row, column, rows, cols) -> {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(tile, r * stride, c, (row + r) * n + column, cols);
            }
        };
    }

    @Benchmark
    public float[] multiply() {
        gemm.newProduct(); // each call packs A, as each phase of a step does
        gemm.multiply(a, 0, aRowStride, aColStride, b, 0, bRowStride, bColStride, 0, m, 0, n, k, store);
        return c;
    }
}

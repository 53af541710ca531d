package dev.deltaprop.cpu;

import java.util.SplittableRandom;

/**
 * Hand-run, one thread: the 14-row Vector API tile alone ({@link VectorTallTile#multiply}) on one
 * packed {@code A} panel and {@code PANELS} packed {@code B} panels of depth {@code KC}, the sums
 * left in place, twelve rounds: the tile's own rate, without packing, blocking or epilogues (what
 * a core's FMA pipes allow: on the Zen 5 of docs/perf.md, 240 GFLOP/s on JDK 17).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.deltaprop.cpu.TileRate KC PANELS</pre>
 */
public final class TileRate {
    private TileRate() {
    }

    public static void main(String[] args) {
        int kc = Integer.parseInt(args[0]);
        int panels = Integer.parseInt(args[1]);
        int mr = VectorMicroKernel.TALL;
        int nr = VectorMicroKernel.NR;
        SplittableRandom random = new SplittableRandom(3);
        float[] a = new float[kc * mr];
        float[] b = new float[kc * nr * panels];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextDouble();
        }
        float[] c = new float[mr * nr * panels];
        int calls = Math.max(1, 80_000 / panels);
        for (int round = 0; round < 12; round++) {
            long start = System.nanoTime();
            for (int call = 0; call < calls; call++) {
                for (int j = 0; j < panels; j++) {
                    VectorTallTile.multiply(a, 0, b, j * kc * nr, kc, c, j * nr, nr * panels, c, j * nr, nr * panels);
                }
            }
            long nanos = System.nanoTime() - start;
            System.out.printf("kc=%d panels=%d %.1f GFLOP/s%n", kc, panels, 2.0 * mr * nr * kc * panels * calls / nanos);
        }
    }
}

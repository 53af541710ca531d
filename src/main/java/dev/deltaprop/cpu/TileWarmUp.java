package dev.deltaprop.cpu;

import dev.deltaprop.backend.JitActivity;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Runs a Vector API tile's three forms (packed {@code A}; {@code A}'s rows and columns read in
 * place) on scratch arrays until the JIT has compiled each, once per JVM and tile height, before
 * the library runs any other Vector API code.
 *
 * <p>Why: HotSpot 17's C2 inlines the Vector API's intrinsics late and leans on type profiles and
 * trap history kept in the JDK's own shared methods ({@code FloatVector.opCode},
 * {@code VectorPayload.getPayload}, …) to know each vector's exact class. While a step's vector
 * code still runs uncompiled, C2 compiles those small JDK methods on their own, speculates on the
 * one operator class their profile has seen, and traps when another arrives (JFR
 * {@code jdk.Deoptimization}: {@code class_check} in {@code VectorOperators.opCode} and
 * {@code getPayload}). A trap is remembered for good at its bytecode, and a tile compiled after it
 * can no longer prove its accumulators' class: 12–28 of its stores fail to intrinsify, every vector
 * is boxed, and the tile runs about 8× slower for the rest of the JVM's life (106 kB of code
 * instead of 39.5 kB). On the Zen 4 machine that happened in one fresh {@code bench} JVM in four to
 * six ({@code mnist}: 44–57 ms a step instead of 5–6; docs/perf.md, "one fresh JVM in four to six"). Run alone
 * first, the tiles see only their own operations; in the same measurement (44 JVMs) every compile came out
 * whole.
 *
 * <p>{@link Gemm} calls it before its first product, so it delays a JVM's first step or batch
 * prediction by about 1.4 s with the 14 × 32 tile and 0.5 s with the 6 × 16 one (the tiles run
 * uncompiled until C2 has them, as the first steps would anyway); opening a backend or listing
 * devices does not wait. {@code -Ddeltaprop.cpu.warmup=false} turns it off.
 *
 * <p>When it gives up: a form that is not compiled yet is given up once the JIT has been quiet
 * ({@link JitActivity} unchanged) for {@link #QUIET_NANOS} (a JVM without C2, or a tile already
 * compiled boxed: waiting longer changes nothing), and the whole warm-up stops at
 * {@link #LIMIT_NANOS} whatever the JIT does; either way the log says so. Not a fixed time: the
 * same warm-up took 1.7–2.0 s alone on a 2-vCPU Xeon and 3.6–5.5 s beside two busy threads or two
 * other warm-ups, and a limit of 4 s cut it before the last form was compiled, so the predictor
 * that followed compiled boxed after all (PollutedHistoryTest failed CI's dry run that way).
 */
final class TileWarmUp {
    static final String PROPERTY = "deltaprop.cpu.warmup";
    /** The whole warm-up's limit, for a JIT busy that long with other code (or a compile queue stuck). */
    static final long LIMIT_NANOS = 30_000_000_000L;
    /**
     * How long the JIT must have done nothing before an uncompiled form is given up: the bench's
     * quiet time; the tile's longest compile, its OSR one, takes 0.31–0.35 s alone (JFR, Xeon).
     */
    static final long QUIET_NANOS = 1_000_000_000L;
    /** Depth per call: {@code mnist}'s update product's (K = its batch, 256; {@link Gemm#KC} slices reach 512), a step's kind of profile for the JIT. */
    static final int KC = 256;
    private static final int CALLS_PER_BATCH = 8;
    /** Batches timed before the reference (the slowest so far) is compared with: the first ones run in the interpreter. */
    private static final int REFERENCE_BATCHES = 16;
    /**
     * How much faster than the slowest batch a compiled one is: per call, the interpreter takes
     * 1.5-10 ms, C1's code (every vector boxed) 110-200 µs, C2's 2.3 µs (14 × 32 tile, Zen 4).
     */
    private static final int COMPILED_SPEEDUP = 200;
    /** A rate only compiled vector code reaches (C2: 90–100 GFLOP/s a core, C1 with boxing about 1), for a JVM that compiled before it ran. */
    private static final double COMPILED_GFLOPS = 20;
    /** Compiled batches a form needs before it counts as compiled. */
    private static final int COMPILED_BATCHES = 64;
    private static final System.Logger LOG = System.getLogger("dev.deltaprop.cpu");
    /** Tile heights warmed in this JVM. */
    private static final Set<Integer> WARMED = new HashSet<>();

    /** What one warm-up did, per form: {@link #FORMS} order. */
    record Result(int mr, long nanos, long[] calls, long[] formNanos, boolean[] compiled) {
        boolean allCompiled() {
            for (boolean c : compiled) {
                if (!c) {
                    return false;
                }
            }
            return true;
        }
    }

    static final String[] FORMS = {"packed", "rows in place", "columns in place"};

    private TileWarmUp() {
    }

    /**
     * Warms {@code kernel}'s tile unless this JVM has warmed that height already, the property is
     * {@code false} or the JVM has no JIT; {@code null} when it did nothing.
     */
    static Result once(MicroKernel kernel) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true").trim())
                || ManagementFactory.getCompilationMXBean() == null) {
            return null;
        }
        synchronized (WARMED) {
            if (!WARMED.add(kernel.mr())) {
                return null;
            }
            Result r = run(kernel, LIMIT_NANOS);
            if (r.allCompiled()) {
                LOG.log(System.Logger.Level.DEBUG, () -> String.format("cpu: the %d-row vector tile compiled in %.2f s",
                        r.mr(), r.nanos() / 1e9));
            } else {
                LOG.log(System.Logger.Level.WARNING, () -> String.format("cpu: the %d-row vector tile was not compiled"
                        + " after %.1f s of warm-up (forms %s); steps run slowly until the JIT compiles it",
                        r.mr(), r.nanos() / 1e9, uncompiled(r)));
            }
            return r;
        }
    }

    private static String uncompiled(Result r) {
        StringBuilder s = new StringBuilder();
        for (int f = 0; f < FORMS.length; f++) {
            if (!r.compiled()[f]) {
                s.append(s.length() == 0 ? "" : ", ").append(FORMS[f]);
            }
        }
        return s.toString();
    }

    /** {@link #run(MicroKernel, long, long, LongSupplier)} with {@link #QUIET_NANOS} and this JVM's JIT. */
    static Result run(MicroKernel kernel, long limitNanos) {
        return run(kernel, limitNanos, QUIET_NANOS, new JitActivity());
    }

    /**
     * Runs each form until it is compiled, or the JIT has been quiet ({@code jit} unchanged) for
     * {@code quietNanos} while it ran, or {@code limitNanos} (for all forms together) has passed.
     */
    static Result run(MicroKernel kernel, long limitNanos, long quietNanos, LongSupplier jit) {
        int mr = kernel.mr();
        int nr = kernel.nr();
        // A: one packed panel (mr·KC), also read as KC-long rows (lda = KC) and as mr-long columns (ldp = mr);
        // zeros, since an FMA's time does not depend on its operands (zero is not subnormal)
        float[] a = new float[mr * KC];
        float[] b = new float[nr * KC];
        float[] c = new float[mr * nr];
        double flops = 2.0 * mr * nr * KC * CALLS_PER_BATCH; // a batch's, so that flops / ns is GFLOP/s
        long start = System.nanoTime();
        long[] calls = new long[FORMS.length];
        long[] formNanos = new long[FORMS.length];
        boolean[] compiled = new boolean[FORMS.length];
        for (int form = 0; form < FORMS.length; form++) {
            long formStart = System.nanoTime();
            long slowest = 0;
            int fast = 0;
            long activity = jit.getAsLong();
            long activeAt = formStart;
            for (int batch = 0; fast < COMPILED_BATCHES; batch++) {
                long t = System.nanoTime();
                long latest = jit.getAsLong();
                if (latest != activity) {
                    activity = latest;
                    activeAt = t;
                }
                if (t - start >= limitNanos || t - activeAt >= quietNanos) {
                    break;
                }
                for (int i = 0; i < CALLS_PER_BATCH; i++) {
                    call(kernel, form, a, b, c, nr, i == 0);
                }
                calls[form] += CALLS_PER_BATCH;
                long took = System.nanoTime() - t;
                slowest = Math.max(slowest, took);
                if (batch >= REFERENCE_BATCHES
                        && (took * COMPILED_SPEEDUP <= slowest || flops / Math.max(took, 1) >= COMPILED_GFLOPS)) {
                    fast++;
                }
            }
            compiled[form] = fast >= COMPILED_BATCHES;
            formNanos[form] = System.nanoTime() - formStart;
        }
        return new Result(mr, System.nanoTime() - start, calls, formNanos, compiled);
    }

    private static void call(MicroKernel k, int form, float[] a, float[] b, float[] c, int nr, boolean first) {
        switch (form) {
            case 0:
                k.multiply(a, 0, b, 0, KC, c, 0, nr, c, 0, nr, first);
                break;
            case 1:
                k.multiplyRows(a, 0, KC, b, 0, KC, c, 0, nr, c, 0, nr, first);
                break;
            default:
                k.multiplyColumns(a, 0, k.mr(), b, 0, KC, c, 0, nr, c, 0, nr, first);
                break;
        }
    }
}

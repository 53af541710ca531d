package dev.deltaprop.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Profiled;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The measuring protocol (how many steps, profiling off while timed, on while split, the same
 * batch every step) and the arithmetic of the derived figures, on a scripted profiled backend
 * whose family times are known. Nothing here depends on how fast anything ran.
 */
class BenchmarkTest {

    /**
     * A profiled backend that computes nothing: it records each call and, with profiling on,
     * reports the next of a fixed list of family times.
     */
    static final class ScriptedBackend implements Backend, Profiled {
        final List<Map<String, Long>> script;
        final List<Boolean> profilingAtStep = new ArrayList<>();
        final List<float[]> inputs = new ArrayList<>();
        final List<float[]> teachers = new ArrayList<>();
        Network network;
        boolean profiling = true; // on at first, so that a benchmark that forgets to turn it off is caught
        Map<String, Long> last = Map.of();
        int scriptIndex;
        int predicts;

        ScriptedBackend(List<Map<String, Long>> script) {
            this.script = script;
        }

        @Override public String name() { return "scripted"; }
        @Override public String device() { return "nothing"; }
        @Override public void load(Network network, dev.deltaprop.model.Optimizer optimizer, dev.deltaprop.model.OptimizerState state) { this.network = network; this.optimizer = optimizer; }
        private dev.deltaprop.model.Optimizer optimizer;
        @Override public dev.deltaprop.model.Optimizer optimizer() { return optimizer; }
        @Override public dev.deltaprop.model.OptimizerState optimizerState() { return dev.deltaprop.model.OptimizerState.initial(network, optimizer.kind()); }
        @Override public Network network() { return network; }

        @Override
        public float step(float[] x, float[] d, int batch, float learningRate) {
            profilingAtStep.add(profiling);
            inputs.add(x.clone());
            teachers.add(d.clone());
            tick();
            return 0.25f * profilingAtStep.size();
        }

        @Override
        public float step(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
            throw new UnsupportedOperationException("bench uses the array form");
        }

        @Override
        public float[] predict(float[] x, int batch) {
            predicts++;
            profilingAtStep.add(profiling);
            inputs.add(x.clone());
            tick();
            return new float[batch * network.outputs()];
        }

        private void tick() {
            if (profiling) {
                last = script.get(scriptIndex++ % script.size());
            }
        }

        @Override public void profiling(boolean enabled) { profiling = enabled; }
        @Override public Map<String, Long> lastStepNanos() { return last; }
        @Override public int launchesPerStep() { return 10; }
        @Override public void close() { }
    }

    private static Map<String, Long> families(long forward, long deltaOutput, long deltaHidden, long update) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("forward", forward);
        m.put("delta_output", deltaOutput);
        m.put("delta_hidden", deltaHidden);
        m.put("update", update);
        return m;
    }

    @Test
    void timedStepsRunWithProfilingOffThenTheProfiledStepsSplitTheStep() {
        ScriptedBackend backend = new ScriptedBackend(List.of(
                families(3000, 10, 900, 5000),
                families(1000, 30, 500, 1000),
                families(2000, 20, 700, 3000)));
        Workload tiny = Workload.tiny();
        BenchResult r = Benchmark.run(backend, tiny, new BenchSettings(2, 4, 3, true));

        assertEquals(List.of(false, false, false, false, false, false, true, true, true), backend.profilingAtStep);
        assertFalse(backend.profiling, "profiling left on");
        for (int k = 0; k < backend.inputs.size(); k++) {
            assertArrayEquals(tiny.inputs(), backend.inputs.get(k), "step " + k + " got another batch");
            assertArrayEquals(tiny.teachers(), backend.teachers.get(k), "step " + k + " got other teachers");
        }
        assertEquals(tiny.network(), backend.network);
        // the loss of the last timed step (the sixth call), not of a profiled one
        assertEquals(1.5f, r.lastLoss());

        // per-family medians of {3000, 1000, 2000}, {10, 30, 20}, {900, 500, 700}, {5000, 1000, 3000}
        assertEquals(families(2000, 20, 700, 3000), r.familyNanos());
        assertEquals(List.of("forward", "delta_output", "delta_hidden", "update"), List.copyOf(r.familyNanos().keySet()));
        // per-step sums 8910, 2530, 5720 → median 5720
        assertEquals(5720L, r.kernelNanos());
        assertEquals(10, r.launchesPerStep());

        assertEquals(12_713_984 / 2000.0, r.familyGflops("forward"), 1e-9);
        assertEquals(8_519_680 / 700.0, r.familyGflops("delta_hidden"), 1e-9);
        assertEquals(12_713_984 / 3000.0, r.familyGflops("update"), 1e-9);
        assertNull(r.familyGflops("delta_output"), "the output δ has no counted operations");

        assertEquals((r.stepNanos() - 5720) / 1e3, r.hostOverheadMicros(), 1e-9);
        assertEquals((r.stepNanos() - 5720) / (double) r.stepNanos(), r.hostOverheadShare(), 1e-12);
        assertEquals(r.hostOverheadMicros() / 10, r.hostMicrosPerLaunch(), 1e-12);
        assertEquals(1024 * 1e9 / r.stepNanos(), r.samplesPerSecond(), 1e-6);
        assertEquals(33_947_648 / (double) r.stepNanos(), r.gflops(), 1e-9);
    }

    @Test
    void gemmTimesPredictAndTakesItsForwardTimeAsTheKernel() {
        Map<String, Long> forwardOnly = new LinkedHashMap<>();
        forwardOnly.put("forward", 4000L);
        ScriptedBackend backend = new ScriptedBackend(List.of(forwardOnly));
        Workload gemm = Workload.gemm(33);
        BenchResult r = Benchmark.run(backend, gemm, new BenchSettings(1, 3, 2, true));

        assertEquals(6, backend.predicts);
        assertTrue(backend.teachers.isEmpty(), "gemm took a training step");
        assertEquals(Map.of("forward", 4000L), r.familyNanos());
        assertEquals(4000L, r.kernelNanos());
        assertEquals(2.0 * 33 * 33 * 33 / 4000, r.familyGflops("forward"), 1e-12);
        assertNull(r.launchesPerStep(), "a predict is not a training step");
        assertNull(r.hostMicrosPerLaunch());
        assertTrue(Float.isNaN(r.lastLoss()));
    }

    @Test
    void noProfiledStepsOrAnUnprofiledBackendGiveNoSplit() {
        ScriptedBackend backend = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        BenchResult r = Benchmark.run(backend, Workload.tiny(), new BenchSettings(0, 1, 0, true));
        assertFalse(r.profiled());
        assertTrue(r.familyNanos().isEmpty());
        assertNull(r.hostOverheadMicros());

        try (ReferenceBackend reference = new ReferenceBackend()) {
            BenchResult ref = Benchmark.run(reference, Workload.gemm(7), new BenchSettings(0, 2, 3, true));
            assertFalse(ref.profiled());
            assertNull(ref.launchesPerStep());
            assertTrue(ref.stepNanos() > 0);
        }
    }

    /**
     * The warm-up ends when both minima are met. The clock is scripted: it reads 0.3 s per call
     * the backend has taken, so the numbers are exact and nothing depends on the machine's speed.
     */
    @Test
    void theWarmUpLastsAtLeastTheStepsAndAtLeastTheSeconds() {
        Workload tiny = Workload.tiny();
        long stepNanos = 300_000_000L;

        // time dominates: 3 steps are 0.9 s < 2 s; after 7 steps 2.1 s ≥ 2 s (6 steps: 1.8 s)
        ScriptedBackend timed = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        BenchResult r = Benchmark.run(timed, tiny, new BenchSettings(3, 4, 2, true, 2.0),
                () -> timed.profilingAtStep.size() * stepNanos);
        assertEquals(7, r.settings().warmup(), "warm-up steps taken");
        assertEquals(2.0, r.settings().warmupSeconds());
        assertEquals(7 + 4 + 2, timed.profilingAtStep.size(), "warm-up, timed and profiled calls");
        assertEquals(stepNanos, r.stepNanos(), "each timed step read one tick of the scripted clock");
        // the loss of the last timed step: the eleventh call
        assertEquals(0.25f * 11, r.lastLoss());

        // the count dominates: 10 steps are 3 s ≥ 0.5 s
        ScriptedBackend counted = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        BenchResult c = Benchmark.run(counted, tiny, new BenchSettings(10, 1, 0, true, 0.5),
                () -> counted.profilingAtStep.size() * stepNanos);
        assertEquals(10, c.settings().warmup());
        assertEquals(10 + 1, counted.profilingAtStep.size());

        // exactly on the minimum time: 2 steps are 0.6 s, which is enough for 0.6 s
        ScriptedBackend exact = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        Benchmark.run(exact, tiny, new BenchSettings(0, 1, 0, true, 0.6), () -> exact.profilingAtStep.size() * stepNanos);
        assertEquals(2 + 1, exact.profilingAtStep.size());

        // neither minimum: no warm-up at all
        ScriptedBackend none = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        BenchResult n = Benchmark.run(none, tiny, new BenchSettings(0, 1, 0, true, 0.0),
                () -> none.profilingAtStep.size() * stepNanos);
        assertEquals(0, n.settings().warmup());
        assertEquals(1, none.profilingAtStep.size());
    }

    /**
     * Past both minima the warm-up waits for the JIT to have finished no compilation for
     * {@link Benchmark#JIT_QUIET_NANOS}, and gives up at {@link Benchmark#WARMUP_LIMIT_NANOS}
     * saying so. Scripted: 0.3 s a step; the compilation time grows with every step up to the twelfth.
     */
    @Test
    void theWarmUpWaitsForTheJitToBeQuiet() {
        Workload tiny = Workload.tiny();
        long stepNanos = 300_000_000L;

        // the last compilation is seen at 12 steps (3.6 s); 1 s later is 4.6 s, first reached after 16 steps (4.8 s)
        ScriptedBackend compiling = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        BenchResult r = Benchmark.run(compiling, tiny, new BenchSettings(3, 1, 0, true, 2.0),
                () -> compiling.profilingAtStep.size() * stepNanos,
                () -> Math.min(compiling.profilingAtStep.size(), 12) * 5L);
        assertEquals(16, r.settings().warmup(), "warm-up steps taken");
        assertEquals(16 * stepNanos, r.warmupNanos());
        assertTrue(r.jitQuiet());

        // a JIT that never stops: the warm-up ends at the limit, 120 s = 400 steps, and says so
        ScriptedBackend endless = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        BenchResult e = Benchmark.run(endless, tiny, new BenchSettings(3, 1, 0, true, 2.0),
                () -> endless.profilingAtStep.size() * stepNanos, () -> endless.profilingAtStep.size() * 5L);
        assertEquals(400, e.settings().warmup());
        assertFalse(e.jitQuiet());
        BenchReport report = new BenchReport(new BenchReport.Environment("0", "17", "scripted", "scripted", List.of()));
        report.add(e);
        assertTrue(report.table().contains("the JIT was still compiling"), report.table());
        assertTrue(report.json().contains("\"warmup_jit_quiet\": false"), report.json());

        // a minimum time of 0 is a count only, whatever the JIT does
        ScriptedBackend counted = new ScriptedBackend(List.of(families(1, 1, 1, 1)));
        BenchResult c = Benchmark.run(counted, tiny, new BenchSettings(3, 1, 0, true, 0.0),
                () -> counted.profilingAtStep.size() * stepNanos, () -> counted.profilingAtStep.size() * 5L);
        assertEquals(3, c.settings().warmup());
    }
}

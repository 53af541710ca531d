package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code deltaprop bench} end to end in-process, on the reference backend; no timed assertions. */
class BenchCommandTest {

    /** Exit code, standard output and standard error of one {@link Main#run}. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void tinyOnTheReferenceAsJson() {
        Run r = run("bench", "--backend", "reference", "--workload", "tiny", "--steps", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject root = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("reference", root.get("backend").getAsString());
        assertEquals(new dev.deltaprop.reference.ReferenceBackend().device(), root.get("device").getAsString());
        assertTrue(root.get("java").getAsString().startsWith(System.getProperty("java.version")));
        assertFalse(root.get("deltaprop").getAsString().isBlank());

        JsonArray workloads = root.getAsJsonArray("workloads");
        assertEquals(1, workloads.size());
        JsonObject tiny = workloads.get(0).getAsJsonObject();
        assertEquals("tiny", tiny.get("workload").getAsString());
        assertEquals("train", tiny.get("kind").getAsString());
        assertEquals("32-64-64-1", tiny.get("shape").getAsString());
        assertEquals("[\"tanh\",\"tanh\",\"identity\"]", tiny.get("activations").toString());
        assertEquals(1024, tiny.get("batch").getAsInt());
        assertEquals(33_947_648L, tiny.get("flops_per_step").getAsLong());
        assertEquals(2, tiny.get("steps").getAsInt());
        assertEquals(1, tiny.get("warmup").getAsInt(), "the reference's default warm-up");
        assertEquals(0.0, tiny.get("warmup_min_seconds").getAsDouble(), "the reference has no minimum warm-up time");

        double micros = tiny.get("us_per_step").getAsDouble();
        assertTrue(micros > 0, "us_per_step " + micros);
        // the derived figures agree with the step time they come from
        assertEquals(1024 * 1e6 / micros, tiny.get("samples_per_s").getAsDouble(), 1e-6 * 1024 * 1e6 / micros);
        assertEquals(33_947_648 / (micros * 1e3), tiny.get("gflops").getAsDouble(), 1e-6 * tiny.get("gflops").getAsDouble());
        float loss = tiny.get("loss").getAsFloat();
        assertTrue(Float.isFinite(loss) && loss > 0, "loss " + loss);
        // the reference does not split a step per family
        assertFalse(tiny.has("families"));
        assertFalse(tiny.has("host_overhead_us"));
        assertTrue(r.err().contains("reference backend"), "no warning about the reference: " + r.err());
    }

    @Test
    void theTableNamesTheWorkloadBackendAndVersions() {
        Run r = run("bench", "--backend", "reference", "--workload", "gemm-7", "--steps", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gemm-7: 7-7 [identity], batch 7, 686 FLOP per step"), r.out());
        assertTrue(r.out().contains("reference (pure Java"), r.out());
        assertTrue(r.out().contains("Java " + System.getProperty("java.version")), r.out());
        assertTrue(r.out().contains("whole step"), r.out());
    }

    @Test
    void wideOnTheReferenceIsRefusedUnlessStepsAreGiven() {
        Run r = run("bench", "--backend", "reference", "--workload", "wide");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("wide on the reference backend") && r.err().contains("--steps"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingRuns() {
        Run unknown = run("bench", "--backend", "reference", "--workload", "huge");
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("workload: unknown name 'huge', expected one of tiny, mnist, wide, mnist-adam, gemm-N"),
                unknown.err());

        Run zeroSteps = run("bench", "--backend", "reference", "--steps", "0");
        assertNotEquals(0, zeroSteps.code());
        assertTrue(zeroSteps.err().contains("steps: expected at least 1, found 0"), zeroSteps.err());

        Run negativeWarmup = run("bench", "--backend", "reference", "--warmup", "-1");
        assertNotEquals(0, negativeWarmup.code());
        assertTrue(negativeWarmup.err().contains("warmup: expected at least 0, found -1"), negativeWarmup.err());

        Run negativeWarmupTime = run("bench", "--backend", "reference", "--warmup-seconds", "-1");
        assertNotEquals(0, negativeWarmupTime.code());
        assertTrue(negativeWarmupTime.err().contains("warmup-seconds: expected a finite number at least 0, found -1.0"),
                negativeWarmupTime.err());

        Run notANumber = run("bench", "--backend", "reference", "--steps", "many");
        assertNotEquals(0, notANumber.code());
        assertTrue(notANumber.err().contains("--steps"), notANumber.err());

        Run badBackend = run("bench", "--backend", "quantum");
        assertNotEquals(0, badBackend.code());
        assertTrue(badBackend.err().contains("backend: unknown name 'quantum'"), badBackend.err());

        Run gemmZero = run("bench", "--backend", "reference", "--workload", "gemm-0");
        assertNotEquals(0, gemmZero.code());
        assertTrue(gemmZero.err().contains("gemm-N expects 1 ≤ N ≤ 8192, found 0"), gemmZero.err());
        for (Run bad : new Run[] {unknown, zeroSteps, negativeWarmup, negativeWarmupTime, notANumber, badBackend, gemmZero}) {
            assertFalse(bad.err().contains("reference backend is the double-precision oracle"),
                    "a backend was opened and run before the arguments were checked: " + bad.err());
            assertEquals("", bad.out());
        }
    }

    @Test
    void lossAndOptimizerApplyToTrainingWorkloads() {
        Run r = run("bench", "--backend", "cpu", "--workload", "tiny", "--loss", "cross_entropy", "--optimizer", "adam",
                "--steps", "2", "--warmup", "1", "--warmup-seconds", "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject tiny = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("workloads").get(0)
                .getAsJsonObject();
        assertEquals("[\"tanh\",\"tanh\",\"sigmoid\"]", tiny.get("activations").toString());
        assertEquals("cross_entropy", tiny.get("loss_function").getAsString());
        assertEquals("adam", tiny.get("optimizer").getAsString());

        Run gemm = run("bench", "--backend", "reference", "--workload", "gemm-8", "--optimizer", "adam");
        assertEquals(1, gemm.code());
        assertEquals("deltaprop bench: --optimizer: applies to training workloads, not gemm-8 (the forward kernel alone)",
                gemm.err().trim());
        Run unknown = run("bench", "--backend", "reference", "--optimizer", "lbfgs");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().startsWith("deltaprop bench: --optimizer: unknown optimizer 'lbfgs'"), unknown.err());
    }
}

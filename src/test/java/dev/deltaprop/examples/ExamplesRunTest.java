package dev.deltaprop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.io.ModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every example in {@code java/} exactly as the README tells a user to
 * ({@code java -cp … java/Name.java}, the single-file source launcher), with {@code --quick},
 * in a fresh folder, and checks what each one claims: that the sine fit is close, the embedded
 * predictor agrees with the reference, the diabetes fit beats guessing the mean, and so on.
 */
class ExamplesRunTest {
    /** Maven runs the tests in the repository root, where the README's commands run too. */
    private static final Path EXAMPLES = Path.of("java").toAbsolutePath();

    @TempDir
    Path work;

    /** The test's class path, which holds the library and its dependencies like target/deltaprop.jar does. */
    private static String classPath() {
        String full = System.getProperty("surefire.test.class.path");
        return full != null && !full.isBlank() ? full : System.getProperty("java.class.path");
    }

    private String run(String example, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classPath());
        command.add(EXAMPLES.resolve(example + ".java").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(example + ".out").toFile()).start();
        boolean done = process.waitFor(180, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
        }
        String output = Files.readString(work.resolve(example + ".out"), StandardCharsets.UTF_8);
        assertTrue(done, example + " did not finish in 180 s:\n" + output);
        assertEquals(0, process.exitValue(), example + " failed:\n" + output);
        return output;
    }

    private static double number(String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + output);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void everyExampleIsRunHere() throws IOException {
        List<String> covered = List.of("ChooseBackend", "DiabetesFromCsv", "EmbedModel", "FitSine", "Throughput",
                "TrainXor");
        // needs Spark's class path, which the core library's tests do not have: .ci/run runs it as
        // the README says (spark/run.sh), and checks what it prints
        List<String> runBySparkModule = List.of("SparkDigits");
        String ci = Files.readString(EXAMPLES.resolveSibling(".ci").resolve("run"));
        for (String example : runBySparkModule) {
            assertTrue(ci.contains("bash spark/run.sh java/" + example + ".java --quick"),
                    example + ": expected .ci/run to run it with spark/run.sh");
        }
        List<String> present;
        try (var files = Files.list(EXAMPLES)) {
            present = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
        List<String> expected = new ArrayList<>(covered);
        expected.addAll(runBySparkModule);
        expected.sort(null);
        assertEquals(expected, present, "a new example in java/ needs a run in this test");
    }

    @Test
    void fitSine() throws Exception {
        String out = run("FitSine", "--quick");
        double worst = number(out, "largest error on 101 unseen points in \\[-3.1, 3.1\\]: (\\S+)");
        assertTrue(worst < 0.5, "a 1-16-1 net fits sin(x) to better than 0.5 everywhere:\n" + out);
    }

    @Test
    void chooseBackendReportsWhatRan() throws Exception {
        String out = run("ChooseBackend", "opencl", "--quick");
        assertTrue(out.contains("backend: using "), out);
        assertTrue(out.contains("opencl cannot start here: ") == out.contains("falling back to auto"), out);
        assertTrue(out.matches("(?s).*\\n\\S+: 20 epochs in .*"), out);
    }

    @Test
    void embeddedPredictorAgreesWithTheReference() throws Exception {
        String out = run("EmbedModel", "--quick");
        Matcher m = Pattern.compile("at x = 0.5: (\\S+) vs (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        double got = Double.parseDouble(m.group(1));
        double expected = Double.parseDouble(m.group(2));
        assertEquals(expected, got, 1e-5 * Math.max(1, Math.abs(expected)), out);
        assertTrue(out.contains("20000 predictions, steady state: median "), out);
    }

    @Test
    void diabetesBeatsGuessingTheMeanAndSavesARawDataModel() throws Exception {
        Path data = Path.of("data", "diabetes.csv").toAbsolutePath();
        String out = run("DiabetesFromCsv", data.toString(), "--quick");
        double error = number(out, "held-out mean absolute error: (\\S+) progression points");
        double guess = number(out, "always guessing the training mean \\S+: (\\S+) points");
        assertTrue(error < 0.85 * guess, "the network beats the mean by a margin:\n" + out);
        assertEquals("10-8-1", ModelFiles.load(work.resolve("diabetes.json")).shape());
    }

    @Test
    void throughputMeasuresTheCpuBackend() throws Exception {
        String out = run("Throughput", "cpu", "--quick");
        double samplesPerSecond = number(out, "\\ncpu +\\S+ +(\\S+) ");
        assertTrue(samplesPerSecond > 0, out);
    }

    @Test
    void trainXor() throws Exception {
        String out = run("TrainXor");
        assertTrue(out.contains("saved xor.json"), out);
        assertTrue(Files.exists(work.resolve("xor.json")));
    }
}

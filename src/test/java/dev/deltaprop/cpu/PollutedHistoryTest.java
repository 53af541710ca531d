package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A warm {@link Predictor} keeps allocating nothing after the cpu backend's other users have run
 * the shared Vector API methods on shapes it never saw ({@link PollutedHistory}, in a JVM of its
 * own so that its history is known: in the test JVM any earlier test may already have taken every
 * branch). C2 compiles a branch never taken in the profile as an uncommon trap; the first caller
 * that takes it throws the compiled method away ({@code unstable_if}, {@code reinterpret}) and every
 * caller runs the Vector API's boxed fallback until C2 has compiled it again — seconds on an idle
 * machine, more on a loaded one. Before the tanh lanes had no shape branch, the first window after
 * the backend's first steps allocated 271–389 MB in 3 runs of 3 (3.9 MB a batched and a one-sample
 * call: tanh in the fallback, docs/perf.md); the bound is 0 bytes in every one of 20 windows.
 */
class PollutedHistoryTest {

    @Test
    void aWarmPredictorStaysCompiledWhateverTheBackendRunsAfterIt() throws IOException, InterruptedException {
        List<String> lines = fork();
        assertTrue(lines.get(0).startsWith("warm "), "the predictor never reached 0 bytes a window: " + lines);
        List<String> after = lines.subList(1, lines.size());
        assertEquals(20, after.size(), String.join("\n", lines));
        for (String line : after) {
            long bytes = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            assertEquals(0, bytes, "bytes of 100 + 100 calls of the warm predictor after the backend's first steps on other shapes ("
                    + line + "; all: " + after + ")");
        }
    }

    private static List<String> fork() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), PollutedHistory.class.getName());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD); // the incubator module's warning
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        for (String line : new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.trim());
            }
        }
        assertTrue(process.waitFor(240, TimeUnit.SECONDS), "the forked JVM did not finish in 240 s");
        assertEquals(0, process.exitValue(), "the forked JVM failed: " + lines);
        return lines;
    }
}

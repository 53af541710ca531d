package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.ForkedJvm;
import java.io.IOException;
import java.util.List;
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
        return ForkedJvm.lines(PollutedHistory.class, 240);
    }
}

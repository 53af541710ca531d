package dev.deltaprop.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a JVM of its own, with the Vector API module and the test class
 * path, for tests whose subject is the JIT's history (a shared test JVM's earlier tests change it).
 */
public final class ForkedJvm {
    private ForkedJvm() {
    }

    /**
     * The non-blank lines {@code main} printed, trimmed; fails unless it exits 0 within
     * {@code seconds}. Standard error (the incubator module's warning) is discarded.
     */
    public static List<String> lines(Class<?> main, int seconds, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), main.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        for (String line : new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.trim());
            }
        }
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "the forked JVM did not finish in " + seconds + " s");
        assertEquals(0, process.exitValue(), "the forked JVM failed: " + lines);
        return lines;
    }
}

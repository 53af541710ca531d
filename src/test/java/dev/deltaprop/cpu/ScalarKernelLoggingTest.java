package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.LogCapture;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * On a JVM without {@code jdk.incubator.vector}, {@code auto} takes the scalar kernel and says so
 * once, at {@code INFO}, with the flag that fixes it; asking for the scalar kernel is not news.
 */
class ScalarKernelLoggingTest {

    @Test
    void theFallbackIsSaidOnce() {
        try (LogCapture log = LogCapture.of("dev.deltaprop.cpu")) {
            assertInstanceOf(ScalarMicroKernel.class, MicroKernels.chosen("scalar", false));
            assertEquals(List.of(), log.messages(Level.INFO));
            assertInstanceOf(ScalarMicroKernel.class, MicroKernels.chosen("auto", false));
            assertInstanceOf(ScalarMicroKernel.class, MicroKernels.chosen(" AUTO ", false));
            List<String> info = log.messages(Level.INFO);
            assertEquals(1, info.size(), info.toString());
            assertTrue(info.get(0).startsWith("cpu: the scalar GEMM kernel runs, because jdk.incubator.vector is not loaded;"
                    + " start the JVM with --add-modules jdk.incubator.vector"), info.get(0));
        }
    }
}

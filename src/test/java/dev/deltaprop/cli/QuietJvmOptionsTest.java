package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relaunched JVM gets the options that keep JDK 24+ quiet about JNI and {@code sun.misc.Unsafe},
 * and only those that the running JDK accepts (JDK 17 rejects the Unsafe one).
 */
class QuietJvmOptionsTest {

    @Test
    void nativeAccessOnEveryJdkUnsafeFrom23() {
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED"), VectorRelaunch.quietOptions(17));
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED"), VectorRelaunch.quietOptions(22));
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"),
                VectorRelaunch.quietOptions(25));
    }

    @Test
    void thisJdkAcceptsThemWithoutAWarning() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(VectorRelaunch.quietOptions(Runtime.version().feature()));
        command.add("-version");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JDK_JAVA_OPTIONS");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        assertFalse(output.contains("WARNING"), output);
    }
}

package dev.deltaprop.device.driver.opencl;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PoCL's LLVM replaces the JVM's SIGSEGV handler ({@link SignalChaining}): the driver warns where
 * the JDK's signal chaining is missing, and the test JVMs themselves run with it.
 */
class SignalChainingTest {
    private static final String JSIG_MAPPED = "7f00-7f10 r-xp 00000000 08:01 42 /usr/lib/jvm/jdk/lib/libjsig.so\n";
    private static final String NO_JSIG = "7f00-7f10 r-xp 00000000 08:01 43 /usr/lib/jvm/jdk/lib/server/libjvm.so\n";

    @Test
    void poclWithoutSignalChainingIsWarnedAboutNamingTheFix() {
        String warning = SignalChaining.hazard("Portable Computing Language", NO_JSIG, "/opt/jdk");
        assertTrue(warning != null && warning.contains("'Portable Computing Language'")
                && warning.contains("LD_PRELOAD=/opt/jdk/lib/libjsig.so") && warning.contains("exit 139"), warning);
    }

    @Test
    void signalChainingOrAnotherPlatformNeedsNoWarning() {
        assertNull(SignalChaining.hazard("Portable Computing Language", NO_JSIG + JSIG_MAPPED, "/opt/jdk"));
        assertNull(SignalChaining.hazard("NVIDIA CUDA", NO_JSIG, "/opt/jdk"));
        assertNull(SignalChaining.hazard(null, NO_JSIG, "/opt/jdk"));
    }

    /**
     * The pom preloads the JDK's {@code libjsig.so} into every test JVM where the JDK has one
     * (profile {@code signal-chaining}): without it, a fresh machine's PoCL compiles each kernel
     * with LLVM and the test JVM can die mid-suite with no report. Fails if the preload is lost.
     */
    @Test
    void theTestJvmRunsWithSignalChaining() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
        Assumptions.assumeTrue(Files.exists(maps) && Files.exists(jsig), "Linux with a JDK that has lib/libjsig.so");
        assertTrue(Files.readString(maps).contains("/libjsig.so"),
                "expected " + jsig + " preloaded (LD_PRELOAD, the pom's signal-chaining profile)");
    }
}

package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backends;
import dev.deltaprop.device.driver.jocl.JoclDriverFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relaunched JVM gets the JDK's signal chaining, which OpenCL on PoCL needs (README "OpenCL on PoCL"). */
class SignalChainingPreloadTest {
    private static final String WARNING = "compiles kernels with LLVM";

    @Test
    void theJdksLibraryIsAppendedOnceAndOnlyWhereItExists(@TempDir Path jdk) throws Exception {
        Map<String, String> environment = new HashMap<>();
        SignalChainingPreload.addTo(environment, jdk.toString());
        assertFalse(environment.containsKey("LD_PRELOAD"), "a JDK without lib/libjsig.so: nothing preloaded");

        Path library = Files.createDirectories(jdk.resolve("lib")).resolve("libjsig.so");
        Files.write(library, new byte[0]);
        SignalChainingPreload.addTo(environment, jdk.toString());
        assertEquals(library.toString(), environment.get("LD_PRELOAD"));
        SignalChainingPreload.addTo(environment, jdk.toString());
        assertEquals(library.toString(), environment.get("LD_PRELOAD"), "not twice");

        environment.put("LD_PRELOAD", "/opt/other.so");
        SignalChainingPreload.addTo(environment, jdk.toString());
        assertEquals("/opt/other.so:" + library, environment.get("LD_PRELOAD"), "after what was there");
    }

    /**
     * {@code java -jar} with nothing preloaded, on PoCL: the relaunched JVM runs with signal
     * chaining, so the OpenCL driver does not warn; with the relaunch off it warns.
     */
    @Test
    void javaDashJarOnPoclRunsWithSignalChaining(@TempDir Path directory) throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of(System.getProperty("java.home"), "lib", "libjsig.so")), "a JDK with libjsig.so");
        Assumptions.assumeTrue(Backends.unavailableReason("opencl") == null, "an OpenCL device");
        Assumptions.assumeTrue(String.join(" ", new JoclDriverFactory().details()).toLowerCase(Locale.ROOT)
                .contains("portable computing language"), "PoCL");
        Path jar = VectorRelaunchTest.launcherJar(directory);
        String relaunched = run(jar, false);
        assertTrue(relaunched.contains("loss ") && !relaunched.contains(WARNING), relaunched);
        String direct = run(jar, true);
        assertTrue(direct.contains(WARNING), "without the relaunch the driver warns:\n" + direct);
    }

    private static String run(Path jar, boolean noRelaunch) throws Exception {
        return VectorRelaunchTest.run(List.of("-jar", jar.toString(), "bench", "--backend", "opencl", "--workload", "tiny",
                "--warmup", "0", "--warmup-seconds", "0", "--steps", "1"), noRelaunch).output;
    }
}

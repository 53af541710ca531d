package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;

/** The {@code cuda} backend is discovered, and where it cannot start it says why, in one line. */
class CudaProviderTest {

    @Test
    void isRegisteredAndExplainsItself() {
        DeviceProvider provider = DeviceBackends.provider("cuda");
        Assertions.assertNotNull(provider, "no provider named cuda in BackendTable.STANDARD");
        String reason = provider.unavailableReason();
        assertEquals(reason, Backends.unavailableReason("cuda"));
        List<String> details = provider.details();
        assertTrue(!details.isEmpty(), "devices shows something under cuda");
        if (reason != null) {
            assertEquals(1, details.size(), details.toString());
            assertTrue(details.get(0).startsWith("kernels: kernels/mlp.fatbin (sm_80 sm_86 sm_89 sm_90 compute_90, nvcc 13.")
                    && details.get(0).contains("needs a driver for CUDA 13.0 (NVIDIA 580 or newer)"), details.get(0));
            BackendUnavailableException e = Assertions.assertThrows(BackendUnavailableException.class, () -> Backends.open("cuda"));
            assertEquals("cuda: " + reason, e.getMessage());
            Backends.Selection auto = Backends.select("auto");
            try (dev.deltaprop.backend.Backend chosen = auto.backend()) {
                assertTrue(auto.report().contains("skipped cuda: " + reason), auto.report().toString());
                assertTrue(!chosen.name().equals("cuda"));
            }
        } else {
            assertTrue(details.get(0).startsWith("CUDA driver "), details.toString());
        }
    }

    /** Without JCuda's jars on the class path the answer is a reason, not a NoClassDefFoundError. */
    @Test
    void aClassPathWithoutJcudaGivesAReason() throws Exception {
        // where this build's classes are (target/classes, or the packed app.jar on a GPU machine),
        // and nothing else: no JCuda, no LWJGL
        String classes = location(DeviceProvider.class) + File.pathSeparator + location(CudaReasonMain.class);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes, CudaReasonMain.class.getName()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.startsWith("JCuda is not on the class path") && output.contains("org.jcuda:jcuda 12.6.0"), output);
    }

    private static String location(Class<?> type) throws java.net.URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Prints {@code Backends.unavailableReason("cuda")} (run in a JVM with a reduced class path). */
    public static final class CudaReasonMain {
        public static void main(String[] args) {
            System.out.println(Backends.unavailableReason("cuda"));
        }
    }
}

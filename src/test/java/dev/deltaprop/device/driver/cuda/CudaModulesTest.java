package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.LogCapture;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * The order of a CUDA module load, on stand-in load calls (no GPU needed): a program with no
 * shipped fatbin goes to NVRTC, and that fallback is one INFO record on the
 * {@code dev.deltaprop.device.driver.cuda} logger, never printed; without NVRTC the failure names
 * what was tried and what to install, and nothing is logged.
 */
class CudaModulesTest {
    private static final CudaDevice H200 = new CudaDevice(0, "NVIDIA H200", 9, 0, 141L << 30, 1024, 132);
    private static final ProgramSource TINY = new ProgramSource("tiny.cu",
            "extern \"C\" __global__ void tiny(float* v) { v[0] = 1.0f; }", null);

    /** Loads nothing from an image (there is none) and "loads" whatever NVRTC made. */
    private static final CudaModules.Calls<String> CALLS = new CudaModules.Calls<>() {
        @Override
        public String loadData(byte[] image, int[] result) {
            throw new AssertionError("no image fits tiny.cu, so none is loaded");
        }

        @Override
        public String loadJit(byte[] image, int[] result, String[] log) {
            return image.length > 0 ? "module" : null;
        }
    };

    @Test
    void theFallBackToNvrtcIsLoggedOnceAtInfo() {
        String nvrtc;
        try {
            nvrtc = Nvrtc.unavailableReason();
        } catch (LinkageError e) {
            nvrtc = e.toString();
        }
        try (LogCapture log = LogCapture.of("dev.deltaprop.device.driver.cuda")) {
            if (nvrtc != null) {
                KernelBuildException e = assertThrows(KernelBuildException.class,
                        () -> CudaModules.load(TINY, Map.of(), H200, 13000, CALLS));
                assertTrue(e.getMessage().startsWith("tiny.cu: no kernels can be loaded on 0: NVIDIA H200")
                        && e.getMessage().contains("no fatbin is shipped for tiny.cu"), e.getMessage());
                assertEquals(List.of(), log.messages(Level.INFO), "nothing was compiled");
                return;
            }
            CudaModules.Loaded<String> loaded = CudaModules.load(TINY, Map.of(), H200, 13000, CALLS);
            assertEquals("module", loaded.module());
            assertTrue(loaded.origin().startsWith(Nvrtc.describe() + ", sm_90"), loaded.origin());
            List<String> info = log.messages(Level.INFO);
            assertEquals(1, info.size(), info.toString());
            assertTrue(info.get(0).startsWith("tiny.cu: compiling the kernels with " + Nvrtc.describe()
                    + " for sm_90 on NVIDIA H200: no fatbin is shipped for tiny.cu"), info.get(0));
        }
    }
}

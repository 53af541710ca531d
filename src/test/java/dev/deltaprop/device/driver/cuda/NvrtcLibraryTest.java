package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltaprop.device.driver.KernelBuildException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvrtcLibraryTest {

    @Test
    void findsTheNewestLibraryAndItsBuiltinsInAFolderItIsPointedAt(@TempDir Path folder) throws IOException {
        Files.write(folder.resolve("libnvrtc.so.12"), new byte[1]);
        Files.write(folder.resolve("libnvrtc.so.13"), new byte[1]);
        Files.write(folder.resolve("libnvrtc-builtins.so.13.0"), new byte[1]);
        Files.write(folder.resolve("libnvrtc-builtins.so"), new byte[1]);
        NvrtcLibrary.Found viaEnvironment = NvrtcLibrary.find(Map.of("DELTAPROP_NVRTC", folder.toString()));
        assertEquals(folder.resolve("libnvrtc.so.13"), viaEnvironment.library());
        assertEquals(folder.resolve("libnvrtc-builtins.so.13.0"), viaEnvironment.builtins());
        NvrtcLibrary.Found viaPath = NvrtcLibrary.find(Map.of("LD_LIBRARY_PATH", "/nonexistent:" + folder));
        assertEquals(folder.resolve("libnvrtc.so.13"), viaPath.library());
        NvrtcLibrary.Found viaFile = NvrtcLibrary.find(Map.of("DELTAPROP_NVRTC", folder.resolve("libnvrtc.so.12").toString()));
        assertEquals(folder.resolve("libnvrtc.so.12"), viaFile.library());
    }

    @Test
    void findsAPythonWheelsCopy(@TempDir Path home) throws IOException {
        Path lib = Files.createDirectories(home.resolve(".local/lib/python3.12/site-packages/nvidia/cu13/lib"));
        Files.write(lib.resolve("libnvrtc.so.13"), new byte[1]);
        // (a system copy, where one exists, comes first; the wheel is found at least)
        NvrtcLibrary.Found found = NvrtcLibrary.find(Map.of("HOME", home.toString()));
        assertNotNull(found);
        assertTrue(NvrtcLibrary.folders(Map.of("HOME", home.toString())).contains(lib));
    }

    @Test
    void aMachineWithoutNvrtcGetsAReasonNamingTheWayOut() {
        String reason = Nvrtc.unavailableReason();
        if (NvrtcLibrary.find(System.getenv()) == null) {
            assertTrue(reason.startsWith("no NVRTC library") && reason.contains("DELTAPROP_NVRTC"), reason);
            assertNull(Nvrtc.describe());
        }
    }

    /** Where NVRTC exists (a CUDA toolkit, PyTorch's wheels), it compiles CUDA C, and reports errors with the log. */
    @Test
    void compilesCudaWhereNvrtcExists() {
        String reason = Nvrtc.unavailableReason();
        assumeTrue(reason == null, reason);
        String source = "extern \"C\" __global__ void scale(float* x, float a, int n) {\n"
                + "  int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] *= a * SCALE; }\n";
        Nvrtc.Output ptx = Nvrtc.compile("scale.cu", source, Map.of("SCALE", "2.0f"), 99, 9);
        if (!ptx.cubin()) {
            String text = new String(ptx.image(), StandardCharsets.UTF_8);
            assertTrue(text.contains(".entry scale"), text);
        }
        Nvrtc.Output cubin = Nvrtc.compile("scale.cu", source, Map.of("SCALE", "2.0f"), 8, 0);
        assertTrue(cubin.cubin() && cubin.image()[0] == 0x7f && cubin.image()[1] == 'E', "an ELF cubin for sm_80");
        KernelBuildException broken = org.junit.jupiter.api.Assertions.assertThrows(KernelBuildException.class,
                () -> Nvrtc.compile("broken.cu", source.replace("SCALE", "UNDEFINED_NAME"), Map.of(), 8, 0));
        assertTrue(broken.log().contains("UNDEFINED_NAME"), broken.getMessage());
    }
}

package dev.deltaprop.device.driver.jcuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the CUDA backend says when it cannot start; runs everywhere, GPU or not. */
class JcudaProbeTest {

    @Test
    void aMissingDriverLibraryIsSaidInOneLine() {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: "
                + "cannot open shared object file: No such file or directory");
        assertEquals("no CUDA driver: libcuda.so.1 not found", Jcuda.linkFailure(error));
    }

    @Test
    void aMissingNativesJarNamesTheArtifact() {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path\n"
                + "No resource found with name '/lib/libJCudaDriver-12.6.0-linux-x86_64.so'");
        String reason = Jcuda.linkFailure(error);
        assertTrue(reason.contains("jcuda-natives"), reason);
        assertTrue(reason.lines().count() == 1, reason);
    }

    /**
     * The reason matches this machine: exactly {@code no CUDA driver: libcuda.so.1 not found}
     * where the loader can find no libcuda.so.1, something else (or nothing) where it can.
     */
    @Test
    void theReasonMatchesThisMachine() throws Exception {
        String reason = Jcuda.unavailableReason();
        if (libcudaVisible()) {
            assertNotEquals(Jcuda.NO_DRIVER, reason);
        } else {
            assertEquals(Jcuda.NO_DRIVER, reason);
        }
        assertSame(reason, Jcuda.unavailableReason(), "probed once, the answer is kept");
    }

    @Test
    void withoutCudaTheDriverRefusesToOpenWithTheReason() {
        String reason = Jcuda.unavailableReason();
        if (reason == null) {
            return;   // a GPU machine: JcudaDriverTest covers opening
        }
        dev.deltaprop.device.driver.DriverException e =
                assertThrows(dev.deltaprop.device.driver.DriverException.class, () -> new JcudaDriverFactory().open());
        assertEquals(reason, e.getMessage());
    }

    /** A driver too old for the fatbin, or a GPU it has no code for, is a reason to skip cuda unless NVRTC can step in. */
    @Test
    void knowsBeforeOpeningWhenNoKernelsCouldLoad() {
        dev.deltaprop.device.driver.cuda.ShippedFatbin shipped = dev.deltaprop.device.driver.cuda.ShippedFatbin.find("kernels/mlp.cu");
        org.junit.jupiter.api.Assertions.assertNotNull(shipped, "the build puts kernels/mlp.fatbin on the class path");
        dev.deltaprop.device.driver.cuda.CudaDevice hopper = new dev.deltaprop.device.driver.cuda.CudaDevice(0, "NVIDIA H200", 9, 0, 141L << 30, 1024, 132);
        dev.deltaprop.device.driver.cuda.CudaDevice turing = new dev.deltaprop.device.driver.cuda.CudaDevice(0, "Tesla T4", 7, 5, 15L << 30, 1024, 40);
        assertEquals(null, dev.deltaprop.device.driver.cuda.CudaDriverFactory.kernelsUnloadable(hopper, 13000, shipped));
        String nvrtc = dev.deltaprop.device.driver.cuda.Nvrtc.unavailableReason();
        String old = dev.deltaprop.device.driver.cuda.CudaDriverFactory.kernelsUnloadable(hopper, 12040, shipped);
        String noCode = dev.deltaprop.device.driver.cuda.CudaDriverFactory.kernelsUnloadable(turing, 13000, shipped);
        String noFatbin = dev.deltaprop.device.driver.cuda.CudaDriverFactory.kernelsUnloadable(hopper, 13000, null);
        if (nvrtc == null) {
            assertEquals(java.util.Arrays.asList(null, null, null), java.util.Arrays.asList(old, noCode, noFatbin),
                    "NVRTC is here: every case can compile at run time");
            return;
        }
        assertTrue(old.startsWith("the CUDA driver is 12.4") && old.contains("need CUDA 13.0, i.e. NVIDIA driver 580 or newer")
                && old.endsWith("cannot be compiled here: " + nvrtc), old);
        assertTrue(noCode.contains("none of which runs on compute capability 7.5"), noCode);
        assertTrue(noFatbin.startsWith("the jar carries no CUDA fatbin"), noFatbin);
    }

    /** Whether the dynamic loader could find libcuda.so.1: LD_LIBRARY_PATH or its cache. */
    static boolean libcudaVisible() throws Exception {
        for (String folder : System.getenv().getOrDefault("LD_LIBRARY_PATH", "").split(":")) {
            if (!folder.isEmpty() && Files.exists(Path.of(folder, "libcuda.so.1"))) {
                return true;
            }
        }
        for (String ldconfig : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig"}) {
            if (Files.isExecutable(Path.of(ldconfig))) {
                Process process = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                String cache = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                process.waitFor();
                return cache.contains("libcuda.so.1 ");
            }
        }
        for (String folder : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/lib/x86_64-linux-gnu"}) {
            if (Files.exists(Path.of(folder, "libcuda.so.1"))) {
                return true;
            }
        }
        return false;
    }
}

package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Discovery of the cpu backend, {@code auto}'s fallback to it, and its kernel choice. */
class AutoTest {

    @Test
    void autoOrderEndsWithCpuAndNeverReference() {
        assertEquals(List.of("cuda", "cuda-lwjgl", "opencl", "opencl-lwjgl", "cpu"), Backends.AUTO_ORDER);
    }

    /** Without CUDA or OpenCL, {@code auto} chooses cpu; the reference is not even tried. */
    @Test
    void autoFallsBackToCpu() {
        Backends.Selection selection = Backends.select("auto");
        try (Backend backend = selection.backend()) {
            List<String> report = selection.report();
            if (!backend.name().equals("cpu")) {
                // a machine with a working device backend: cpu is still ahead of reference
                assertTrue(Backends.AUTO_ORDER.contains(backend.name()), report.toString());
                return;
            }
            assertTrue(report.get(report.size() - 1).startsWith("chose cpu"), report.toString());
            assertTrue(report.stream().noneMatch(line -> line.contains("reference")), report.toString());
        }
    }

    /**
     * On a machine without OpenCL (the ICD loader pointed at an empty vendor list) or CUDA (none
     * here; and pointed away from any driver), {@code auto} chooses cpu and says what it skipped.
     */
    @Test
    void autoFallsBackToCpuWithoutOpenClOrCuda() throws Exception {
        java.nio.file.Path empty = java.nio.file.Files.createTempDirectory("no-opencl-vendors");
        try {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            ProcessBuilder builder = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                    System.getProperty("java.class.path"), "dev.deltaprop.cpu.PrintAuto").redirectErrorStream(true);
            builder.environment().put("OCL_ICD_VENDORS", empty.toString());
            builder.environment().put("OCL_ICD_FILENAMES", "");
            builder.environment().put("LD_LIBRARY_PATH", empty.toString());
            builder.environment().put("CUDA_VISIBLE_DEVICES", "");
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.waitFor(), output);
            assertTrue(output.contains("skipped opencl"), output);
            assertTrue(output.contains("chose cpu (pure Java"), output);
            assertTrue(!output.contains("reference"), output);
        } finally {
            java.nio.file.Files.deleteIfExists(empty);
        }
    }

    @Test
    void openByNameUsesTheVectorKernelWhenTheModuleIsPresent() {
        try (Backend cpu = Backends.open("cpu")) {
            assertEquals("cpu", cpu.name());
            // surefire starts the JVM with --add-modules jdk.incubator.vector (pom.xml)
            assertTrue(cpu.device().contains("Vector API"), cpu.device());
        }
    }

    /** A JVM without the incubator module still loads the library and runs the scalar kernel, saying why. */
    @Test
    void withoutTheModuleTheScalarKernelRunsAndSaysWhy() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.deltaprop.cpu.PrintDevice").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        assertTrue(output.contains("scalar loops"), output);
        assertTrue(output.contains("--add-modules jdk.incubator.vector"), output);
        assertTrue(output.contains("step ok"), output);
    }
}

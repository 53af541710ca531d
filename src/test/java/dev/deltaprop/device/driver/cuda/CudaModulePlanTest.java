package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The CUDA loading decisions and messages, without a GPU: which image, and what a user is told. */
class CudaModulePlanTest {

    private static final String TEXT = "extern \"C\" __global__ void k() {}\n";
    private static final Map<String, String> DEFINES = new TreeMap<>(Map.of("TM", "64", "TN", "64"));

    /** A shipped fatbin built from {@link #TEXT} with {@link #DEFINES} by nvcc 13.0 (a synthetic image). */
    private static ShippedFatbin shipped(byte[] image) {
        java.util.Properties record = new java.util.Properties();
        record.setProperty("source.sha256", ShippedFatbin.sha256(TEXT));
        record.setProperty("defines", "TM=64 TN=64");
        record.setProperty("nvcc", "13.0.88");
        record.setProperty("cuda.driver.min", "13000");
        return ShippedFatbin.of("kernels/k.fatbin", image, record);
    }

    private static final byte[] IMAGE = FatbinTest.synthetic(new int[] {2, 80}, new int[] {2, 90}, new int[] {1, 90});

    @Test
    void theShippedFatbinIsUsedForItsOwnProgram() {
        CudaModulePlan plan = CudaModulePlan.of(new ProgramSource("kernels/k.cu", TEXT, IMAGE), DEFINES, shipped(IMAGE));
        assertArrayEquals(IMAGE, plan.image());
        assertEquals("kernels/k.fatbin", plan.origin());
        assertEquals(List.of(), plan.attempts());
    }

    @Test
    void otherMacrosOrOtherTextMeanCompilingAtRunTime() {
        Map<String, String> tuned = new TreeMap<>(DEFINES);
        tuned.put("TM", "32");
        CudaModulePlan macros = CudaModulePlan.of(new ProgramSource("kernels/k.cu", TEXT, IMAGE), tuned, shipped(IMAGE));
        assertNull(macros.image());
        assertTrue(macros.attempts().get(0).contains("-DTM=64") && macros.attempts().get(0).contains("-DTM=32"),
                macros.attempts().toString());
        CudaModulePlan text = CudaModulePlan.of(new ProgramSource("kernels/k.cu", TEXT + "//\n", null), DEFINES, shipped(IMAGE));
        assertNull(text.image());
        assertTrue(text.attempts().get(0).contains("other source text"), text.attempts().toString());
    }

    @Test
    void aCallersOwnBinaryIsTrustedAndNoneAtAllIsSaid() {
        byte[] own = FatbinTest.synthetic(new int[] {2, 86});
        CudaModulePlan given = CudaModulePlan.of(new ProgramSource("kernels/k.cu", TEXT, own), DEFINES, shipped(IMAGE));
        assertArrayEquals(own, given.image());
        assertEquals("the binary given with kernels/k.cu", given.origin());
        CudaModulePlan none = CudaModulePlan.of(new ProgramSource("kernels/k.cu", TEXT, null), DEFINES, null);
        assertNull(none.image());
        assertEquals(List.of("no fatbin is shipped for kernels/k.cu (the jar was built without nvcc)"), none.attempts());
    }

    @Test
    void anOldDriverWithoutNvrtcIsToldBothVersions() {
        CudaModulePlan plan = CudaModulePlan.of(new ProgramSource("kernels/k.cu", TEXT, IMAGE), DEFINES, shipped(IMAGE));
        plan.refused(222, 9, 0, 12040);   // CUDA_ERROR_UNSUPPORTED_PTX_VERSION from a CUDA 12.4 driver
        KernelBuildException e = plan.failure("kernels/k.cu", "0: NVIDIA H100", 12040, "550.54.14",
                "no NVRTC library (libnvrtc.so.13) …", "");
        String message = e.getMessage();
        assertTrue(message.contains("cuModuleLoadData kernels/k.fatbin: CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), message);
        assertTrue(message.contains("CUDA driver 12.4 (NVIDIA 550.54.14)"), message);
        assertTrue(message.contains("need CUDA 13.0, i.e. NVIDIA driver 580 or newer"), message);
        assertTrue(message.contains("cannot compile at run time: no NVRTC library"), message);
    }

    @Test
    void aGpuWithoutCodeInTheFatbinIsNamed() {
        CudaModulePlan plan = CudaModulePlan.of(new ProgramSource("kernels/k.cu", TEXT, IMAGE), DEFINES, shipped(IMAGE));
        plan.refused(209, 7, 5, 13000);   // CUDA_ERROR_NO_BINARY_FOR_GPU on a Turing card
        String why = plan.attempts().get(0);
        assertTrue(why.contains("CUDA_ERROR_NO_BINARY_FOR_GPU") && why.contains("it holds sm_80 sm_90 compute_90")
                && why.contains("this GPU is sm_75, which none of them runs on"), why);
        String message = plan.failure("kernels/k.cu", "0: Tesla T4", 13000, null, "no NVRTC", "").getMessage();
        assertTrue(message.contains("Install NVRTC"), message);
    }

    @Test
    void theCommittedRecordReadsBack() throws Exception {
        Path record = Path.of("native/prebuilt/mlp.fatbin.properties");
        java.util.Properties properties = new java.util.Properties();
        properties.load(new java.io.StringReader(Files.readString(record)));
        ShippedFatbin fatbin = ShippedFatbin.of("kernels/mlp.fatbin",
                Files.readAllBytes(Path.of("native/prebuilt/mlp.fatbin")), properties);
        assertEquals(13000, fatbin.minimumDriverVersion());
        assertTrue(fatbin.nvccVersion().startsWith("13."), fatbin.nvccVersion());
        assertEquals(64, fatbin.sourceSha256().length());
        assertTrue(fatbin.defines().containsKey("LARGE_TM") && fatbin.defines().containsKey("SMALL_TM"), fatbin.defines().toString());
    }
}

package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.DriverException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CudaResultTest {

    @Test
    void namesTheCodesAUserMeets() {
        assertEquals("CUDA_SUCCESS", CudaResult.name(0));
        assertEquals("CUDA_ERROR_INVALID_VALUE", CudaResult.name(1));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaResult.name(2));
        assertEquals("CUDA_ERROR_STUB_LIBRARY", CudaResult.name(34));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaResult.name(100));
        assertEquals("CUDA_ERROR_NO_BINARY_FOR_GPU", CudaResult.name(209));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CudaResult.name(222));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", CudaResult.name(700));
        assertEquals("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", CudaResult.name(701));
        assertEquals("CUDA_ERROR_UNKNOWN", CudaResult.name(999));
    }

    @Test
    void anUnknownCodeKeepsItsNumber() {
        assertEquals("CUDA_ERROR_12345", CudaResult.name(12345));
        assertEquals("CUDA_ERROR_-1", CudaResult.name(-1));
    }

    @Test
    void checkThrowsNamingTheCallAndTheError() {
        CudaResult.check("cuMemAlloc", 0);
        DriverException e = assertThrows(DriverException.class, () -> CudaResult.check("cuMemAlloc", 2));
        assertEquals("cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY", e.getMessage());
    }

    /** Every CUresult of the installed toolkit's cuda.h has the header's name (skipped without a toolkit). */
    @Test
    void agreesWithTheInstalledCudaHeader() throws IOException {
        Path header = Path.of("/usr/local/cuda/include/cuda.h");
        assumeTrue(Files.isRegularFile(header), "no CUDA toolkit header at " + header);
        Map<Integer, String> fromHeader = new LinkedHashMap<>();
        Matcher matcher = Pattern.compile("\\b(CUDA_SUCCESS|CUDA_ERROR_[A-Z0-9_]+)\\s*=\\s*(\\d+)").matcher(Files.readString(header));
        while (matcher.find()) {
            fromHeader.putIfAbsent(Integer.parseInt(matcher.group(2)), matcher.group(1));
        }
        assertTrue(fromHeader.size() > 90, "parsed only " + fromHeader.size() + " codes from " + header);
        for (Map.Entry<Integer, String> code : fromHeader.entrySet()) {
            assertEquals(code.getValue(), CudaResult.name(code.getKey()), "code " + code.getKey());
        }
    }
}

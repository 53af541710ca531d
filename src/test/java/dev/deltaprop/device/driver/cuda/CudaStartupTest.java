package dev.deltaprop.device.driver.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The reasons both CUDA bindings give for cuInit's and cuDeviceGetCount's results. */
class CudaStartupTest {

    @Test
    void cuInitResults() {
        assertNull(CudaStartup.afterInit(0));
        assertEquals("no CUDA device: cuInit: CUDA_ERROR_NO_DEVICE", CudaStartup.afterInit(100));
        assertEquals("no CUDA driver: the libcuda.so.1 found is the CUDA toolkit's stub, not a driver (cuInit: CUDA_ERROR_STUB_LIBRARY)",
                CudaStartup.afterInit(34));
        assertEquals("the CUDA driver library does not match the kernel driver (cuInit: CUDA_ERROR_SYSTEM_DRIVER_MISMATCH)",
                CudaStartup.afterInit(803));
        assertEquals("CUDA could not start: cuInit: CUDA_ERROR_UNKNOWN", CudaStartup.afterInit(999));
        assertEquals("CUDA could not start: cuInit: CUDA_ERROR_12345", CudaStartup.afterInit(12345));
    }

    @Test
    void deviceCounts() {
        assertNull(CudaStartup.afterCount(0, 1));
        assertEquals("no CUDA device: the driver sees none", CudaStartup.afterCount(0, 0));
        assertEquals("no CUDA device: cuDeviceGetCount: CUDA_ERROR_NOT_INITIALIZED", CudaStartup.afterCount(3, 0));
    }

    @Test
    void kernelsLineWithoutAFatbin() {
        assertEquals("kernels: no fatbin in this jar (built without nvcc): NVRTC must compile them",
                CudaStartup.kernelsLine(null, 13000));
    }
}

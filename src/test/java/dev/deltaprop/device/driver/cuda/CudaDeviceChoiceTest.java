package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.DriverException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code DELTAPROP_CUDA_DEVICE} for both CUDA bindings, on made-up devices (no CUDA needed). */
class CudaDeviceChoiceTest {
    private static final CudaDevice A100 = new CudaDevice(0, "NVIDIA A100-SXM4-80GB", 8, 0, 80L << 30, 1024, 108);
    private static final CudaDevice H200 = new CudaDevice(1, "NVIDIA H200", 9, 0, 141L << 30, 1024, 132);

    @Test
    void anOrdinalANameOrDeviceZero() {
        List<CudaDevice> devices = List.of(A100, H200);
        assertEquals(A100, CudaDeviceChoice.select(devices, null));
        assertEquals(A100, CudaDeviceChoice.select(devices, " "));
        assertEquals(H200, CudaDeviceChoice.select(devices, "1"));
        assertEquals(H200, CudaDeviceChoice.select(devices, "h200"));
        IllegalArgumentException ordinal = assertThrows(IllegalArgumentException.class, () -> CudaDeviceChoice.select(devices, "2"));
        assertEquals("DELTAPROP_CUDA_DEVICE: expected an ordinal below 2 or a name substring, found '2'", ordinal.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> CudaDeviceChoice.select(devices, "L4"));
        assertTrue(name.getMessage().startsWith("DELTAPROP_CUDA_DEVICE: no device's name contains 'L4'; devices: "
                + "0: NVIDIA A100-SXM4-80GB, compute capability 8.0, 108 SMs, 80.0 GiB; 1: NVIDIA H200"), name.getMessage());
        DriverException none = assertThrows(DriverException.class, () -> CudaDeviceChoice.select(List.of(), null));
        assertEquals("no CUDA device: the driver sees none", none.getMessage());
    }
}

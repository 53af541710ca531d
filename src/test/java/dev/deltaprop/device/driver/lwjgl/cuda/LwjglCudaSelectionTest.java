package dev.deltaprop.device.driver.lwjgl.cuda;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code DELTAPROP_CUDA_DEVICE} for cuda-lwjgl, on made-up devices (no CUDA needed: nothing here touches {@code CU}). */
class LwjglCudaSelectionTest {
    private static final LwjglCuda.DeviceInfo A100 = new LwjglCuda.DeviceInfo(0, 0, "NVIDIA A100-SXM4-80GB", 8, 0, 80L << 30, 1024, 108);
    private static final LwjglCuda.DeviceInfo H200 = new LwjglCuda.DeviceInfo(1, 1, "NVIDIA H200", 9, 0, 141L << 30, 1024, 132);

    @Test
    void ordinalNameOrDeviceZero() {
        List<LwjglCuda.DeviceInfo> devices = List.of(A100, H200);
        assertEquals(A100, LwjglCuda.select(devices, null));
        assertEquals(H200, LwjglCuda.select(devices, "1"));
        assertEquals(H200, LwjglCuda.select(devices, "h200"));
        IllegalArgumentException ordinal = assertThrows(IllegalArgumentException.class, () -> LwjglCuda.select(devices, "2"));
        assertEquals("DELTAPROP_CUDA_DEVICE: expected an ordinal below 2 or a name substring, found '2'", ordinal.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> LwjglCuda.select(devices, "L4"));
        assertTrue(name.getMessage().startsWith("DELTAPROP_CUDA_DEVICE: no device's name contains 'L4'; devices: "
                + "0: NVIDIA A100-SXM4-80GB, compute capability 8.0, 108 SMs, 80.0 GiB; 1: NVIDIA H200"), name.getMessage());
    }
}

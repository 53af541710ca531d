package dev.deltaprop.device.driver.opencl;

import dev.deltaprop.device.driver.Driver;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device policy both OpenCL bindings share, on made-up devices (no OpenCL needed). */
class OpenClDeviceChoiceTest {

    record Fake(int index, String name, String platformName, Driver.DeviceType type, String version,
                String unusableReason) implements OpenClDeviceChoice.Candidate {
    }

    private static final Fake CPU = new Fake(0, "pthread-haswell", "Portable Computing Language", Driver.DeviceType.CPU,
            "OpenCL 3.0 PoCL", null);
    private static final Fake BROKEN_GPU = new Fake(1, "Old GPU", "Vendor A", Driver.DeviceType.GPU, "OpenCL 1.1",
            "no OpenCL C compiler (the kernels are built from source)");
    private static final Fake GPU = new Fake(2, "NVIDIA H200", "NVIDIA CUDA", Driver.DeviceType.GPU, "OpenCL 3.0 CUDA", null);

    @Test
    void withoutASelectionTheFirstUsableGpuElseTheFirstUsableDevice() {
        assertEquals(GPU, OpenClDeviceChoice.select(List.of(CPU, BROKEN_GPU, GPU), List.of(), null));
        assertEquals(CPU, OpenClDeviceChoice.select(List.of(CPU, BROKEN_GPU), List.of(), " "));
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> OpenClDeviceChoice.select(List.of(BROKEN_GPU), List.of(), null));
        assertTrue(none.getMessage().startsWith("no usable OpenCL device: [1] Old GPU (gpu, Vendor A, OpenCL 1.1): unusable, no OpenCL C compiler"),
                none.getMessage());
    }

    @Test
    void selectionByIndexOrByASubstringOfDeviceOrPlatformName() {
        List<Fake> devices = List.of(CPU, BROKEN_GPU, GPU);
        assertEquals(CPU, OpenClDeviceChoice.select(devices, List.of(), "0"));
        assertEquals(GPU, OpenClDeviceChoice.select(devices, List.of(), "h200"));
        assertEquals(GPU, OpenClDeviceChoice.select(devices, List.of(), "nvidia cuda"));
        assertEquals(CPU, OpenClDeviceChoice.select(devices, List.of(), "portable"));
        IllegalStateException unusable = assertThrows(IllegalStateException.class,
                () -> OpenClDeviceChoice.select(devices, List.of(), "1"));
        assertTrue(unusable.getMessage().startsWith("DELTAPROP_OPENCL_DEVICE=1 selects [1] Old GPU"), unusable.getMessage());
        IllegalStateException index = assertThrows(IllegalStateException.class,
                () -> OpenClDeviceChoice.select(devices, List.of(), "3"));
        assertTrue(index.getMessage().startsWith("DELTAPROP_OPENCL_DEVICE=3: expected an index below 3 or a name"), index.getMessage());
        IllegalStateException name = assertThrows(IllegalStateException.class,
                () -> OpenClDeviceChoice.select(devices, List.of(), "radeon"));
        assertTrue(name.getMessage().startsWith("DELTAPROP_OPENCL_DEVICE=radeon matches no device name; found [0] pthread-haswell"),
                name.getMessage());
    }

    @Test
    void noDevicesSaysWhatThePlatformsSaid() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> OpenClDeviceChoice.select(List.<Fake>of(), List.of(), null));
        assertTrue(none.getMessage().startsWith("no OpenCL platform found"), none.getMessage());
        IllegalStateException problems = assertThrows(IllegalStateException.class,
                () -> OpenClDeviceChoice.select(List.<Fake>of(), List.of("Vendor B: no devices (clGetDeviceIDs: CL_DEVICE_NOT_FOUND (-1))"), null));
        assertEquals("no OpenCL device found: Vendor B: no devices (clGetDeviceIDs: CL_DEVICE_NOT_FOUND (-1))", problems.getMessage());
        assertEquals(List.of("no OpenCL platform found"), OpenClDeviceChoice.details(List.<Fake>of(), List.of()));
    }
}

package dev.deltaprop.device;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Discovery of {@code opencl-lwjgl} and {@code cuda-lwjgl}: by name, with details, and saying
 * the same as the JOCL and JCuda backends on the same machine (one engine, one device policy).
 */
class LwjglProvidersTest {

    @Test
    void openClLwjglOpensByNameAndListsTheSameDevicesAsJocl() {
        DeviceBackends.require("opencl-lwjgl");
        assertNull(Backends.unavailableReason("opencl-lwjgl"));
        try (Backend backend = Backends.open("opencl-lwjgl")) {
            assertEquals("opencl-lwjgl", backend.name());
            assertTrue(backend.device().contains("LWJGL 3.3.6"), backend.device());
        }
        List<String> details = DeviceBackends.provider("opencl-lwjgl").details();
        assertTrue(details.get(0).startsWith("[0] "), "details: " + details);
        if (Backends.unavailableReason("opencl") == null) {
            assertEquals(DeviceBackends.provider("opencl").details(), details, "both bindings see the same platforms and devices");
            try (Backend jocl = Backends.open("opencl"); Backend lwjgl = Backends.open("opencl-lwjgl")) {
                assertEquals(jocl.device().replace("JOCL 2.0.6", "BINDING"),
                        lwjgl.device().replace("LWJGL 3.3.6 (OpenCL)", "BINDING"),
                        "the same device and tiles, through another binding");
            }
        }
    }

    @Test
    void cudaLwjglIsRegisteredAndExplainsItself() {
        DeviceProvider provider = DeviceBackends.provider("cuda-lwjgl");
        assertNotNull(provider, "no provider named cuda-lwjgl in BackendTable.STANDARD");
        String reason = provider.unavailableReason();
        assertEquals(reason, Backends.unavailableReason("cuda-lwjgl"));
        List<String> details = provider.details();
        if (reason != null) {
            assertEquals(1, details.size(), details.toString());
            assertTrue(details.get(0).startsWith(reason.startsWith("LWJGL") ? reason : "kernels: "), details.toString());
            BackendUnavailableException e = Assertions.assertThrows(BackendUnavailableException.class,
                    () -> Backends.open("cuda-lwjgl"));
            assertEquals("cuda-lwjgl: " + reason, e.getMessage());
        } else {
            assertTrue(details.get(0).startsWith("CUDA driver ") && details.get(0).contains("LWJGL"), details.toString());
        }
        String jcuda = Backends.unavailableReason("cuda");
        if (jcuda == null || jcuda.startsWith("no CUDA")) {
            assertEquals(jcuda, reason, "cuda and cuda-lwjgl see the same driver");
        }
    }

    private static void assertNull(String reason) {
        Assertions.assertNull(reason, reason);
    }
}

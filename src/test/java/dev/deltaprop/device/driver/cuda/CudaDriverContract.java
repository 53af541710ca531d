package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverContract;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.ProgramSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@link DriverContract} on a GPU, and what a CUDA driver adds: its device in words, and a caller's binary that is no image refused by name. */
public abstract class CudaDriverContract extends DriverContract {

    protected CudaDriverContract(String backend, DriverFactory factory, Object lostHandle) {
        super(backend, factory, lostHandle, "cuMemFree");
    }

    /**
     * 64 MiB, as the LWJGL CUDA driver's own cycle test allowed: a cycle pins 12 to 16 MiB of host
     * memory, and the CUDA driver keeps pools of its own, so one leaked cycle is still far above it.
     */
    @Override
    protected long growthToleranceKilobytes() {
        return 64 * 1024;
    }

    /** None: a source of the test's own would need NVRTC, which a GPU machine need not have. */
    @Override
    protected final ProgramSource smallProgram() {
        return null;
    }

    @Test
    void describesTheDevice() {
        try (Driver driver = open()) {
            assertEquals(Driver.Language.CUDA_C, driver.language());
            assertEquals(Driver.DeviceType.GPU, driver.deviceType());
            CudaDevice device = ((CudaDriver<?, ?, ?, ?>) driver).device();
            assertTrue(driver.deviceVersion().startsWith("CUDA driver ")
                    && driver.deviceVersion().contains("compute capability " + device.major() + "." + device.minor()),
                    driver.deviceVersion());
            assertTrue(driver.globalMemoryBytes() > 1L << 30 && driver.maxGroupSize() >= 256, driver.toString());
        }
    }

    @Test
    void aCallerBinaryThatIsNotAnImageIsRefused() {
        try (Driver driver = open()) {
            DriverException e = assertThrows(DriverException.class, () -> driver.build(
                    new ProgramSource("kernels/garbage.cu", "this is not CUDA", new byte[] {1, 2, 3, 4}), Map.of()));
            // refused by cuModuleLoadData, then either NVRTC's compile error or the plan's "no kernels can be loaded"
            assertTrue(e.getMessage().contains("garbage.cu"), e.getMessage());
        }
    }
}

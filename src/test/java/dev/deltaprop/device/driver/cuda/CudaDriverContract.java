package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverContract;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.ProgramSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
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

    /**
     * Between devices 0 and 1, where cuDeviceCanAccessPeer says they reach each other: a peer copy
     * moves odd-sized, offset floats exactly. Needs two CUDA devices that are peers; skipped saying
     * which is missing (this has never run here: the machines had no GPU, or one).
     */
    @Test
    void aPeerCopyBetweenTwoDevicesMovesTheFloats() {
        List<String> devices = factory().deviceSelections();
        Assumptions.assumeTrue(devices.size() >= 2, "peer copies need two CUDA devices, found " + devices.size());
        try (Driver zero = factory().open("0"); Driver one = factory().open("1")) {
            Assumptions.assumeTrue(zero.enablePeerAccess(one) && one.enablePeerAccess(zero),
                    "devices 0 and 1 cannot access each other's memory (cuDeviceCanAccessPeer)");
            float[] values = new float[257];
            for (int i = 0; i < values.length; i++) {
                values[i] = i * 0.5f - 7;
            }
            Driver.Memory source = one.allocate(300);
            one.write(source, 11, values, 0, values.length);
            one.finish();
            Driver.Memory target = zero.allocate(300);
            float[] poison = new float[300];
            java.util.Arrays.fill(poison, Float.NaN);
            zero.write(target, 0, poison, 0, poison.length);
            zero.copyFromPeer(target, 3, one, source, 11, values.length);
            float[] back = new float[values.length + 2];
            zero.read(target, 2, back, 0, back.length);
            assertTrue(Float.isNaN(back[0]) && Float.isNaN(back[back.length - 1]), "only the range is copied");
            assertArrayEquals(values, java.util.Arrays.copyOfRange(back, 1, back.length - 1));
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

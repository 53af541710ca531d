package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.cuda.CudaDriver;
import dev.deltaprop.device.driver.cuda.Nvrtc;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a GPU: the engine's program loads from the shipped fatbin without compiling, and a program
 * with other tile macros is compiled at run time by NVRTC (and runs correctly) or, where there is
 * no NVRTC, fails saying both why the fatbin does not fit and why nothing could compile it.
 * Skipped with the reason where {@code cuda} cannot start; failed when DELTAPROP_REQUIRE names it.
 */
class CudaModuleLoadingTest {

    private Driver driver;

    @BeforeEach
    void open() {
        driver = DeviceBackends.require("cuda").openDriver();
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void theEnginesProgramComesFromTheShippedFatbin() {
        ProgramSource source = KernelSource.load(Driver.Language.CUDA_C);
        Map<String, String> defines = TileProfile.forDevice(Driver.DeviceType.GPU, driver.maxGroupSize()).defines();
        Driver.Program program = driver.build(source, defines);
        String origin = ((CudaDriver<?, ?, ?, ?>) driver).lastBuild();
        assertTrue(origin.equals("kernels/mlp.cu: kernels/mlp.fatbin"), origin);
        checkGather(program, Integer.parseInt(defines.get("REDUCE")));
    }

    @Test
    void otherMacrosAreCompiledAtRunTimeOrRefusedWithBothReasons() {
        ProgramSource source = KernelSource.load(Driver.Language.CUDA_C);
        Map<String, String> defines = new LinkedHashMap<>(TileProfile.forDevice(Driver.DeviceType.GPU, driver.maxGroupSize()).defines());
        defines.put("TM", "32");
        defines.put("WM", "2");
        defines.put("REDUCE", "128");
        String nvrtc = Nvrtc.unavailableReason();
        if (nvrtc == null) {
            Driver.Program program = driver.build(source, defines);
            String origin = ((CudaDriver<?, ?, ?, ?>) driver).lastBuild();
            assertTrue(origin.contains("NVRTC") && origin.contains("-DTM=32"), origin);
            checkGather(program, 128);
        } else {
            KernelBuildException e = org.junit.jupiter.api.Assertions.assertThrows(KernelBuildException.class,
                    () -> driver.build(source, defines));
            assertTrue(e.getMessage().contains("-DTM=32") && e.getMessage().contains(nvrtc), e.getMessage());
        }
    }

    /** gather_rows: out[b][c] = data[order[offset + b]][c], an exact copy, on odd sizes. */
    private void checkGather(Driver.Program program, int reduce) {
        Driver.Kernel gather = driver.kernel(program, "gather_rows");
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        int samples = 1031;
        int width = 33;
        int batch = 257;
        int offset = 7;
        float[] data = new float[samples * width];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextDouble(-1, 1);
        }
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = i;
        }
        for (int i = samples - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Driver.Memory dataMemory = driver.allocate(data.length);
        Driver.Memory orderMemory = driver.allocate(samples);
        Driver.Memory out = driver.allocate((long) batch * width);
        driver.write(dataMemory, 0, data, 0, data.length);
        driver.write(orderMemory, 0, order, 0, samples);
        float[] poison = new float[batch * width];
        Arrays.fill(poison, Float.NaN);
        driver.write(out, 0, poison, 0, poison.length);
        int groups = (batch * width + reduce - 1) / reduce;
        driver.launch(gather, new int[] {groups}, new int[] {reduce}, dataMemory, orderMemory, out, offset, batch, width);
        float[] got = new float[batch * width];
        driver.read(out, 0, got, 0, got.length);
        float[] expected = new float[batch * width];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(data, order[offset + b] * width, expected, b * width, width);
        }
        assertArrayEquals(expected, got, "seed " + seed);
    }
}

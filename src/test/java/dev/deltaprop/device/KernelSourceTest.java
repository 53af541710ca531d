package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.ProgramSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel loader and the tile table: no device needed. */
class KernelSourceTest {

    @AfterEach
    void clearOverride() {
        System.clearProperty(TileProfile.PROPERTY);
    }

    @Test
    void theOpenClEntryHasEveryIncludeResolved() {
        ProgramSource source = KernelSource.load(Driver.Language.OPENCL_C);
        assertEquals("kernels/mlp.cl", source.name());
        assertFalse(java.util.regex.Pattern.compile("(?m)^\\s*#\\s*include").matcher(source.text()).find(),
                "no #include directive left");
        for (String kernel : new String[] {"forward_gemm", "forward_softmax", "delta_output_elementwise",
                "delta_output_softmax", "delta_output_loss", "delta_hidden_gemm", "update_gemm", "gather_rows"}) {
            assertTrue(source.text().contains("KERNEL void " + kernel + "("), kernel);
        }
        assertTrue(source.text().contains("#line 1 \"forward.h\""), "build logs point at the real files");
        assertNull(source.binary());
    }

    @Test
    void theEntryFollowsTheLanguage() {
        assertEquals("mlp.cl", KernelSource.entry(Driver.Language.OPENCL_C));
        assertEquals("mlp.cu", KernelSource.entry(Driver.Language.CUDA_C));
        assertEquals("mlp.fatbin", KernelSource.binary(Driver.Language.CUDA_C));
        DriverException e = assertThrows(DriverException.class, () -> KernelSource.resolve("no-such.h", 0));
        assertTrue(e.getMessage().startsWith("kernels/no-such.h: not on the class path"), e.getMessage());
    }

    @Test
    void tilesComeFromTheTableAndTheProperty() {
        TileProfile gpu = TileProfile.forDevice(Driver.DeviceType.GPU, 1024);
        assertEquals(256, gpu.groupColumns() * gpu.groupRows());
        System.setProperty(TileProfile.PROPERTY, "tm=32, WM=2");
        TileProfile tuned = TileProfile.forDevice(Driver.DeviceType.GPU, 1024);
        assertEquals("32", tuned.defines().get("TM"));
        assertEquals("2", tuned.defines().get("WM"));
        assertEquals(gpu.defines().get("TN"), tuned.defines().get("TN"), "unnamed macros keep the table's value");
    }

    @Test
    void badTilesAreRefusedWithTheRule() {
        System.setProperty(TileProfile.PROPERTY, "WM=3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TileProfile.forDevice(Driver.DeviceType.CPU, 4096));
        assertTrue(e.getMessage().startsWith("deltaprop.tiles: WM expected to divide TM="), e.getMessage());
        System.setProperty(TileProfile.PROPERTY, "QQ=3");
        e = assertThrows(IllegalArgumentException.class, () -> TileProfile.forDevice(Driver.DeviceType.CPU, 4096));
        assertTrue(e.getMessage().contains("NAME one of TM, TN, TK, WM, WN, VW, REDUCE"), e.getMessage());
        System.clearProperty(TileProfile.PROPERTY);
        e = assertThrows(IllegalArgumentException.class, () -> TileProfile.forDevice(Driver.DeviceType.GPU, 64));
        assertTrue(e.getMessage().contains("at most the device's 64 work-items"), e.getMessage());
    }
}

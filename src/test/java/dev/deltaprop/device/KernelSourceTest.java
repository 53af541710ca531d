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
        for (String kernel : new String[] {"forward_softmax", "delta_output_elementwise", "delta_output_softmax",
                "delta_output_loss", "gather_rows", "forward_reduce", "delta_hidden_reduce", "update_reduce", "gradient_reduce"}) {
            assertTrue(source.text().contains("KERNEL void " + kernel + "("), kernel);
        }
        // instantiated once per tile class by gemm_classes.h: forward_gemm_small, forward_gemm_large, …
        for (String kernel : new String[] {"forward_gemm", "delta_hidden_gemm", "update_gemm"}) {
            assertTrue(source.text().contains("CLASSED(" + kernel + ")("), kernel);
        }
        assertEquals(2, source.text().split("#define GEMM_CLASS ", -1).length - 1, "two tile classes");
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
        assertEquals(256, gpu.small().items());
        assertEquals(256, gpu.large().items());
        System.setProperty(TileProfile.PROPERTY, "small_tm=128, SMALL_WM=8");
        TileProfile tuned = TileProfile.forDevice(Driver.DeviceType.GPU, 1024);
        assertEquals("128", tuned.defines().get("SMALL_TM"));
        assertEquals("8", tuned.defines().get("SMALL_WM"));
        assertEquals(gpu.defines().get("SMALL_TN"), tuned.defines().get("SMALL_TN"), "unnamed macros keep the table's value");
        assertEquals(java.util.Set.of("REDUCE", "SMALL_TM", "SMALL_TN", "SMALL_TK", "SMALL_WM", "SMALL_WN", "LARGE_TM",
                "LARGE_TN", "LARGE_TK", "LARGE_WM", "LARGE_WN", "LANES_N"), gpu.defines().keySet(),
                "the macros of the warp-tiled core and REDUCE, nothing the kernels do not read");
    }

    @Test
    void badTilesAreRefusedWithTheRule() {
        System.setProperty(TileProfile.PROPERTY, "SMALL_TM=80");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TileProfile.forDevice(Driver.DeviceType.CPU, 4096));
        assertTrue(e.getMessage().startsWith("deltaprop.tiles: SMALL_TM expected a multiple of (32/LANES_N)·SMALL_WM = 32"),
                e.getMessage());
        System.setProperty(TileProfile.PROPERTY, "TM=64");
        e = assertThrows(IllegalArgumentException.class, () -> TileProfile.forDevice(Driver.DeviceType.CPU, 4096));
        assertTrue(e.getMessage().contains("NAME one of REDUCE, SMALL_TM, SMALL_TN"), e.getMessage());
        System.clearProperty(TileProfile.PROPERTY);
        e = assertThrows(IllegalArgumentException.class, () -> TileProfile.forDevice(Driver.DeviceType.GPU, 64));
        assertTrue(e.getMessage().contains("at most the device's 64 work-items"), e.getMessage());
        System.setProperty(TileProfile.PROPERTY, "LARGE_WM=6");
        e = assertThrows(IllegalArgumentException.class, () -> TileProfile.forDevice(Driver.DeviceType.GPU, 1024));
        assertTrue(e.getMessage().startsWith("deltaprop.tiles: LARGE_WM and LARGE_WN expected multiples of 4"), e.getMessage());
        System.setProperty(TileProfile.PROPERTY, "SMALL_TK=2");
        e = assertThrows(IllegalArgumentException.class, () -> TileProfile.forDevice(Driver.DeviceType.GPU, 1024));
        assertTrue(e.getMessage().contains("SMALL_TK·SMALL_TM/4 and SMALL_TK·SMALL_TN/4 expected multiples of the 256"),
                e.getMessage());
        System.setProperty(TileProfile.PROPERTY, "LANES_N=3");
        e = assertThrows(IllegalArgumentException.class, () -> TileProfile.forDevice(Driver.DeviceType.GPU, 1024));
        assertTrue(e.getMessage().startsWith("deltaprop.tiles: LANES_N expected to divide 32, found 3"), e.getMessage());
    }

    @Test
    void bothDeviceTablesPassTheCoresRules() {
        for (Driver.DeviceType type : Driver.DeviceType.values()) {
            TileProfile profile = TileProfile.forDevice(type, 1024);
            assertEquals("small", profile.small().name());
            assertEquals("large", profile.large().name());
            assertTrue(profile.large().tm() >= profile.small().tm(), type + ": " + profile);
        }
    }
}

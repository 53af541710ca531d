package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.cuda.Fatbin;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.cuda.ShippedFatbin;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The fatbin in the jar is the program the engine asks the CUDA driver for: built from the text
 * {@link KernelSource} hands over (native/build-cuda.sh resolves includes the same way) with the
 * GPU row of {@link TileProfile}; and the committed copy a user without nvcc gets is up to date.
 */
class ShippedFatbinTest {

    private static final Path PREBUILT_RECORD = Path.of("native/prebuilt/mlp.fatbin.properties");

    private static Map<String, String> gpuDefines() {
        return TileProfile.forDevice(Driver.DeviceType.GPU, 1024).defines();
    }

    @Test
    void theJarCarriesAFatbinForTheEnginesProgram() {
        ProgramSource source = KernelSource.load(Driver.Language.CUDA_C);
        ShippedFatbin shipped = ShippedFatbin.find(source.name());
        assertNotNull(shipped, "kernels/mlp.fatbin is not on the class path: the build did not run native/build-cuda.sh");
        assertNull(shipped.mismatch(source, gpuDefines()));
        assertArrayEquals(shipped.image(), source.binary(), "the engine hands the driver the shipped fatbin");
        Fatbin contents = shipped.contents();
        assertTrue(contents.images().contains(new Fatbin.Image(Fatbin.Kind.SASS, 90)), contents.toString());
        assertTrue(contents.images().contains(new Fatbin.Image(Fatbin.Kind.PTX, 90)), contents.toString());
        assertTrue(contents.runsOn(8, 0) && contents.runsOn(8, 6) && contents.runsOn(8, 9) && contents.runsOn(9, 0));
    }

    @Test
    void theCommittedCopyIsUpToDate() throws IOException {
        ProgramSource source = KernelSource.load(Driver.Language.CUDA_C);
        Properties record = new Properties();
        record.load(new StringReader(Files.readString(PREBUILT_RECORD)));
        String refresh = " — refresh it: bash native/build-cuda.sh --prebuilt";
        assertEquals(ShippedFatbin.sha256(source.text()), record.getProperty("source.sha256"),
                "native/prebuilt/mlp.fatbin was built from other kernel source" + refresh);
        Map<String, String> defines = new LinkedHashMap<>();
        for (String item : record.getProperty("defines").trim().split("\\s+")) {
            defines.put(item.substring(0, item.indexOf('=')), item.substring(item.indexOf('=') + 1));
        }
        assertEquals(new java.util.TreeMap<>(gpuDefines()), new java.util.TreeMap<>(defines),
                "native/prebuilt/mlp.fatbin was built with other tile macros" + refresh);
    }

    @Test
    void anyOtherMacrosOrTextAreNotThisFatbin() {
        ProgramSource source = KernelSource.load(Driver.Language.CUDA_C);
        ShippedFatbin shipped = ShippedFatbin.find(source.name());
        assertNotNull(shipped);
        Map<String, String> tuned = new LinkedHashMap<>(gpuDefines());
        tuned.put("SMALL_TM", "32");
        String macros = shipped.mismatch(source, tuned);
        assertTrue(macros != null && macros.contains("-DSMALL_TM=64") && macros.contains("-DSMALL_TM=32"), macros);
        ProgramSource edited = new ProgramSource(source.name(), source.text() + "\n// edited\n", null);
        String text = shipped.mismatch(edited, gpuDefines());
        assertTrue(text != null && text.contains("other source text") && text.contains("native/build-cuda.sh"), text);
    }
}

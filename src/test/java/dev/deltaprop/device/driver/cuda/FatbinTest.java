package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FatbinTest {

    /** The committed fatbin (native/build-cuda.sh --prebuilt), which a user without nvcc gets. */
    static final Path PREBUILT = Path.of("native/prebuilt/mlp.fatbin");

    /** A fatbin as nvcc lays it out, with {@code entries[i] = {kind, arch}} and 8-byte payloads. */
    static byte[] synthetic(int[]... entries) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int[] entry : entries) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            header.putShort(0, (short) entry[0]).putShort(2, (short) 0x0101).putInt(4, 64).putLong(8, 8)
                    .putShort(24, (short) 8).putShort(26, (short) 1).putInt(28, entry[1]);
            body.writeBytes(header.array());
            body.writeBytes(new byte[8]);
        }
        ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(0, Fatbin.MAGIC).putShort(4, (short) 1).putShort(6, (short) 16).putLong(8, body.size());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(head.array());
        all.writeBytes(body.toByteArray());
        return all.toByteArray();
    }

    @Test
    void readsKindAndArchitectureOfEachEntry() {
        Fatbin fatbin = Fatbin.parse(synthetic(new int[] {2, 80}, new int[] {2, 86}, new int[] {1, 90}));
        assertEquals(List.of(new Fatbin.Image(Fatbin.Kind.SASS, 80), new Fatbin.Image(Fatbin.Kind.SASS, 86),
                new Fatbin.Image(Fatbin.Kind.PTX, 90)), fatbin.images());
        assertEquals("sm_80 sm_86 compute_90", fatbin.toString());
    }

    @Test
    void knowsWhichDevicesTheImagesRunOn() {
        Fatbin sass = Fatbin.parse(synthetic(new int[] {2, 80}, new int[] {2, 90}));
        assertTrue(sass.runsOn(8, 0));
        assertTrue(sass.runsOn(8, 6), "sm_80 code runs on every 8.x at or above 8.0");
        assertTrue(sass.runsOn(9, 0));
        assertFalse(sass.runsOn(7, 5), "no code for Turing");
        assertFalse(sass.runsOn(10, 0), "machine code never crosses a major version");
        Fatbin ptx = Fatbin.parse(synthetic(new int[] {1, 90}));
        assertTrue(ptx.runsOn(12, 0), "PTX is compiled for anything newer");
        assertFalse(ptx.runsOn(8, 9), "PTX never runs below its target");
    }

    @Test
    void refusesWhatIsNotAFatbin() {
        IllegalArgumentException notOne = assertThrows(IllegalArgumentException.class,
                () -> Fatbin.parse("\u007fELF and more bytes".getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(notOne.getMessage().contains("0xBA55ED50"), notOne.getMessage());
        assertFalse(Fatbin.isFatbin(new byte[3]));
        byte[] whole = synthetic(new int[] {2, 90});
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 4);
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class, () -> Fatbin.parse(truncated));
        assertTrue(cut.getMessage().contains("the image has " + truncated.length), cut.getMessage());
    }

    @Test
    void theCommittedFatbinHoldsEveryPromisedArchitecture() throws IOException {
        assertTrue(Files.isRegularFile(PREBUILT), PREBUILT + " is missing: bash native/build-cuda.sh --prebuilt");
        Fatbin fatbin = Fatbin.parse(Files.readAllBytes(PREBUILT));
        assertEquals("sm_80 sm_86 sm_89 sm_90 compute_90", fatbin.toString());
        // 4 SASS targets + PTX of every family: two GEMM tile classes, split-K reduces, the fused
        // small-MLP and gradient kernels took it from 1.3 to 3.4 MiB, and the update on both tile
        // classes (each inlines the optimizer rule once per accumulator) to 4.4 MiB; the bound
        // keeps growth deliberate
        assertTrue(Files.size(PREBUILT) < 5 << 20, "the committed fatbin should stay under 5 MiB, is " + Files.size(PREBUILT));
    }

    /** The table of contents agrees with NVIDIA's own reader, where the CUDA tools include it. */
    @Test
    void agreesWithCuobjdump() throws Exception {
        Path cuobjdump = findTool("cuobjdump");
        assumeTrue(cuobjdump != null, "cuobjdump not installed (PATH, /usr/local/cuda/bin)");
        Process process = new ProcessBuilder(cuobjdump.toString(), "--list-elf", "--list-ptx", PREBUILT.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, output);
        TreeSet<String> theirs = new TreeSet<>();
        Matcher elf = Pattern.compile("\\.(sm_\\d+)\\.cubin").matcher(output);
        while (elf.find()) {
            theirs.add(elf.group(1));
        }
        Matcher ptx = Pattern.compile("\\.sm_(\\d+)\\.ptx").matcher(output);
        while (ptx.find()) {
            theirs.add("compute_" + ptx.group(1));
        }
        TreeSet<String> ours = new TreeSet<>();
        for (Fatbin.Image image : Fatbin.parse(Files.readAllBytes(PREBUILT)).images()) {
            ours.add(image.toString());
        }
        assertEquals(theirs, ours, output);
        assertTrue(ours.contains("sm_90"));
    }

    static Path findTool(String name) {
        List<Path> candidates = new ArrayList<>();
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!folder.isEmpty()) {
                candidates.add(Path.of(folder, name));
            }
        }
        candidates.add(Path.of("/usr/local/cuda/bin", name));
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}

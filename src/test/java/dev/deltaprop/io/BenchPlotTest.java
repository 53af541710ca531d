package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlotTest {
    @TempDir
    Path folder;

    private static Map<String, Map<String, Double>> rates() {
        Map<String, Map<String, Double>> rates = new LinkedHashMap<>();
        rates.put("reference", new LinkedHashMap<>(Map.of("tiny", 13_000.0)));
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("tiny", 68_000.0);
        cpu.put("mnist", 2_100.0);
        rates.put("cpu", cpu);
        Map<String, Double> opencl = new LinkedHashMap<>();
        opencl.put("tiny", 240_000.0);
        opencl.put("mnist", 9_500.0);
        rates.put("opencl", opencl);
        return rates;
    }

    @Test
    void barsPerBackendAndWorkloadWithASkippedOne() throws IOException {
        Path file = folder.resolve("bench.png");
        BenchPlot.write(file, "test machine", rates());
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(LossPlot.WIDTH, image.getWidth());
        if (System.getenv("DELTAPROP_KEEP_PLOTS") != null) {
            Files.copy(file, Path.of(System.getenv("DELTAPROP_KEEP_PLOTS"), "bench.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path svg = folder.resolve("bench.svg");
        BenchPlot.write(svg, "test machine", rates());
        assertTrue(Files.readString(svg).contains("<svg"));
    }

    @Test
    void rejectsBadRatesByName() {
        Path file = folder.resolve("bench.png");
        Map<String, Map<String, Double>> zero = new LinkedHashMap<>();
        zero.put("cpu", Map.of("tiny", 0.0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchPlot.write(file, "t", zero)).getMessage()
                .startsWith("samplesPerSecond: expected a finite rate > 0, found 0.0 for cpu on tiny"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchPlot.write(file, "t", new LinkedHashMap<>())).getMessage().contains("found none"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BenchPlot.write(folder.resolve("b.jpg"), "t", rates())).getMessage().startsWith("plot file:"));
        assertFalse(Files.exists(file));
    }
}

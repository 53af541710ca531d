package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {
    @TempDir
    Path folder;

    private static List<Double> falling(int epochs, double start, double rate) {
        List<Double> losses = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            losses.add(start * Math.exp(-rate * e) + 1e-4);
        }
        return losses;
    }

    @Test
    void pngIsAPictureOfTheRightSizeWithBothSeriesDrawn() throws IOException {
        Path file = folder.resolve("loss.png");
        LossPlot.write(file, "2-16-1 on sine.csv", falling(40, 1, 0.2), falling(40, 1.2, 0.15));
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(LossPlot.WIDTH, image.getWidth());
        assertEquals(LossPlot.HEIGHT, image.getHeight());
        // XChart's first two series colours: the picture must hold pixels of both lines
        assertTrue(countColoured(image) > 500, "the lines are drawn");
        if (System.getenv("DELTAPROP_KEEP_PLOTS") != null) {
            Files.copy(file, Path.of(System.getenv("DELTAPROP_KEEP_PLOTS"), "loss.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Pixels that are clearly not grey (background, grid, text are grey or white in the default theme). */
    private static int countColoured(BufferedImage image) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    count++;
                }
            }
        }
        return count;
    }

    @Test
    void svgIsAVectorPicture() throws IOException {
        Path file = folder.resolve("loss.SVG");
        LossPlot.write(file, "run", falling(5, 1, 0.5), List.of());
        String svg = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(svg.contains("<svg"), svg.substring(0, Math.min(200, svg.length())));
        assertTrue(svg.strip().endsWith("</svg>"));
    }

    @Test
    void rejectsBadArgumentsByNameAndWritesNothing() {
        Path pdf = folder.resolve("loss.pdf");
        IllegalArgumentException format = assertThrows(IllegalArgumentException.class,
                () -> LossPlot.write(pdf, "t", List.of(1.0), List.of()));
        assertTrue(format.getMessage().startsWith("plot file: expected a name ending in .png or .svg"));
        Path png = folder.resolve("loss.png");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LossPlot.write(png, "t", List.of(), List.of()))
                .getMessage().startsWith("training: expected the loss of at least 1 epoch"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LossPlot.write(png, "t", List.of(1.0, 0.5), List.of(1.0))).getMessage().startsWith("validation:"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LossPlot.write(png, "t", List.of(1.0, Double.NaN), List.of())).getMessage()
                .contains("at epoch 2"));
        assertFalse(Files.exists(png));
    }

    @Test
    void aZeroLossOrANarrowRangeStaysOnALinearAxis() throws IOException {
        assertFalse(LossPlot.chart("t", List.of(1.0, 0.0), List.of()).getStyler().isYAxisLogarithmic());
        assertTrue(LossPlot.chart("t", List.of(1.0, 0.1), List.of()).getStyler().isYAxisLogarithmic());
        assertFalse(LossPlot.chart("t", List.of(2.0e4, 1.4e4), List.of()).getStyler().isYAxisLogarithmic(),
                "less than a decade: linear, as XChart labels a log axis only at powers of ten");
    }
}

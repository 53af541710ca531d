package dev.deltaprop.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the loss per epoch, training and (when given) held-out, as a PNG or SVG picture with
 * <a href="https://knowm.org/open-source/xchart/">XChart</a>. The loss axis is logarithmic when
 * every loss is positive and they span at least a factor of ten, because a loss that falls from
 * 1 to 10⁻⁴ is a straight line there and a flat one on a linear axis. The file is written whole or not at all ({@link AtomicFile}).
 */
public final class LossPlot {
    /** Width and height in pixels (PNG) or points (SVG). */
    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    private LossPlot() {
    }

    /** The picture formats, chosen by the file name's ending. */
    enum Format {
        PNG, SVG;

        static Format of(Path file) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".png")) {
                return PNG;
            }
            if (name.endsWith(".svg")) {
                return SVG;
            }
            throw new IllegalArgumentException("plot file: expected a name ending in .png or .svg, found " + file);
        }
    }

    /**
     * Writes the picture.
     *
     * @param file       ends in {@code .png} or {@code .svg}
     * @param title      the chart's title (the run: network, data, backend)
     * @param training   the training loss of epochs 1, 2, …: the mean per sample of {@code E = ½ Σ_j (y_j − d_j)²}
     * @param validation the held-out loss of the same epochs, or an empty list
     * @throws IllegalArgumentException naming the argument for another ending, no epochs, lists of
     *                                  different lengths, or a loss that is not finite
     * @throws IOException              if the file cannot be written (the previous file, if any, is kept)
     */
    public static void write(Path file, String title, List<Double> training, List<Double> validation)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(title, "title");
        Format format = Format.of(file);
        AtomicFile.write(file, encode(chart(title, training, validation), format));
    }

    /**
     * Checks that {@code file} names a format this class writes, so that a command can refuse a
     * bad name before it trains.
     *
     * @param file the picture's file name
     * @throws IllegalArgumentException when the name does not end in {@code .png} or {@code .svg}
     */
    public static void checkFileName(Path file) {
        Format.of(Objects.requireNonNull(file, "file"));
    }

    static XYChart chart(String title, List<Double> training, List<Double> validation) {
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(validation, "validation");
        if (training.isEmpty()) {
            throw new IllegalArgumentException("training: expected the loss of at least 1 epoch, found none");
        }
        if (!validation.isEmpty() && validation.size() != training.size()) {
            throw new IllegalArgumentException("validation: expected " + training.size()
                    + " losses, one per epoch like training, found " + validation.size());
        }
        boolean positive = finitePositive("training", training) & finitePositive("validation", validation);
        // XChart labels a logarithmic axis at powers of ten: on a range narrower than a decade it
        // would draw the lines against misleading labels, so such a range stays linear
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (List<Double> series : List.of(training, validation)) {
            for (double loss : series) {
                min = Math.min(min, loss);
                max = Math.max(max, loss);
            }
        }
        boolean logarithmic = positive && max >= 10 * min;
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle("loss, mean ½ Σ (y − d)² per sample").build();
        chart.getStyler().setYAxisLogarithmic(logarithmic);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(training.size() <= 50 ? 5 : 0);
        chart.getStyler().setXAxisDecimalPattern("#");
        double[] epochs = new double[training.size()];
        for (int k = 0; k < epochs.length; k++) {
            epochs[k] = k + 1;
        }
        XYSeries train = chart.addSeries("training", epochs, values(training));
        train.setMarker(SeriesMarkers.CIRCLE);
        if (!validation.isEmpty()) {
            XYSeries held = chart.addSeries("validation (held out)", epochs, values(validation));
            held.setMarker(SeriesMarkers.DIAMOND);
        }
        return chart;
    }

    static byte[] encode(XYChart chart, Format format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (format == Format.PNG) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } else {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
        return out.toByteArray();
    }

    private static boolean finitePositive(String name, List<Double> losses) {
        boolean positive = true;
        for (int k = 0; k < losses.size(); k++) {
            Double loss = losses.get(k);
            if (loss == null || !Double.isFinite(loss)) {
                throw new IllegalArgumentException(name + ": expected a finite loss for every epoch, found " + loss
                        + " at epoch " + (k + 1));
            }
            positive &= loss > 0;
        }
        return positive;
    }

    private static double[] values(List<Double> losses) {
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

package dev.deltaprop.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

/**
 * Draws benchmark throughput as grouped bars: one group per workload, one bar per backend, the
 * height samples trained per second. The axis is logarithmic, because the reference oracle and a
 * GPU differ by orders of magnitude and a linear axis would show only the fastest bar. PNG or SVG
 * by the file name, written whole or not at all, like {@link LossPlot}.
 */
public final class BenchPlot {
    private BenchPlot() {
    }

    /**
     * Writes the picture.
     *
     * @param file              ends in {@code .png} or {@code .svg}
     * @param title             the chart's title (machine, date)
     * @param samplesPerSecond  backend → (workload → samples/s), each finite and {@code > 0}; a workload a
     *                          backend skipped is simply absent
     * @throws IllegalArgumentException naming the argument for another file ending, no results, or a
     *                                  rate that is not a finite positive number
     * @throws IOException              if the file cannot be written (a previous file is kept)
     */
    public static void write(Path file, String title, Map<String, Map<String, Double>> samplesPerSecond)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(title, "title");
        LossPlot.Format format = LossPlot.Format.of(file);
        AtomicFile.write(file, encode(chart(title, samplesPerSecond), format));
    }

    static CategoryChart chart(String title, Map<String, Map<String, Double>> samplesPerSecond) {
        Objects.requireNonNull(samplesPerSecond, "samplesPerSecond");
        List<String> workloads = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> backend : samplesPerSecond.entrySet()) {
            for (Map.Entry<String, Double> rate : backend.getValue().entrySet()) {
                Double value = rate.getValue();
                if (value == null || !Double.isFinite(value) || !(value > 0)) {
                    throw new IllegalArgumentException("samplesPerSecond: expected a finite rate > 0, found " + value
                            + " for " + backend.getKey() + " on " + rate.getKey());
                }
                if (!workloads.contains(rate.getKey())) {
                    workloads.add(rate.getKey());
                }
            }
        }
        if (workloads.isEmpty()) {
            throw new IllegalArgumentException("samplesPerSecond: expected at least one measured workload, found none");
        }
        CategoryChart chart = new CategoryChartBuilder().width(LossPlot.WIDTH).height(LossPlot.HEIGHT).title(title)
                .xAxisTitle("workload").yAxisTitle("samples/s (training steps)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        // bars grow from the axis' bottom: on a log axis that must be a positive decade below the slowest rate
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(slowest(samplesPerSecond)))));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsRotation(0);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        for (Map.Entry<String, Map<String, Double>> backend : samplesPerSecond.entrySet()) {
            // XChart draws every series over the same categories: a skipped workload is a null, drawn as a gap
            List<Double> rates = new ArrayList<>();
            for (String workload : workloads) {
                rates.add(backend.getValue().get(workload));
            }
            if (rates.stream().anyMatch(Objects::nonNull)) {
                chart.addSeries(backend.getKey(), workloads, rates);
            }
        }
        chart.getStyler().setOverlapped(false);
        return chart;
    }

    private static double slowest(Map<String, Map<String, Double>> samplesPerSecond) {
        return samplesPerSecond.values().stream().flatMap(rates -> rates.values().stream())
                .mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    static byte[] encode(CategoryChart chart, LossPlot.Format format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (format == LossPlot.Format.PNG) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } else {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
        return out.toByteArray();
    }
}

package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.io.NpyArray;
import dev.deltaprop.io.NpyReader;
import dev.deltaprop.io.NpyWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --x/--d/--validation/--plot} and {@code predict --x/--output}, end to end. */
class NpyPlotCliTest {
    @TempDir
    Path folder;

    private static final int SAMPLES = 40;

    /** d = 0.3 x1 − 0.2 x2 + 0.1 on a grid; x as (N, 2), d as (N,) to exercise the 1-D form. */
    private Path[] npyData() throws IOException {
        float[] x = new float[2 * SAMPLES];
        float[] d = new float[SAMPLES];
        StringBuilder csv = new StringBuilder();
        for (int s = 0; s < SAMPLES; s++) {
            x[2 * s] = -1 + 0.05f * s;
            x[2 * s + 1] = (float) Math.sin(s);
            d[s] = 0.3f * x[2 * s] - 0.2f * x[2 * s + 1] + 0.1f;
            csv.append(String.format(Locale.ROOT, "%s,%s%n", x[2 * s], x[2 * s + 1]));
        }
        Path xs = folder.resolve("x.npy");
        Path ds = folder.resolve("d.npy");
        Path inputs = folder.resolve("x.csv");
        NpyWriter.write(xs, new NpyArray(x, SAMPLES, 2));
        NpyWriter.write(ds, new NpyArray(d, SAMPLES));
        Files.writeString(inputs, csv);
        return new Path[] {xs, ds, inputs};
    }

    @Test
    void trainOnNpyWithValidationAndPlotThenPredictToNpy() throws IOException {
        Path[] data = npyData();
        Path model = folder.resolve("m.json");
        Path plot = folder.resolve("loss.png");
        Cli train = Cli.run("train", "--x", data[0].toString(), "--d", data[1].toString(), "--layers", "2-3-1",
                "--epochs", "30", "--batch", "4", "--lr", "0.1", "--validation", "0.25", "--backend", "reference",
                "--plot", plot.toString(), "--save", model.toString());
        assertEquals(0, train.exitCode, train.toString());
        assertTrue(train.out.contains("validation: 10 samples held out, training on 30"), train.out);
        assertTrue(train.out.contains("data " + data[0] + " and " + data[1] + ": 40 samples"), train.out);
        assertTrue(train.out.matches("(?s).*epoch 30/30  loss \\S+  \\(\\d+ samples/s\\)  validation \\S+\\n.*"),
                train.out);
        assertTrue(train.out.contains(", validation loss "), train.out);
        assertTrue(train.out.contains("plot " + plot), train.out);
        BufferedImage image = ImageIO.read(plot.toFile());
        assertEquals(800, image.getWidth());

        Path y = folder.resolve("y.npy");
        Cli predict = Cli.run("predict", "--model", model.toString(), "--x", data[0].toString(), "--output",
                y.toString(), "--backend", "reference");
        assertEquals(0, predict.exitCode, predict.toString());
        NpyArray outputs = NpyReader.read(y);
        assertArrayEquals(new int[] {SAMPLES, 1}, outputs.shape());

        Cli csv = Cli.run("predict", "--model", model.toString(), "--data", data[2].toString(), "--backend",
                "reference");
        assertEquals(0, csv.exitCode, csv.toString());
        String[] lines = csv.outLines();
        float[] values = outputs.values();
        for (int s = 0; s < SAMPLES; s++) {
            assertEquals(Float.parseFloat(lines[s + 1]), values[s], 0f, "row " + s + ": .npy and CSV agree");
        }
    }

    /** The README's session on the shipped data set, with the model and plot in a temporary folder. */
    @Test
    void readmeDiabetesSession() throws IOException {
        Path model = folder.resolve("diabetes.json");
        Path plot = folder.resolve("loss.svg");
        Cli train = Cli.run("train", "--data", "data/diabetes.csv", "--layers", "10-8-1", "--standardize",
                "--validation", "0.2", "--epochs", "100", "--batch", "16", "--lr", "0.01", "--plot", plot.toString(),
                "--save", model.toString());
        assertEquals(0, train.exitCode, train.toString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "held out \\(88 samples\\), in the units of d: mean absolute error (\\S+), RMS error (\\S+)")
                .matcher(train.out);
        assertTrue(m.find(), train.out);
        // always guessing the mean is about 64 progression points off on this data; the fit must beat it clearly
        assertTrue(Double.parseDouble(m.group(1)) < 55, train.out);
        assertTrue(Files.readString(plot).contains("<svg"));

        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", "data/diabetes.csv");
        assertEquals(0, predict.exitCode, predict.toString());
        assertEquals(443, predict.outLines().length, "a header and one output per patient");
        double first = Double.parseDouble(predict.outLines()[1]);
        assertTrue(first > 25 && first < 346, "in the range of the progression score: " + first);
    }

    /** bench over two backends, one after the other, and their samples/s drawn as bars. */
    @Test
    void benchTwoBackendsWithAPlot() throws IOException {
        Path plot = folder.resolve("bench.png");
        Cli bench = Cli.run("bench", "--backend", "reference,cpu", "--workload", "tiny", "--warmup", "0", "--steps", "1",
                "--profiled-steps", "0", "--plot", plot.toString());
        assertEquals(0, bench.exitCode, bench.toString());
        assertTrue(bench.out.contains("backend    reference"), bench.out);
        assertTrue(bench.out.contains("backend    cpu"), bench.out);
        assertTrue(bench.out.contains("plot " + plot), bench.out);
        assertEquals(800, ImageIO.read(plot.toFile()).getWidth());
        assertError("deltaprop bench: plot file: expected a name ending in .png or .svg, found b.pdf",
                "bench", "--backend", "reference", "--plot", "b.pdf");
    }

    @Test
    void standardizeRefusals() throws IOException {
        Path[] data = npyData();
        String save = folder.resolve("m.json").toString();
        assertError("deltaprop train: --standardize: expected the identity output activation (the teacher's scaling"
                + " folds into it), found sigmoid", "train", "--x", data[0].toString(), "--d", data[1].toString(),
                "--layers", "2-1", "--output-activation", "sigmoid", "--standardize", "--save", save);
    }

    @Test
    void refusalsAreOneLineBeforeAnyWork() throws IOException {
        Path[] data = npyData();
        String save = folder.resolve("m.json").toString();
        String x = data[0].toString();
        String d = data[1].toString();
        assertError("deltaprop train: --validation: expected a share of the samples between 0 and 1 (exclusive), found 1.5",
                "train", "--x", x, "--d", d, "--layers", "2-1", "--validation", "1.5", "--save", save);
        assertError("deltaprop train: plot file: expected a name ending in .png or .svg, found ",
                "train", "--x", x, "--d", d, "--layers", "2-1", "--plot", "loss.gif", "--save", save);
        assertError("deltaprop train: --data F.csv or --x X.npy --d D.npy: expected one of them, found --x without --d",
                "train", "--x", x, "--layers", "2-1", "--save", save);
        assertError("deltaprop train: --data or --x/--d: expected one source of samples, found both",
                "train", "--data", data[2].toString(), "--x", x, "--d", d, "--layers", "2-1", "--save", save);
        assertError("deltaprop train: " + x + ": expected x of shape (N, 3) to fit the network, found (40, 2)",
                "train", "--x", x, "--d", d, "--layers", "3-1", "--save", save);
        assertFalse(Files.exists(Path.of(save)));
        assertError("deltaprop predict: --output: expected a file name ending in .npy, found y.csv",
                "predict", "--model", save, "--x", x, "--output", "y.csv");
        assertError("deltaprop predict: --data F.csv or --x X.npy: expected one of them, found neither",
                "predict", "--model", save);
    }

    private static void assertError(String expectedStart, String... args) {
        Cli cli = Cli.run(args);
        assertEquals(1, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.strip().split("\n").length, "one line: " + cli.err);
        assertTrue(cli.err.startsWith(expectedStart), "expected\n  " + expectedStart + "\nfound\n  " + cli.err);
    }
}

package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.io.IdxFiles;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.io.NpyArray;
import dev.deltaprop.io.NpyReader;
import dev.deltaprop.io.NpyWriter;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} and {@code predict --classes} on models whose outputs are worked out by hand,
 * from CSV, NumPy and IDX files; {@code train} on IDX files.
 */
class EvaluateCliTest {
    @TempDir
    Path folder;

    /**
     * A 2-3 softmax classifier: {@code u = (x1, x2, 0.5)}, so the class is 0 when x1 leads, 1 when x2
     * does, 2 when both are below 0.5.
     */
    private Path classifier() throws IOException {
        Network network = new Network(List.of(new Layer(2, 3, Activation.SOFTMAX,
                new float[] {1, 0, 0, 0, 1, 0}, new float[] {0, 0, 0.5f})), Loss.CROSS_ENTROPY);
        Path model = folder.resolve("classifier.json");
        ModelFiles.save(network, model);
        return model;
    }

    /**
     * Inputs (2,0) (0,2) (0,0) (1,0): predicted 0 1 2 0; labels 0 1 2 2. Accuracy 3/4; class 0
     * precision 1/2, recall 1; class 2 precision 1, recall 1/2.
     */
    private Path labelled() throws IOException {
        Path data = folder.resolve("labelled.csv");
        Files.writeString(data, "x1,x2,class\n2,0,0\n0,2,1\n0,0,2\n1,0,2\n");
        return data;
    }

    @Test
    void evaluatePrintsAccuracyConfusionAndPerClassFigures() throws IOException {
        Cli run = Cli.run("evaluate", "--model", classifier().toString(), "--data", labelled().toString(),
                "--backend", "reference");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("data " + folder.resolve("labelled.csv") + ": 4 samples\n"), run.out);
        assertTrue(run.out.contains("accuracy 0.7500 (3 of 4)\n"), run.out);
        assertTrue(run.out.contains("actual\\predicted 0 1 2\n"
                + "               0 1 0 0\n"
                + "               1 0 1 0\n"
                + "               2 1 0 1\n"), run.out);
        assertTrue(run.out.contains("    0     0.5000  1.0000        1\n"), run.out);
        assertTrue(run.out.contains("    2     1.0000  0.5000        2\n"), run.out);
    }

    @Test
    void predictClassesWritesTheArgmaxAsCsvOrInt32Npy() throws IOException {
        Path model = classifier();
        Cli csv = Cli.run("predict", "--model", model.toString(), "--data", labelled().toString(), "--classes",
                "--backend", "reference");
        assertEquals(0, csv.exitCode, csv.toString());
        assertEquals("class\n0\n1\n2\n0\n", csv.out);
        Path out = folder.resolve("classes.npy");
        Cli npy = Cli.run("predict", "--model", model.toString(), "--data", labelled().toString(), "--classes",
                "--output", out.toString(), "--backend", "reference");
        assertEquals(0, npy.exitCode, npy.toString());
        assertTrue(npy.out.contains("wrote " + out + ": 4 int32 classes"), npy.out);
        assertTrue(new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1).contains("'<i4'"));
        NpyArray back = NpyReader.read(out);
        assertArrayEquals(new int[] {4}, back.shape());
        assertArrayEquals(new float[] {0, 1, 2, 0}, back.values());
    }

    @Test
    void severalSigmoidOutputsGiveOneDecisionPerOutput() throws IOException {
        // y = sigmoid(x1 − 1), sigmoid(x2 − 1): yes when the input exceeds 1
        Network network = new Network(List.of(new Layer(2, 2, Activation.SIGMOID, new float[] {1, 0, 0, 1},
                new float[] {-1, -1})), Loss.CROSS_ENTROPY);
        Path model = folder.resolve("tags.json");
        ModelFiles.save(network, model);
        Path data = folder.resolve("tags.csv");
        Files.writeString(data, "2,0,1,0\n0,3,0,0\n");
        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--classes",
                "--backend", "reference");
        assertEquals("class1,class2\n1,0\n0,1\n", predict.out, predict.toString());
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--backend", "reference");
        assertEquals(0, evaluate.exitCode, evaluate.toString());
        assertTrue(evaluate.out.contains("output 0 (class 1 when y ≥ 0.5)\naccuracy 1.0000 (2 of 2)"), evaluate.out);
        assertTrue(evaluate.out.contains("output 1 (class 1 when y ≥ 0.5)\naccuracy 0.5000 (1 of 2)"), evaluate.out);
    }

    @Test
    void evaluateARegressionFromNpyFiles() throws IOException {
        // y = 2x; x 1 2 3, d 2 4 7: errors 0 0 1, MAE 1/3, RMSE √(1/3); d̄ = 13/3, Σ(d − d̄)² = 38/3, R² = 1 − 3/38
        Network network = new Network(List.of(new Layer(1, 1, Activation.IDENTITY, new float[] {2}, new float[] {0})));
        Path model = folder.resolve("line.json");
        ModelFiles.save(network, model);
        Path x = folder.resolve("x.npy");
        Path d = folder.resolve("d.npy");
        NpyWriter.write(x, new NpyArray(new float[] {1, 2, 3}, 3));
        NpyWriter.write(d, new NpyArray(new float[] {2, 4, 7}, 3, 1));
        Cli run = Cli.run("evaluate", "--model", model.toString(), "--x", x.toString(), "--d", d.toString(),
                "--backend", "reference");
        assertEquals(0, run.exitCode, run.toString());
        assertTrue(run.out.contains("samples 3, outputs 1\nMAE 0.333333  RMSE 0.577350  R² "
                + String.format(java.util.Locale.ROOT, "%.6f", 1 - 3.0 / 38)), run.out);
        Cli classes = Cli.run("evaluate", "--model", model.toString(), "--x", x.toString(), "--d", d.toString(),
                "--as", "classes", "--backend", "reference");
        assertTrue(classes.out.contains("accuracy 1.0000 (3 of 3)"), classes.toString());
        Cli bad = Cli.run("evaluate", "--model", model.toString(), "--x", x.toString(), "--d", d.toString(), "--as", "loss");
        assertEquals(1, bad.exitCode);
        assertEquals("deltaprop evaluate: --as: expected classes or regression, found 'loss'\n", bad.err);
    }

    @Test
    void trainAndEvaluateOnIdxFilesAsMnistShipsThem() throws IOException {
        Path images = folder.resolve("train-images-idx3-ubyte.gz");
        Path labels = folder.resolve("train-labels-idx1-ubyte.gz");
        IdxFiles.writeBars(images, labels, 40);
        Path model = folder.resolve("bars.json");
        Cli train = Cli.run("train", "--x", images.toString(), "--d", labels.toString(), "--layers", "4-2",
                "--output-activation", "softmax", "--epochs", "60", "--batch", "4", "--lr", "0.5", "--backend",
                "reference", "--save", model.toString());
        assertEquals(0, train.exitCode, train.toString());
        assertTrue(train.out.contains(": 40 samples"), train.out);
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--x", images.toString(), "--d",
                labels.toString(), "--backend", "reference");
        assertEquals(0, evaluate.exitCode, evaluate.toString());
        assertTrue(evaluate.out.contains("accuracy 1.0000 (40 of 40)"), evaluate.out);
        Cli predict = Cli.run("predict", "--model", model.toString(), "--x", images.toString(), "--classes",
                "--backend", "reference");
        assertEquals(0, predict.exitCode, predict.toString());
        assertEquals("class\n" + "0\n1\n".repeat(20), predict.out, "the bars alternate, class 0 first");
    }

    @Test
    void aBadLabelFailsTheCommandNamingLineAndColumn() throws IOException {
        Path data = folder.resolve("bad.csv");
        Files.writeString(data, "2,0,0\n0,2,1.5\n");
        Cli run = Cli.run("evaluate", "--model", classifier().toString(), "--data", data.toString(), "--backend", "reference");
        assertEquals(1, run.exitCode);
        assertEquals("deltaprop evaluate: " + data + " line 2, column 3: expected a class index, a whole number 0..2"
                + " (the one teacher column for a softmax output of 3 units), found '1.5'\n", run.err);
    }
}

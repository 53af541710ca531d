package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deltaprop export} writes ONNX, and {@code predict --model} and {@code train --init} take an
 * ONNX file where they take a JSON one, with the same results.
 */
class CliOnnxTest {
    @TempDir
    Path folder;

    @Test
    void exportThenPredictFromOnnxGivesTheSameOutputs() throws IOException {
        Path json = folder.resolve("m.json");
        ModelFiles.save(Network.builder(2).layer(4, Activation.TANH).layer(1, Activation.SIGMOID).build(9), json);
        Path onnx = folder.resolve("m.onnx");
        Cli export = Cli.run("export", "--model", json.toString(), "--onnx", onnx.toString());
        assertEquals(0, export.exitCode, export.toString());
        assertTrue(export.out.startsWith("wrote " + onnx + " ("), export.out);
        assertTrue(export.out.contains("ONNX IR version 8, opset 17; network 2-4-1"), export.out);
        assertTrue(export.out.contains("input x [batch, 2], output y [batch, 1], float32"), export.out);
        assertEquals(ModelFiles.load(json), ModelFiles.readOnnx(onnx));

        Path data = folder.resolve("x.csv");
        Files.writeString(data, "x1,x2\n0,0\n0.5,-1\n3,2\n");
        Cli fromJson = Cli.run("predict", "--model", json.toString(), "--data", data.toString(), "--backend", "cpu");
        Cli fromOnnx = Cli.run("predict", "--model", onnx.toString(), "--data", data.toString(), "--backend", "cpu");
        assertEquals(0, fromOnnx.exitCode, fromOnnx.toString());
        assertEquals(fromJson.out, fromOnnx.out);
        assertEquals(4, fromOnnx.outLines().length, fromOnnx.out);
    }

    @Test
    void trainStartsFromATorchModel() throws IOException {
        Path init = folder.resolve("linear_relu_sigmoid.onnx");
        try (InputStream in = CliOnnxTest.class.getResourceAsStream("/onnx/linear_relu_sigmoid.onnx")) {
            Files.write(init, in.readAllBytes());
        }
        StringBuilder csv = new StringBuilder();
        for (int s = 0; s < 8; s++) {
            csv.append(s % 3).append(',').append(s % 2).append(",0.5,1,-1,").append(s % 2).append(',').append(1 - s % 2).append('\n');
        }
        Path data = folder.resolve("d.csv");
        Files.writeString(data, csv);
        Path saved = folder.resolve("trained.json");
        Cli train = Cli.run("train", "--data", data.toString(), "--init", init.toString(), "--epochs", "2", "--batch", "4",
                "--backend", "reference", "--save", saved.toString());
        assertEquals(0, train.exitCode, train.toString());
        Network start = ModelFiles.readOnnx(init);
        Network trained = ModelFiles.load(saved);
        assertEquals(start.shape(), trained.shape());
        assertTrue(!start.equals(trained), "two epochs changed the weights");

        Cli notOnnx = Cli.run("export", "--model", saved.toString(), "--onnx", folder.resolve("m.pb").toString());
        assertEquals(1, notOnnx.exitCode, notOnnx.toString());
        assertEquals("deltaprop export: --onnx: expected a file name ending in .onnx, found " + folder.resolve("m.pb") + "\n",
                notOnnx.err);
    }
}

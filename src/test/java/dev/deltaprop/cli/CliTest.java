package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end, in-process. */
class CliTest {
    @TempDir
    Path folder;

    /** y = x1 − 2·x2 + 0.5 on a small grid: a linear fit a 2-3-1 tanh net learns quickly. */
    private Path linearData() throws IOException {
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int a = 0; a < 6; a++) {
            for (int b = 0; b < 5; b++) {
                double x1 = -1 + 0.4 * a;
                double x2 = -1 + 0.5 * b;
                csv.append(String.format(Locale.ROOT, "%s,%s,%s%n", (float) x1, (float) x2, (float) (0.3 * x1 - 0.2 * x2 + 0.1)));
            }
        }
        Path data = folder.resolve("train.csv");
        Files.writeString(data, csv);
        return data;
    }

    @Test
    void trainThenPredict() throws IOException {
        Path data = linearData();
        Path model = folder.resolve("model.json");
        Cli train = Cli.run("train", "--data", data.toString(), "--layers", "2-3-1", "--activation", "tanh",
                "--epochs", "200", "--batch", "4", "--lr", "0.1", "--seed", "3", "--backend", "reference",
                "--save", model.toString());
        assertEquals(0, train.exitCode, train.toString());
        assertEquals("", train.err);
        assertTrue(train.out.contains("backend: using reference"), train.out);
        assertTrue(train.out.contains("epoch 1/200  loss "), train.out);
        assertTrue(train.out.contains("epoch 200/200  loss "), train.out);
        double last = lossOf(train.out, 200);
        assertTrue(lossOf(train.out, 1) > 5 * last && last < 1e-3, "the loss falls: " + train.out);

        Network network = ModelFiles.load(model);
        assertEquals("2-3-1", network.shape());

        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--backend", "reference");
        assertEquals(0, predict.exitCode, predict.toString());
        String[] lines = predict.outLines();
        assertEquals("y1", lines[0]);
        assertEquals(31, lines.length);
        // the printed outputs are exactly what the saved model computes, and they fit the teacher
        ReferenceBackend reference = new ReferenceBackend();
        reference.load(network);
        String[] rows = Files.readAllLines(data).toArray(new String[0]);
        for (int s = 1; s <= 30; s++) {
            String[] fields = rows[s].split(",");
            float[] x = {Float.parseFloat(fields[0]), Float.parseFloat(fields[1])};
            float y = Float.parseFloat(lines[s]);
            assertEquals(reference.predict(x, 1)[0], y, 0f, "row " + s);
            assertEquals(Float.parseFloat(fields[2]), y, 0.1, "row " + s);
        }
    }

    private static double lossOf(String out, int epoch) {
        var m = Pattern.compile("epoch " + epoch + "/\\d+  loss (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void trainWithAutoReportsTheChoice() throws IOException {
        Cli train = Cli.run("train", "--data", linearData().toString(), "--layers", "2-1", "--epochs", "1",
                "--save", folder.resolve("m.json").toString());
        assertEquals(0, train.exitCode, train.toString());
        for (String line : Backends.select("auto").report()) {
            assertTrue(train.out.contains("backend: " + line), line + "\n" + train.out);
        }
    }

    @Test
    void gradcheckEndsWithTheMaximumInScientificNotation() {
        Cli check = Cli.run("gradcheck", "--layers", "6-5-3");
        assertEquals(0, check.exitCode, check.toString());
        String[] lines = check.outLines();
        String last = lines[lines.length - 1];
        assertTrue(last.matches("max relative error \\d\\.\\d{3}e[-+]\\d+"), last);
        assertTrue(Double.parseDouble(last.substring("max relative error ".length())) < 1e-6, last);
        assertTrue(check.out.contains("layer 1 (6→5 tanh): relative error "), check.out);
        assertTrue(check.out.contains("layer 2 (5→3 identity): relative error "), check.out);
    }

    /** Both cross-entropy pairings: one-hot teachers under softmax, probabilities under sigmoid; a bad pairing is refused. */
    @Test
    void gradcheckChecksCrossEntropy() {
        Cli softmax = Cli.run("gradcheck", "--layers", "6-5-4", "--output-activation", "softmax");
        assertEquals(0, softmax.exitCode, softmax.toString());
        assertTrue(softmax.out.contains("layer 2 (5→4 softmax): relative error "), softmax.out);
        assertTrue(softmax.out.contains("cross_entropy"), softmax.out);
        Cli sigmoid = Cli.run("gradcheck", "--layers", "6-5-3", "--output-activation", "sigmoid", "--loss", "cross_entropy");
        assertEquals(0, sigmoid.exitCode, sigmoid.toString());
        assertTrue(sigmoid.out.contains("sigmoid] cross_entropy"), sigmoid.out);
        Cli refused = Cli.run("gradcheck", "--layers", "6-5-3", "--loss", "cross_entropy");
        assertEquals(1, refused.exitCode, refused.toString());
        assertTrue(refused.err.contains("cross_entropy expects a softmax or sigmoid output, found identity"), refused.err);
    }

    @Test
    void devicesListsEveryBackend() {
        Cli devices = Cli.run("devices");
        assertEquals(0, devices.exitCode, devices.toString());
        for (String name : Backends.NAMES) {
            String reason = name.equals("auto") ? null : Backends.unavailableReason(name);
            String expected = reason == null ? "can start" : "cannot start: " + reason;
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(name) + " +" + Pattern.quote(expected)).matcher(devices.out).find(),
                    name + "\n" + devices.out);
        }
    }

    @Test
    void errorsAreOneLineOnStandardErrorWithANonZeroExit() throws IOException {
        Path data = linearData();
        String save = folder.resolve("out.json").toString();
        assertError("deltaprop train: --activation: unknown activation 'swish': expected one of identity, sigmoid, tanh, relu, leaky_relu, softplus",
                "train", "--data", data.toString(), "--layers", "2-4-1", "--activation", "swish", "--save", save);
        assertError("deltaprop train: --layers: expected widths like 2-16-1 (the input width, then each layer's, every one ≥ 1), found '2-0-1'",
                "train", "--data", data.toString(), "--layers", "2-0-1", "--save", save);
        assertError("deltaprop train: learningRate: expected a finite number > 0, found NaN",
                "train", "--data", data.toString(), "--layers", "2-1", "--lr", "NaN", "--save", save);
        assertError("deltaprop train: epochs: expected at least 1, found 0",
                "train", "--data", data.toString(), "--layers", "2-1", "--epochs", "0", "--save", save);
        assertError("deltaprop train: " + data + " line 2: expected 4 columns (3 inputs + 1 outputs), found 3",
                "train", "--data", data.toString(), "--layers", "3-1", "--save", save);
        assertError("deltaprop train: --layers or --init: expected one of them, found neither",
                "train", "--data", data.toString(), "--save", save);
        assertError("deltaprop train: backend: unknown name 'gpu', expected one of reference, cpu, opencl, cuda, opencl-lwjgl, cuda-lwjgl, auto",
                "train", "--data", data.toString(), "--layers", "2-1", "--backend", "gpu", "--save", save);
        Path init = folder.resolve("init.json");
        ModelFiles.save(dev.deltaprop.model.Network.builder(2).layer(1, dev.deltaprop.model.Activation.TANH).build(1), init);
        assertError("deltaprop train: --layers/--activation/--output-activation: not allowed with --init",
                "train", "--data", data.toString(), "--init", init.toString(), "--layers", "2-1", "--save", save);
        Path corrupt = folder.resolve("corrupt.json");
        Files.writeString(corrupt, "{\"format\": \"deltaprop-mlp\", \"version\": 1, \"loss\": \"squared_error\", \"layers\": [{\"inputs\": 2, \"outputs\": 1, \"activation\": \"tanh\", \"weights\": [[0], [1]");
        assertError("deltaprop predict: " + corrupt + ": layers[0].weights[2]: truncated: the file ends here (line 1, column 149)",
                "predict", "--model", corrupt.toString(), "--data", data.toString());
        assertError("deltaprop predict: " + folder.resolve("nope.json") + ": no such file",
                "predict", "--model", folder.resolve("nope.json").toString(), "--data", data.toString());
        Cli missing = Cli.run("train", "--data", data.toString());
        assertEquals(2, missing.exitCode);
        assertEquals(1, missing.err.strip().split("\n").length, missing.err);
        assertTrue(missing.err.startsWith("deltaprop train: Missing required option: '--save=OUT.json'"), missing.err);
        assertTrue(Files.notExists(folder.resolve("out.json")), "nothing saved by a failed run");
    }

    private static void assertError(String expectedStart, String... args) {
        Cli cli = Cli.run(args);
        assertEquals(1, cli.exitCode, cli.toString());
        assertEquals(1, cli.err.strip().split("\n").length, "one line: " + cli.err);
        assertTrue(cli.err.startsWith(expectedStart), "expected\n  " + expectedStart + "\nfound\n  " + cli.err);
    }
}

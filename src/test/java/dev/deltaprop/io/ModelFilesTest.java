package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files: the format as the issue writes it, bit-exact round trips, every refusal, atomic saves. */
class ModelFilesTest {
    @TempDir
    Path folder;

    static final String TWO_LAYERS = "{\"format\": \"deltaprop-mlp\", \"version\": 1, \"loss\": \"squared_error\",\n"
            + " \"layers\": [{\"inputs\": 2, \"outputs\": 3, \"activation\": \"tanh\",\n"
            + "             \"weights\": [[0.1, 0.2, 0.3], [1.5, -2, 3e-2], [4, 5, 6]]},\n"
            + "            {\"inputs\": 3, \"outputs\": 1, \"activation\": \"identity\",\n"
            + "             \"weights\": [[-1], [1], [2], [3]]}]}";

    @Test
    void readsTheIssuesExampleWithRowZeroAsTheBias() throws IOException {
        Network network = ModelReader.read(new StringReader(TWO_LAYERS));
        assertEquals("2-3-1", network.shape());
        Layer first = network.layer(0);
        assertEquals(Activation.TANH, first.activation());
        assertEquals(0.2f, first.bias(1));
        // row i of the file is w^l_ij: row 1 → i = 0 here (0-based), row 2 → i = 1
        assertEquals(1.5f, first.weight(0, 0));
        assertEquals(0.03f, first.weight(0, 2));
        assertEquals(6f, first.weight(1, 2));
        assertEquals(-1f, network.layer(1).bias(0));
        assertEquals(3f, network.layer(1).weight(2, 0));
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        List<Layer> layers = new ArrayList<>();
        int[] widths = {7, 33, 1, 4};
        Activation[] activations = {Activation.LEAKY_RELU, Activation.SOFTPLUS, Activation.SIGMOID};
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, 1f / 3, (float) Math.PI, 1e-38f, 16777217f, 0.1f};
        int used = 0;
        for (int l = 0; l < 3; l++) {
            float[] w = new float[widths[l] * widths[l + 1]];
            for (int k = 0; k < w.length; k++) {
                // special values first, then random bit patterns that are finite floats
                w[k] = used < special.length ? special[used++] : randomFinite(random);
            }
            float[] b = new float[widths[l + 1]];
            for (int j = 0; j < b.length; j++) {
                b[j] = randomFinite(random);
            }
            layers.add(new Layer(widths[l], widths[l + 1], activations[l], w, b));
        }
        Network network = new Network(layers);
        Path file = folder.resolve("model.json");
        ModelFiles.save(network, file);
        Network back = ModelFiles.load(file);
        for (int l = 0; l < 3; l++) {
            assertBits(network.layer(l).weights(), back.layer(l).weights(), "layer " + l + " weights");
            assertBits(network.layer(l).bias(), back.layer(l).bias(), "layer " + l + " bias");
            assertEquals(network.layer(l).activation(), back.layer(l).activation());
        }
        assertEquals(network, back);
        // and a second save of what was read gives the same text
        Path again = folder.resolve("again.json");
        ModelFiles.save(back, again);
        assertEquals(Files.readString(file), Files.readString(again));
    }

    private static float randomFinite(SplittableRandom random) {
        while (true) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (Float.isFinite(f)) {
                return f;
            }
        }
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(actual[k]),
                    what + "[" + k + "]: " + expected[k] + " vs " + actual[k]);
        }
    }

    @Test
    void writesOneRowPerLineWithTheBiasFirst() throws IOException {
        Network network = new Network(List.of(new Layer(2, 3, Activation.TANH,
                new float[] {11, 12, 13, 21, 22, 23}, new float[] {1, 2, 3})));
        StringWriter out = new StringWriter();
        ModelWriter.write(network, out);
        String text = out.toString();
        assertTrue(text.contains("\"format\": \"deltaprop-mlp\""), text);
        assertTrue(text.contains("\"version\": 1"), text);
        assertTrue(text.contains("\"loss\": \"squared_error\""), text);
        assertTrue(text.contains("[1.0, 2.0, 3.0],\n"), text);
        assertTrue(text.contains("[11.0, 12.0, 13.0],\n"), text);
        assertTrue(text.contains("[21.0, 22.0, 23.0]\n"), text);
    }

    /** Each bad file, and the message that names the place in it. */
    static Stream<org.junit.jupiter.params.provider.Arguments> badFiles() {
        String layer = "{\"inputs\": 2, \"outputs\": 1, \"activation\": \"tanh\", \"weights\": [[0], [1], [2]]}";
        String head = "{\"format\": \"deltaprop-mlp\", \"version\": 1, \"loss\": \"squared_error\", \"layers\": ";
        return Stream.of(
            org.junit.jupiter.params.provider.Arguments.of("", "(top level): truncated: the file ends here"),
            org.junit.jupiter.params.provider.Arguments.of("[1, 2]", "(top level): expected a JSON object, found a list"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.substring(0, TWO_LAYERS.indexOf("[4, 5") + 4),
                "layers[0].weights[2][1]: truncated: the file ends here (line 3"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.substring(0, 150),
                "layers[0].activation: not valid JSON: Unterminated string at line 3 column 22"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.substring(0, TWO_LAYERS.length() - 1), "layers: truncated: the file ends here"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("[1.5, -2,", "[1.5 -2,"), "layers[0].weights[1][1]: not valid JSON: Unterminated array at line 3 column 49"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"version\": 1,", "\"version\": 1"), "version: not valid JSON: "),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS + " {}", "(after the model)"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("deltaprop-mlp", "keras"), "format: expected \"deltaprop-mlp\", found \"keras\""),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"version\": 1", "\"version\": 3"),
                "version: expected 1 or 2, found 3 (this deltaprop reads format versions 1 and 2)"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"version\": 1", "\"version\": \"1\""), "version: expected a whole number, found a string"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"version\": 1, ", ""), "version: missing, expected 1 or 2"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("squared_error", "hinge"),
                "loss: unknown loss 'hinge': expected squared_error or cross_entropy"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("squared_error", "cross_entropy"),
                "loss: cross_entropy needs format version 2, found \"version\": 1"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"tanh\"", "\"swish\""),
                "layers[0].activation: unknown activation 'swish': expected one of identity, sigmoid, tanh, relu, leaky_relu, softplus"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("[1.5, -2, 3e-2]", "[1.5, -2]"), "layers[0].weights[1]: expected 3 numbers, found 2"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("[[-1], [1], [2], [3]]", "[[-1], [1], [2]]"),
                "layers[1].weights: expected 4 rows (inputs + 1: the bias row 0, then one row per input), found 3"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"inputs\": 3", "\"inputs\": 4").replace("[3]]", "[3], [4]]"),
                "layers[1].inputs: expected 3 (the outputs of layers[0]), found 4"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("3e-2", "1e39"), "layers[0].weights[1][2]: expected a finite float32 number, found 1e39"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("3e-2", "NaN"), "layers[0].weights[1][2]: not valid JSON"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("3e-2", "\"3\""), "layers[0].weights[1][2]: expected a number, found a string"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"outputs\": 3", "\"outputs\": 0"), "layers[0].outputs: expected a whole number ≥ 1, found 0"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"outputs\": 3", "\"outputs\": 2.5"), "layers[0].outputs: expected a whole number, found 2.5"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"activation\": \"identity\",", ""),
                "layers[1].activation: missing, expected one of identity"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"loss\"", "\"colour\": \"red\", \"loss\""),
                "colour: unknown field, expected format, version, loss, layers"),
            org.junit.jupiter.params.provider.Arguments.of(TWO_LAYERS.replace("\"version\": 1,", "\"version\": 1, \"version\": 1,"), "version: given twice"),
            org.junit.jupiter.params.provider.Arguments.of(head + "[]}", "layers: expected at least 1 layer, found none"),
            org.junit.jupiter.params.provider.Arguments.of(head + "[" + layer + ", 7]}", "layers[1]: expected a layer object, found a number"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("badFiles")
    void badFilesAreRefusedNamingThePlace(String content, String message) throws IOException {
        Path file = folder.resolve("bad.json");
        Files.writeString(file, content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().startsWith(file + ": " + message),
                "expected a message starting with\n  " + file + ": " + message + "\nfound\n  " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void binaryGarbageIsRefused() throws IOException {
        Path file = folder.resolve("garbage.json");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80});
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }

    @Test
    void failedSaveLeavesThePreviousFileIntact() throws IOException {
        Path file = folder.resolve("model.json");
        Network network = Network.builder(3).layer(4, Activation.TANH).layer(2, Activation.IDENTITY).build(1);
        ModelFiles.save(network, file);
        byte[] before = Files.readAllBytes(file);

        // a save that fails midway: half of a model written, then the disk "fills up"
        IOException failure = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            StringWriter text = new StringWriter();
            ModelWriter.write(Network.builder(3).layer(4, Activation.TANH).layer(2, Activation.IDENTITY).build(2), text);
            out.write(text.toString(), 0, text.toString().length() / 2);
            out.flush();
            throw new IOException("No space left on device");
        }));
        // the message names the file the user asked for, and the reason
        assertTrue(failure.getMessage().startsWith(file + ": ") && failure.getMessage().contains("No space left on device"),
                failure.getMessage());
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
        assertEquals(network, ModelFiles.load(file));
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void saveReplacesAndIntoAMissingFolderFails() throws IOException {
        Path file = folder.resolve("model.json");
        Network one = Network.builder(1).layer(1, Activation.IDENTITY).build(1);
        Network two = Network.builder(1).layer(1, Activation.IDENTITY).build(2);
        ModelFiles.save(one, file);
        ModelFiles.save(two, file);
        assertEquals(two, ModelFiles.load(file));
        assertThrows(IOException.class, () -> ModelFiles.save(one, folder.resolve("no/such/folder/model.json")));
    }
}

package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Model format v2: written only when cross entropy or softmax needs it, read bit for bit, pairings refused by field. */
class ModelFormatV2Test {
    @TempDir
    Path folder;

    /** A 2-3-2 classifier, tanh then softmax, in a version 2 file. */
    static final String SOFTMAX = "{\"format\": \"deltaprop-mlp\", \"version\": 2, \"loss\": \"cross_entropy\",\n"
            + " \"layers\": [{\"inputs\": 2, \"outputs\": 3, \"activation\": \"tanh\",\n"
            + "             \"weights\": [[0.1, 0.2, 0.3], [1.5, -2, 3e-2], [4, 5, 6]]},\n"
            + "            {\"inputs\": 3, \"outputs\": 2, \"activation\": \"softmax\",\n"
            + "             \"weights\": [[-1, 1], [1, 0], [2, 0.5], [3, -3]]}]}";

    private static String text(Network network) throws IOException {
        StringWriter out = new StringWriter();
        ModelWriter.write(network, out);
        return out.toString();
    }

    @Test
    void onlyCrossEntropyOrSoftmaxMakesAVersion2File() throws IOException {
        Network regression = Network.builder(3).layer(4, Activation.TANH).layer(2, Activation.SIGMOID).build(1);
        Network binary = Network.builder(3).layer(4, Activation.TANH).layer(2, Activation.SIGMOID)
                .loss(Loss.CROSS_ENTROPY).build(1);
        Network softmax = Network.builder(3).layer(4, Activation.RELU).layer(5, Activation.SOFTMAX).build(1);
        assertEquals(1, ModelWriter.version(regression));
        assertEquals(2, ModelWriter.version(binary));
        assertEquals(2, ModelWriter.version(softmax));
        assertTrue(text(regression).contains("\"version\": 1,"), text(regression));
        assertTrue(text(binary).contains("\"version\": 2,"), text(binary));
        assertTrue(text(binary).contains("\"loss\": \"cross_entropy\""), text(binary));
        assertTrue(text(softmax).contains("\"activation\": \"softmax\""), text(softmax));
    }

    @Test
    void version2RoundTripIsBitExactAndTheWeightsLayoutIsV1s() throws IOException {
        Network read = ModelReader.read(new StringReader(SOFTMAX));
        assertEquals(Activation.SOFTMAX, read.layer(1).activation());
        assertEquals(Loss.CROSS_ENTROPY, read.loss());
        // row 0 the bias, row i the weights from input i, exactly as in v1
        assertEquals(-1f, read.layer(1).bias(0));
        assertEquals(0.5f, read.layer(1).weight(1, 1));
        assertEquals(-3f, read.layer(1).weight(2, 1));
        Network network = Network.builder(7).layer(33, Activation.LEAKY_RELU).layer(4, Activation.SOFTMAX).build(5);
        Path file = folder.resolve("v2.json");
        ModelFiles.save(network, file);
        Network back = ModelFiles.load(file);
        assertEquals(network, back);
        for (int l = 0; l < 2; l++) {
            float[] expected = network.layer(l).weights();
            float[] actual = back.layer(l).weights();
            for (int k = 0; k < expected.length; k++) {
                assertEquals(Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(actual[k]), "layer " + l + " [" + k + "]");
            }
        }
        Path again = folder.resolve("again.json");
        ModelFiles.save(back, again);
        assertEquals(Files.readString(file), Files.readString(again));
    }

    /** Each v2 file with a pairing DESIGN §1b refuses, or a v1 file using v2's names, and the message's start. */
    static Stream<Arguments> refusals() {
        String v1 = SOFTMAX.replace("\"version\": 2", "\"version\": 1");
        return Stream.of(
            Arguments.of(v1, "loss: cross_entropy needs format version 2, found \"version\": 1"),
            Arguments.of(v1.replace("cross_entropy", "squared_error"),
                "layers[1].activation: softmax needs format version 2, found \"version\": 1"),
            Arguments.of(SOFTMAX.replace("cross_entropy", "squared_error"),
                "loss: a softmax output (layers[1]) expects cross_entropy, found squared_error"),
            Arguments.of(SOFTMAX.replace("\"softmax\"", "\"identity\""),
                "layers[1].activation: cross_entropy expects a softmax or sigmoid output, found identity"),
            Arguments.of(SOFTMAX.replace("\"tanh\"", "\"softmax\""),
                "layers[0].activation: softmax is an output-only activation; expected one of identity, sigmoid, tanh,"),
            Arguments.of(SOFTMAX.replace("\"outputs\": 2", "\"outputs\": 1").replace("[[-1, 1], [1, 0], [2, 0.5], [3, -3]]",
                "[[-1], [1], [2], [3]]"), "layers[1].outputs: softmax expects at least 2 outputs, found 1"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void badPairingsAndV1FilesWithV2NamesAreRefusedNamingTheField(String content, String message) throws IOException {
        Path file = folder.resolve("bad.json");
        Files.writeString(file, content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().startsWith(file + ": " + message),
                "expected a message starting with\n  " + file + ": " + message + "\nfound\n  " + e.getMessage());
    }
}

package dev.deltaprop.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.io.ModelFormatException;
import dev.deltaprop.io.NpyArray;
import dev.deltaprop.io.NpyReader;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Models that PyTorch's {@code torch.onnx.export} wrote ({@code native/make-onnx-fixtures.py}),
 * read by {@link ModelFiles#readOnnx}: the layers come out as torch built them, and the
 * predictions equal what torch computed for the same inputs.
 */
class OnnxTorchFilesTest {
    @TempDir
    Path directory;

    private Path resource(String name) throws IOException {
        Path file = directory.resolve(name);
        try (InputStream in = OnnxTorchFilesTest.class.getResourceAsStream("/onnx/" + name)) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private NpyArray array(String name) throws IOException {
        return NpyReader.read(resource(name));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name, widths, activations, loss
        "linear_tanh,           4-8-3,   tanh identity,                  squared_error",
        "linear_relu_sigmoid,   5-7-2,   relu sigmoid,                   squared_error",
        "linear_leaky_softplus, 3-6-6-1, leaky_relu softplus identity,   squared_error",
        "flatten_softmax,       6-5-4,   tanh softmax,                   cross_entropy",
        "matmul_add,            4-6-3,   tanh identity,                  squared_error",
        "no_bias,               4-3-2,   sigmoid identity,               squared_error",
    })
    void predictsWhatTorchPredicted(String name, String widths, String activations, String loss) throws IOException {
        Network network = ModelFiles.readOnnx(resource(name + ".onnx"));
        assertEquals(widths, java.util.Arrays.stream(network.widths()).mapToObj(Integer::toString)
                .collect(Collectors.joining("-")), name);
        assertEquals(activations, network.layers().stream().map(layer -> layer.activation().id())
                .collect(Collectors.joining(" ")), name);
        assertEquals(Loss.parse(loss), network.loss(), name);

        NpyArray x = array(name + "-x.npy");
        NpyArray y = array(name + "-y.npy");
        int samples = x.shape()[0];
        float[] predicted = Outputs.predict(network, x.values(), samples);
        Outputs.assertClose(y.values(), predicted, 1e-5, name + " against torch");
    }

    /** The fixtures hold each form of the linear part that the reader accepts, as torch wrote it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "linear_tanh,           Gemm Tanh Gemm",
        "linear_relu_sigmoid,   Gemm Relu Gemm Sigmoid",
        "linear_leaky_softplus, Gemm LeakyRelu Gemm Softplus Gemm",
        "flatten_softmax,       Flatten Gemm Tanh Gemm Softmax",
        "matmul_add,            MatMul Add Tanh MatMul Add",
        "no_bias,               MatMul Sigmoid Gemm",
    })
    void torchWroteTheseNodes(String name, String ops) throws IOException {
        var model = dev.deltaprop.io.onnx.proto.Onnx.ModelProto.parseFrom(Files.readAllBytes(resource(name + ".onnx")));
        assertEquals(ops, model.getGraph().getNodeList().stream().map(node -> node.getOpType())
                .collect(Collectors.joining(" ")), name);
        if (ops.startsWith("Gemm")) {
            var attributes = model.getGraph().getNode(0).getAttributeList();
            assertTrue(attributes.stream().anyMatch(a -> a.getName().equals("transB") && a.getI() == 1), attributes.toString());
        }
    }

    @Test
    void theBiaslessLayerHasZeroBias() throws IOException {
        Network network = ModelFiles.readOnnx(resource("no_bias.onnx"));
        for (float b : network.layer(0).bias()) {
            assertEquals(0f, b);
        }
        assertEquals(Activation.SIGMOID, network.layer(0).activation());
    }

    @Test
    void anOpThatIsNotAnMlpIsRefusedByName() throws IOException {
        Path file = resource("refused_exp.onnx");
        String message = assertThrows(ModelFormatException.class, () -> ModelFiles.readOnnx(file)).getMessage();
        assertTrue(message.startsWith(file + ": node "), message);
        assertTrue(message.startsWith(file + ": node 1 '/Exp' (Exp): op Exp is not supported; deltaprop reads MLPs of "), message);
    }

    @Test
    void readDispatchesOnTheExtension() throws IOException {
        Path file = resource("linear_tanh.onnx");
        assertEquals(ModelFiles.readOnnx(file), ModelFiles.read(file));
        assertTrue(ModelFiles.isOnnx(Path.of("A.ONNX")));
        assertFalse(ModelFiles.isOnnx(Path.of("a.json")));
    }
}

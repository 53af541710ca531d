package dev.deltaprop.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.io.ModelFormatException;
import dev.deltaprop.io.onnx.proto.Onnx.AttributeProto;
import dev.deltaprop.io.onnx.proto.Onnx.GraphProto;
import dev.deltaprop.io.onnx.proto.Onnx.ModelProto;
import dev.deltaprop.io.onnx.proto.Onnx.NodeProto;
import dev.deltaprop.io.onnx.proto.Onnx.TensorProto;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What deltaprop writes it reads back bit for bit, the other forms of an MLP that the reader
 * accepts mean what ONNX says they mean, and every graph that is not such an MLP is refused with
 * the node and op (or tensor) named.
 */
class OnnxImportTest {
    /** 2-3-2: tanh, then identity; the graph {@code Gemm Tanh Gemm}. */
    private static final Network SMALL = OnnxRuntimeAgreementTest.network(Activation.TANH, Activation.IDENTITY, 11)
            .withLayers(List.of(layer(2, 3, Activation.TANH, 1), layer(3, 2, Activation.IDENTITY, 2)));

    private static Layer layer(int inputs, int outputs, Activation f, int salt) {
        float[] w = new float[inputs * outputs];
        float[] b = new float[outputs];
        for (int k = 0; k < w.length; k++) {
            w[k] = (k * 7 + salt) % 11 / 5f - 1;
        }
        for (int k = 0; k < b.length; k++) {
            b[k] = (k + salt) / 4f;
        }
        return new Layer(inputs, outputs, f, w, b);
    }

    private static ModelProto small() {
        return OnnxExport.toModel(SMALL, "test");
    }

    private static String refusal(ModelProto model) {
        return assertThrows(ModelFormatException.class, () -> OnnxImport.fromModel(model)).getMessage();
    }

    private static ModelProto withGraph(ModelProto model, GraphProto.Builder graph) {
        return model.toBuilder().setGraph(graph).build();
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void whatIsWrittenIsReadBackExactly(Activation output) throws Exception {
        for (Activation hidden : Activation.elementwiseValues()) {
            Network network = OnnxRuntimeAgreementTest.network(hidden, output, 5);
            assertEquals(network, OnnxImport.fromBytes(OnnxExport.toBytes(network, "test")), hidden + " " + output);
        }
    }

    @Test
    void aSingleLayerIsOneGemmStraightToTheOutput() throws Exception {
        Network linear = SMALL.withLayers(List.of(layer(4, 3, Activation.IDENTITY, 3)));
        ModelProto model = OnnxExport.toModel(linear, "test");
        assertEquals(1, model.getGraph().getNodeCount());
        assertEquals(List.of("y"), model.getGraph().getNode(0).getOutputList());
        assertEquals(linear, OnnxImport.fromModel(model));
    }

    @Test
    void theLossTravelsInTheMetadata(@TempDir Path directory) throws Exception {
        Network binary = OnnxRuntimeAgreementTest.network(Activation.RELU, Activation.SIGMOID, 3);
        assertEquals(Loss.CROSS_ENTROPY, binary.loss());
        Path file = directory.resolve("binary.onnx");
        ModelFiles.writeOnnx(binary, file);
        assertEquals(binary, ModelFiles.readOnnx(file));
        ModelProto withoutMetadata = ModelProto.parseFrom(Files.readAllBytes(file)).toBuilder().clearMetadataProps().build();
        assertEquals(Loss.SQUARED_ERROR, OnnxImport.fromModel(withoutMetadata).loss(), "a sigmoid output without metadata");
    }

    @Test
    void identityAtTheInputAndGemmWithoutTransposeOrBiasAndWithAlphaBeta() throws Exception {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        // x -> Identity -> x1 -> Gemm(x1, W1) alpha 2, no C
        graph.addNode(0, NodeProto.newBuilder().setName("copy").setOpType("Identity").addInput("x").addOutput("x1"));
        NodeProto gemm = graph.getNode(1).toBuilder().clearInput().addInput("x1").addInput("W1")
                .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(2f))
                .build();
        graph.setNode(1, gemm);
        // the second Gemm: beta 0.5
        graph.setNode(3, graph.getNode(3).toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("beta").setType(AttributeProto.AttributeType.FLOAT).setF(0.5f)));
        Network read = OnnxImport.fromModel(withGraph(small(), graph));
        float[] w1 = SMALL.layer(0).weights();
        for (int k = 0; k < w1.length; k++) {
            w1[k] *= 2;
        }
        float[] b2 = SMALL.layer(1).bias();
        for (int k = 0; k < b2.length; k++) {
            b2[k] *= 0.5f;
        }
        Network expected = SMALL.withLayers(List.of(SMALL.layer(0).withParameters(w1, new float[3]),
                SMALL.layer(1).withParameters(SMALL.layer(1).weights(), b2)));
        assertEquals(expected, read);
    }

    @Test
    void anOpOutsideTheMlpIsNamed() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.setNode(1, NodeProto.newBuilder().setName("conv7").setOpType("Conv").addInput("u1").addOutput("z1"));
        String message = refusal(withGraph(small(), graph));
        assertTrue(message.startsWith("node 1 'conv7' (Conv): op Conv is not supported; deltaprop reads MLPs of Gemm,"), message);
    }

    @Test
    void anotherDomainIsRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.setNode(1, graph.getNode(1).toBuilder().setDomain("com.microsoft"));
        assertTrue(refusal(withGraph(small(), graph)).startsWith("node 1 'tanh1' (Tanh): domain 'com.microsoft' is not supported"));
    }

    @Test
    void twoActivationsInARowAreRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.addNode(2, NodeProto.newBuilder().setName("again").setOpType("Relu").addInput("z1").addOutput("z1b"));
        graph.setNode(3, graph.getNode(3).toBuilder().setInput(0, "z1b"));
        String message = refusal(withGraph(small(), graph));
        assertTrue(message.startsWith("node 2 'again' (Relu): an activation without a Gemm or MatMul before it"), message);
    }

    @Test
    void leakyReluWithAnotherSlopeIsRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.setNode(1, NodeProto.newBuilder().setName("leaky").setOpType("LeakyRelu").addInput("u1").addOutput("z1")
                .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(0.2f)));
        assertEquals("node 1 'leaky' (LeakyRelu): alpha expected 0.01 (deltaprop's leaky_relu slope), found 0.2",
                refusal(withGraph(small(), graph)));
    }

    @Test
    void gemmWithTransposedSamplesIsRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.setNode(0, graph.getNode(0).toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("transA").setType(AttributeProto.AttributeType.INT).setI(1)));
        assertEquals("node 0 'gemm1' (Gemm): transA expected 0 (samples are rows), found 1", refusal(withGraph(small(), graph)));
    }

    @Test
    void computedWeightsAreRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.removeInitializer(0); // W1
        String message = refusal(withGraph(small(), graph));
        assertEquals("node 0 'gemm1' (Gemm): input 1 'W1' expected an initializer (the layer's weights), found a computed tensor", message);
    }

    @Test
    void flattenAfterALayerIsRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.addNode(2, NodeProto.newBuilder().setName("flat").setOpType("Flatten").addInput("z1").addOutput("z1f"));
        graph.setNode(3, graph.getNode(3).toBuilder().setInput(0, "z1f"));
        assertEquals("node 2 'flat' (Flatten): Flatten is read only at the input, before the first layer",
                refusal(withGraph(small(), graph)));
    }

    @Test
    void aBranchIsRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.setNode(2, graph.getNode(2).toBuilder().setInput(0, "u1")); // the second Gemm skips the Tanh
        String message = refusal(withGraph(small(), graph));
        assertTrue(message.startsWith("node 2 'gemm2' (Gemm): expected its first input to be 'z1'"), message);
    }

    @Test
    void widthsThatDoNotChainAreRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        TensorProto w2 = graph.getInitializer(2);
        assertEquals("W2", w2.getName());
        graph.setInitializer(2, w2.toBuilder().setDims(0, 4).setDims(1, 2)
                .setRawData(ByteString.copyFrom(new byte[4 * 2 * Float.BYTES])));
        String message = refusal(withGraph(small(), graph));
        assertEquals("node 2 'gemm2' (Gemm): its weights have 4 rows, expected 3 (the outputs of the layer before)", message);
    }

    @Test
    void tensorsOfAnotherTypeOrSizeOrPlaceAreRefused() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.setInitializer(0, graph.getInitializer(0).toBuilder().setDataType(TensorProto.DataType.INT64_VALUE));
        assertEquals("initializer 'W1': data_type expected 1 (FLOAT) or 11 (DOUBLE), found 7 (INT64)", refusal(withGraph(small(), graph)));

        graph = small().getGraph().toBuilder();
        TensorProto w1 = graph.getInitializer(0);
        graph.setInitializer(0, w1.toBuilder().setRawData(w1.getRawData().substring(0, 20)));
        assertEquals("initializer 'W1': raw_data expected 24 bytes (6 values of dims [2, 3]), found 20", refusal(withGraph(small(), graph)));

        graph = small().getGraph().toBuilder();
        graph.setInitializer(0, graph.getInitializer(0).toBuilder().setDataLocation(1));
        assertTrue(refusal(withGraph(small(), graph)).startsWith("initializer 'W1': its data is in an external file"));
    }

    @Test
    void typedFieldsAreReadLikeRawData() throws Exception {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        TensorProto w1 = graph.getInitializer(0);
        float[] values = SMALL.layer(0).weights();
        TensorProto.Builder typed = w1.toBuilder().clearRawData();
        for (float v : values) {
            typed.addFloatData(v);
        }
        graph.setInitializer(0, typed);
        TensorProto b1 = graph.getInitializer(1);
        TensorProto.Builder doubles = b1.toBuilder().clearRawData().setDataType(TensorProto.DataType.DOUBLE_VALUE);
        for (float v : SMALL.layer(0).bias()) {
            doubles.addDoubleData(v);
        }
        graph.setInitializer(1, doubles);
        assertEquals(SMALL, OnnxImport.fromModel(withGraph(small(), graph)));
    }

    @Test
    void theGraphMustEndAtItsOutputAndStartAtOneInput() {
        GraphProto.Builder graph = small().getGraph().toBuilder();
        graph.setOutput(0, graph.getOutput(0).toBuilder().setName("u1"));
        assertEquals("graph.output: 'u1' is not the end of the chain of layers ('y')", refusal(withGraph(small(), graph)));

        graph = small().getGraph().toBuilder();
        graph.addInput(graph.getInput(0).toBuilder().setName("mask"));
        assertEquals("graph.input: expected 1 input (the samples), found 2 [x, mask]", refusal(withGraph(small(), graph)));

        graph = small().getGraph().toBuilder();
        graph.setInput(0, graph.getInput(0).toBuilder().setType(graph.getInput(0).getType().toBuilder()
                .setTensorType(graph.getInput(0).getType().getTensorType().toBuilder().setShape(
                        graph.getInput(0).getType().getTensorType().getShape().toBuilder().setDim(1,
                                graph.getInput(0).getType().getTensorType().getShape().getDim(1).toBuilder().setDimValue(5))))));
        assertEquals("graph.input 'x': expected shape [batch, 2] (the first layer's inputs), found 2 dims of 5 values per sample",
                refusal(withGraph(small(), graph)));
    }

    @Test
    void somethingThatIsNotOnnxIsSaidToBeSo(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("m.onnx");
        Files.write(file, "{\"format\": \"deltaprop-mlp\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String message = assertThrows(ModelFormatException.class, () -> ModelFiles.readOnnx(file)).getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains("not an ONNX model") || message.contains("is this an ONNX file?"), message);

        byte[] whole = OnnxExport.toBytes(SMALL, "test");
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        message = assertThrows(ModelFormatException.class, () -> ModelFiles.readOnnx(file)).getMessage();
        assertTrue(message.startsWith(file + ": not an ONNX model (protobuf: "), message);
    }
}

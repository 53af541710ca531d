package dev.deltaprop.io.onnx;

import com.google.protobuf.ByteString;
import dev.deltaprop.io.onnx.proto.Onnx.AttributeProto;
import dev.deltaprop.io.onnx.proto.Onnx.GraphProto;
import dev.deltaprop.io.onnx.proto.Onnx.ModelProto;
import dev.deltaprop.io.onnx.proto.Onnx.NodeProto;
import dev.deltaprop.io.onnx.proto.Onnx.OperatorSetIdProto;
import dev.deltaprop.io.onnx.proto.Onnx.StringStringEntryProto;
import dev.deltaprop.io.onnx.proto.Onnx.TensorProto;
import dev.deltaprop.io.onnx.proto.Onnx.TensorShapeProto;
import dev.deltaprop.io.onnx.proto.Onnx.TypeProto;
import dev.deltaprop.io.onnx.proto.Onnx.ValueInfoProto;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A {@link Network} as an ONNX model: for each layer {@code l = 1..L} one {@code Gemm} node
 * {@code u^l = z^{l-1} W^l + b^l} (the weights as the initialiser {@code W<l>}, shape
 * {@code [n_{l-1}, n_l]}, so {@code transB = 0}; the bias as {@code b<l>}, shape {@code [n_l]}),
 * then the activation's node ({@code Tanh}, {@code Sigmoid}, {@code Relu}, {@code LeakyRelu} with
 * {@code alpha = 0.01}, {@code Softplus}, {@code Softmax} with {@code axis = -1}; none for
 * identity). The input {@code x} is float32 {@code [batch, n_0]} and the output {@code y} float32
 * {@code [batch, n_L]}, with {@code batch} a dynamic dimension. IR version {@value #IR_VERSION},
 * opset {@value #OPSET_VERSION} of the default domain; the loss is kept in the metadata under
 * {@value #LOSS_KEY} so that a read gives the same network back.
 */
public final class OnnxExport {
    /** The ONNX IR version written (8, from ONNX 1.10; with opset 17, ONNX 1.12 and ONNX Runtime 1.12 on read the file). */
    public static final int IR_VERSION = 8;
    /** The opset version of the default ONNX domain that the nodes are from. */
    public static final int OPSET_VERSION = 17;
    /** The metadata key under which the network's loss is written. */
    public static final String LOSS_KEY = "deltaprop.loss";
    /** The graph input's name. */
    public static final String INPUT = "x";
    /** The graph output's name. */
    public static final String OUTPUT = "y";
    /** The name of the dynamic first dimension of {@link #INPUT} and {@link #OUTPUT}. */
    public static final String BATCH = "batch";

    private OnnxExport() {
    }

    /** The serialised ONNX model of {@code network}, with {@code producerVersion} as the producer's version. */
    public static byte[] toBytes(Network network, String producerVersion) {
        return toModel(network, producerVersion).toByteArray();
    }

    /** The ONNX model of {@code network} (see the class comment for the graph). */
    public static ModelProto toModel(Network network, String producerVersion) {
        Objects.requireNonNull(network, "network");
        GraphProto.Builder graph = GraphProto.newBuilder()
                .setName("deltaprop-mlp-" + network.shape())
                .addInput(tensorInfo(INPUT, network.inputs()))
                .addOutput(tensorInfo(OUTPUT, network.outputs()));
        String z = INPUT;
        for (int l = 1; l <= network.depth(); l++) {
            Layer layer = network.layer(l - 1);
            boolean last = l == network.depth();
            boolean identity = layer.activation() == Activation.IDENTITY;
            String weights = "W" + l;
            String bias = "b" + l;
            String u = last && identity ? OUTPUT : "u" + l;
            graph.addInitializer(floats(weights, layer.weights(), layer.inputs(), layer.outputs()));
            graph.addInitializer(floats(bias, layer.bias(), layer.outputs()));
            graph.addNode(NodeProto.newBuilder().setName("gemm" + l).setOpType("Gemm")
                    .addInput(z).addInput(weights).addInput(bias).addOutput(u));
            z = u;
            if (!identity) {
                String next = last ? OUTPUT : "z" + l;
                graph.addNode(activation(layer.activation(), l, z, next));
                z = next;
            }
        }
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET_VERSION))
                .setProducerName("deltaprop")
                .setProducerVersion(producerVersion == null ? "" : producerVersion)
                .setDocString("multilayer perceptron " + network.shape() + ", " + network.loss())
                .setGraph(graph)
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(LOSS_KEY).setValue(network.loss().id()))
                .build();
    }

    /** The activation node {@code output = f(input)} of layer {@code l}. */
    private static NodeProto activation(Activation f, int l, String input, String output) {
        NodeProto.Builder node = NodeProto.newBuilder().addInput(input).addOutput(output);
        switch (f) {
            case TANH:
                return node.setName("tanh" + l).setOpType("Tanh").build();
            case SIGMOID:
                return node.setName("sigmoid" + l).setOpType("Sigmoid").build();
            case RELU:
                return node.setName("relu" + l).setOpType("Relu").build();
            case LEAKY_RELU:
                return node.setName("leaky_relu" + l).setOpType("LeakyRelu")
                        .addAttribute(AttributeProto.newBuilder().setName("alpha")
                                .setType(AttributeProto.AttributeType.FLOAT).setF((float) Activation.LEAKY_SLOPE))
                        .build();
            case SOFTPLUS:
                return node.setName("softplus" + l).setOpType("Softplus").build();
            case SOFTMAX:
                return node.setName("softmax" + l).setOpType("Softmax")
                        .addAttribute(AttributeProto.newBuilder().setName("axis")
                                .setType(AttributeProto.AttributeType.INT).setI(-1))
                        .build();
            default:
                throw new IllegalArgumentException("layers[" + (l - 1) + "].activation: no ONNX operator for " + f);
        }
    }

    /** A float32 initialiser of shape {@code dims}, its numbers as raw little-endian bytes. */
    private static TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long dim : dims) {
            tensor.addDims(dim);
        }
        return tensor.build();
    }

    /** A float32 {@code [batch, width]} graph input or output. */
    private static ValueInfoProto tensorInfo(String name, int width) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }
}

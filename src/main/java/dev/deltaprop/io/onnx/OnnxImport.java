package dev.deltaprop.io.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.deltaprop.io.ModelFormatException;
import dev.deltaprop.io.onnx.proto.Onnx.AttributeProto;
import dev.deltaprop.io.onnx.proto.Onnx.GraphProto;
import dev.deltaprop.io.onnx.proto.Onnx.ModelProto;
import dev.deltaprop.io.onnx.proto.Onnx.NodeProto;
import dev.deltaprop.io.onnx.proto.Onnx.OperatorSetIdProto;
import dev.deltaprop.io.onnx.proto.Onnx.StringStringEntryProto;
import dev.deltaprop.io.onnx.proto.Onnx.TensorProto;
import dev.deltaprop.io.onnx.proto.Onnx.TensorShapeProto;
import dev.deltaprop.io.onnx.proto.Onnx.ValueInfoProto;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model read as a {@link Network}, when its graph is a multilayer perceptron: one chain
 * from the single input to the single output of, per layer, a linear part and at most one
 * activation. The linear part {@code u = z W + b} is a {@code Gemm} ({@code transA = 0},
 * {@code transB} 0 or 1, {@code alpha} and {@code beta} folded into {@code W} and {@code b}, the
 * bias {@code C} optional) or a {@code MatMul} with an optional {@code Add} of the bias after it;
 * the activations are {@code Tanh}, {@code Sigmoid}, {@code Relu}, {@code LeakyRelu} (alpha 0.01),
 * {@code Softplus} and {@code Softmax} over the last axis; {@code Identity} may stand anywhere and
 * {@code Flatten} (axis 1) before the first layer. Weights and biases are initialisers. Anything
 * else is refused with the node's index, name and op. This is how PyTorch's
 * {@code torch.onnx.export} writes an {@code nn.Sequential} of {@code nn.Linear} and activations.
 *
 * <p>The loss is the one {@link OnnxExport} keeps in the metadata, else the one the output
 * implies ({@link Network#defaultLoss}).
 */
public final class OnnxImport {
    private static final String SUPPORTED = "Gemm, MatMul (+ Add), Tanh, Sigmoid, Relu, LeakyRelu, Softplus, Softmax,"
            + " and Identity or Flatten at the input";

    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final List<Layer> layers = new ArrayList<>();
    private final long opset;
    /** The linear part of the layer being read, waiting for its activation. */
    private Linear pending;
    /** The tensor the chain has reached. */
    private String current;
    private boolean flattened;

    private OnnxImport(GraphProto graph, long opset) {
        this.opset = opset;
        for (TensorProto tensor : graph.getInitializerList()) {
            initializers.put(tensor.getName(), tensor);
        }
    }

    /**
     * Reads the serialised ONNX model {@code bytes}.
     *
     * @throws ModelFormatException naming the node, op, tensor or field when it is not a model of
     *                              such an MLP
     */
    public static Network fromBytes(byte[] bytes) throws ModelFormatException {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException("not an ONNX model (protobuf: " + e.getMessage() + ")", e);
        }
        return fromModel(model);
    }

    /** As {@link #fromBytes}, from a parsed model. */
    public static Network fromModel(ModelProto model) throws ModelFormatException {
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new ModelFormatException("graph: expected the nodes of an MLP, found "
                    + (model.hasGraph() ? "no nodes" : "no graph") + " (is this an ONNX file?)");
        }
        GraphProto graph = model.getGraph();
        OnnxImport reader = new OnnxImport(graph, defaultOpset(model));
        ValueInfoProto input = reader.theInput(graph);
        if (graph.getOutputCount() != 1) {
            throw new ModelFormatException("graph.output: expected 1 output (y), found " + graph.getOutputCount());
        }
        reader.current = input.getName();
        for (int k = 0; k < graph.getNodeCount(); k++) {
            k = reader.node(graph, k);
        }
        reader.finishLayer(null, "");
        if (reader.layers.isEmpty()) {
            throw new ModelFormatException("graph: no Gemm or MatMul node, so no layer; deltaprop reads " + SUPPORTED);
        }
        String output = graph.getOutput(0).getName();
        if (!reader.current.equals(output)) {
            throw new ModelFormatException("graph.output: '" + output + "' is not the end of the chain of layers ('"
                    + reader.current + "')");
        }
        reader.checkInputWidth(input);
        try {
            return new Network(reader.layers, loss(model, reader.layers));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
    }

    /** The version of the default domain's opset; 1 when the model names none (as the spec says). */
    private static long defaultOpset(ModelProto model) {
        for (OperatorSetIdProto set : model.getOpsetImportList()) {
            if (set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx")) {
                return set.getVersion();
            }
        }
        return 1;
    }

    private static Loss loss(ModelProto model, List<Layer> layers) throws ModelFormatException {
        for (StringStringEntryProto entry : model.getMetadataPropsList()) {
            if (entry.getKey().equals(OnnxExport.LOSS_KEY)) {
                try {
                    return Loss.parse(entry.getValue());
                } catch (IllegalArgumentException e) {
                    throw new ModelFormatException("metadata_props[" + OnnxExport.LOSS_KEY + "]: " + e.getMessage(), e);
                }
            }
        }
        return Network.defaultLoss(layers);
    }

    /** The one graph input that is not an initialiser (older exporters list initialisers as inputs too). */
    private ValueInfoProto theInput(GraphProto graph) throws ModelFormatException {
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto input : graph.getInputList()) {
            if (!initializers.containsKey(input.getName())) {
                inputs.add(input);
            }
        }
        if (inputs.size() != 1) {
            List<String> names = new ArrayList<>();
            inputs.forEach(input -> names.add(input.getName()));
            throw new ModelFormatException("graph.input: expected 1 input (the samples), found " + inputs.size() + " " + names);
        }
        ValueInfoProto input = inputs.get(0);
        int type = input.getType().getTensorType().getElemType();
        if (input.getType().hasTensorType() && type != TensorProto.DataType.FLOAT_VALUE) {
            throw new ModelFormatException("graph.input '" + input.getName() + "': expected elem_type 1 (FLOAT), found " + type);
        }
        return input;
    }

    /** Reads node {@code k}; returns the index of the last node it consumed (a MatMul takes its Add). */
    private int node(GraphProto graph, int k) throws ModelFormatException {
        NodeProto node = graph.getNode(k);
        String where = "node " + k + " '" + node.getName() + "' (" + node.getOpType() + ")";
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            throw new ModelFormatException(where + ": domain '" + node.getDomain() + "' is not supported; deltaprop reads "
                    + "the default ONNX domain's " + SUPPORTED);
        }
        if (node.getInputCount() == 0 || !node.getInput(0).equals(current)) {
            throw new ModelFormatException(where + ": expected its first input to be '" + current
                    + "' (the graph is read as one chain of layers), found " + node.getInputList());
        }
        if (node.getOutputCount() != 1) {
            throw new ModelFormatException(where + ": expected 1 output, found " + node.getOutputCount());
        }
        String output = node.getOutput(0);
        switch (node.getOpType()) {
            case "Identity":
                break;
            case "Flatten":
                if (pending != null || !layers.isEmpty()) {
                    throw new ModelFormatException(where + ": Flatten is read only at the input, before the first layer");
                }
                long axis = intAttribute(node, "axis", 1);
                if (axis != 1) {
                    throw new ModelFormatException(where + ": axis expected 1 (keep the batch, flatten the rest), found " + axis);
                }
                flattened = true;
                break;
            case "Gemm":
                finishLayer(null, where);
                pending = gemm(node, where);
                break;
            case "MatMul":
                finishLayer(null, where);
                Linear linear = weights(node, where, false);
                NodeProto next = k + 1 < graph.getNodeCount() ? graph.getNode(k + 1) : null;
                if (next != null && next.getOpType().equals("Add") && next.getInputCount() == 2 && next.getOutputCount() == 1) {
                    int biasInput = next.getInput(0).equals(output) ? 1 : next.getInput(1).equals(output) ? 0 : -1;
                    if (biasInput >= 0 && initializers.containsKey(next.getInput(biasInput))) {
                        String addWhere = "node " + (k + 1) + " '" + next.getName() + "' (Add)";
                        pending = linear.withBias(bias(next.getInput(biasInput), linear.outputs, addWhere, 1f));
                        current = next.getOutput(0);
                        return k + 1;
                    }
                }
                pending = linear;
                break;
            case "Tanh":
                finishLayer(Activation.TANH, where);
                break;
            case "Sigmoid":
                finishLayer(Activation.SIGMOID, where);
                break;
            case "Relu":
                finishLayer(Activation.RELU, where);
                break;
            case "Softplus":
                finishLayer(Activation.SOFTPLUS, where);
                break;
            case "LeakyRelu":
                float alpha = floatAttribute(node, "alpha", 0.01f);
                if (Math.abs(alpha - Activation.LEAKY_SLOPE) > 1e-6) {
                    throw new ModelFormatException(where + ": alpha expected " + Activation.LEAKY_SLOPE
                            + " (deltaprop's leaky_relu slope), found " + alpha);
                }
                finishLayer(Activation.LEAKY_RELU, where);
                break;
            case "Softmax":
                // opset 13 made the default the last axis; before it, 1: the same on [batch, n]
                long softmaxAxis = intAttribute(node, "axis", opset >= 13 ? -1 : 1);
                if (softmaxAxis != -1 && softmaxAxis != 1) {
                    throw new ModelFormatException(where + ": axis expected -1 or 1 (over each sample's outputs), found " + softmaxAxis);
                }
                finishLayer(Activation.SOFTMAX, where);
                break;
            default:
                throw new ModelFormatException(where + ": op " + node.getOpType() + " is not supported; deltaprop reads MLPs of "
                        + SUPPORTED);
        }
        current = output;
        return k;
    }

    /**
     * Ends the layer whose linear part is pending, with activation {@code f} (identity when
     * {@code f} is {@code null} and there is a pending part; nothing when there is none).
     */
    private void finishLayer(Activation f, String where) throws ModelFormatException {
        if (pending == null) {
            if (f != null) {
                throw new ModelFormatException(where + ": an activation without a Gemm or MatMul before it;"
                        + " deltaprop reads one activation per layer, after its linear part");
            }
            return;
        }
        Linear linear = pending;
        pending = null;
        if (!layers.isEmpty() && layers.get(layers.size() - 1).outputs() != linear.inputs) {
            throw new ModelFormatException(linear.where + ": its weights have " + linear.inputs + " rows, expected "
                    + layers.get(layers.size() - 1).outputs() + " (the outputs of the layer before)");
        }
        float[] bias = linear.bias == null ? new float[linear.outputs] : linear.bias;
        try {
            layers.add(new Layer(linear.inputs, linear.outputs, f == null ? Activation.IDENTITY : f, linear.weights, bias));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(linear.where + ": " + e.getMessage(), e);
        }
    }

    /** {@code Y = alpha · A B' + beta · C} with {@code B' = B} or {@code Bᵀ}: {@code W = alpha B'}, {@code b = beta C}. */
    private Linear gemm(NodeProto node, String where) throws ModelFormatException {
        if (intAttribute(node, "transA", 0) != 0) {
            throw new ModelFormatException(where + ": transA expected 0 (samples are rows), found 1");
        }
        long transB = intAttribute(node, "transB", 0);
        if (transB != 0 && transB != 1) {
            throw new ModelFormatException(where + ": transB expected 0 or 1, found " + transB);
        }
        float alpha = floatAttribute(node, "alpha", 1f);
        float beta = floatAttribute(node, "beta", 1f);
        Linear linear = weights(node, where, transB == 1);
        if (alpha != 1f) {
            for (int k = 0; k < linear.weights.length; k++) {
                linear.weights[k] *= alpha;
            }
        }
        boolean hasBias = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
        return hasBias ? linear.withBias(bias(node.getInput(2), linear.outputs, where, beta)) : linear;
    }

    /**
     * The linear part whose {@code W} ({@code [n_{l-1}, n_l]}, row-major) is the initialiser
     * {@code node.input[1]}, stored as {@code [n_{l-1}, n_l]}, or {@code [n_l, n_{l-1}]} when
     * {@code transposed} (PyTorch's {@code nn.Linear} keeps its weight so, and exports {@code transB = 1}).
     */
    private Linear weights(NodeProto node, String where, boolean transposed) throws ModelFormatException {
        TensorProto tensor = initializer(node, 1, where);
        if (tensor.getDimsCount() != 2) {
            throw new ModelFormatException(where + ": weights '" + tensor.getName() + "' expected 2 dims, found " + tensor.getDimsList());
        }
        int rows = (int) tensor.getDims(0);
        int columns = (int) tensor.getDims(1);
        float[] stored = OnnxTensors.floats(tensor);
        int inputs = transposed ? columns : rows;
        int outputs = transposed ? rows : columns;
        float[] w = new float[stored.length];
        for (int i = 0; i < inputs; i++) {
            for (int j = 0; j < outputs; j++) {
                w[i * outputs + j] = transposed ? stored[j * columns + i] : stored[i * columns + j];
            }
        }
        return new Linear(where, w, inputs, outputs, null);
    }

    /** The bias initialiser {@code name}, {@code [n]}, {@code [1, n]} or one number for all units, times {@code beta}. */
    private float[] bias(String name, int outputs, String where, float beta) throws ModelFormatException {
        TensorProto tensor = initializers.get(name);
        if (tensor == null) {
            throw new ModelFormatException(where + ": bias '" + name + "' expected an initializer, found a computed tensor");
        }
        float[] stored = OnnxTensors.floats(tensor);
        List<Long> dims = tensor.getDimsList();
        boolean row = dims.size() == 1 || (dims.size() == 2 && dims.get(0) == 1);
        if (!row && !dims.isEmpty() || stored.length != outputs && stored.length != 1) {
            throw new ModelFormatException(where + ": bias '" + name + "' expected dims [" + outputs + "] or [1, " + outputs
                    + "], found " + dims);
        }
        float[] bias = new float[outputs];
        for (int j = 0; j < outputs; j++) {
            bias[j] = beta * stored[stored.length == 1 ? 0 : j];
        }
        return bias;
    }

    private TensorProto initializer(NodeProto node, int index, String where) throws ModelFormatException {
        String name = node.getInputCount() > index ? node.getInput(index) : "";
        TensorProto tensor = initializers.get(name);
        if (tensor == null) {
            throw new ModelFormatException(where + ": input " + index + " '" + name
                    + "' expected an initializer (the layer's weights), found " + (name.isEmpty() ? "none" : "a computed tensor"));
        }
        return tensor;
    }

    /** The graph input's width, where its shape says it, must be the first layer's {@code n_0}. */
    private void checkInputWidth(ValueInfoProto input) throws ModelFormatException {
        List<TensorShapeProto.Dimension> dims = input.getType().getTensorType().getShape().getDimList();
        if (dims.size() < 2) {
            return;
        }
        long width = 1;
        for (TensorShapeProto.Dimension dim : dims.subList(1, dims.size())) {
            if (!dim.hasDimValue()) {
                return; // symbolic: only the weights say
            }
            width *= dim.getDimValue();
        }
        int expected = layers.get(0).inputs();
        if ((dims.size() > 2 && !flattened) || width != expected) {
            throw new ModelFormatException("graph.input '" + input.getName() + "': expected shape [batch, " + expected
                    + "] (the first layer's inputs)" + (flattened ? " or one that flattens to it" : "") + ", found "
                    + dims.size() + " dims of " + width + " values per sample");
        }
    }

    private static long intAttribute(NodeProto node, String name, long fallback) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals(name)) {
                return attribute.getI();
            }
        }
        return fallback;
    }

    private static float floatAttribute(NodeProto node, String name, float fallback) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals(name)) {
                return attribute.getF();
            }
        }
        return fallback;
    }

    /** {@code u = z W + b} of one layer before its activation; {@code bias} null for none. */
    private static final class Linear {
        final String where;
        final float[] weights;
        final int inputs;
        final int outputs;
        final float[] bias;

        Linear(String where, float[] weights, int inputs, int outputs, float[] bias) {
            this.where = where;
            this.weights = weights;
            this.inputs = inputs;
            this.outputs = outputs;
            this.bias = bias;
        }

        Linear withBias(float[] newBias) {
            return new Linear(where, weights, inputs, outputs, newBias);
        }
    }
}

package dev.deltaprop.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.model.Sizes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of {@link CheckpointFiles}, {@code checkpoint.json}: everything of a
 * {@link Checkpoint} but the numbers of the binary files. Floats are written by gson as Java's
 * shortest decimal that reads back to the same float (doubles likewise), so the configuration and
 * the losses round-trip exactly.
 */
final class CheckpointJson {

    /** The contents of one pair of binary files: the parameters, and the optimizer state arrays {@code [layer][slot]}. */
    record State(Network network, float[][][] weights, float[][][] bias) {
    }

    /** Reads the binary files an entry of the manifest names. */
    @FunctionalInterface
    interface StateReader {
        State read(JsonObject files, Network shape, Optimizer.Kind kind) throws IOException;
    }

    private CheckpointJson() {
    }

    static JsonObject encode(Checkpoint checkpoint) {
        JsonObject root = new JsonObject();
        root.addProperty("epoch", checkpoint.epoch());
        root.add("config", config(checkpoint.config()));
        root.add("network", shape(checkpoint.network()));
        root.addProperty("steps", checkpoint.optimizerState().steps());
        root.addProperty("samples", checkpoint.samples());
        root.addProperty("dataFingerprint", checkpoint.dataFingerprint());
        JsonArray history = new JsonArray();
        for (EpochSummary summary : checkpoint.history()) {
            JsonObject epoch = new JsonObject();
            epoch.addProperty("epoch", summary.epoch());
            epoch.addProperty("epochs", summary.epochs());
            epoch.addProperty("loss", summary.loss());
            epoch.addProperty("samples", summary.samples());
            epoch.addProperty("nanos", summary.nanos());
            history.add(epoch);
        }
        root.add("history", history);
        Checkpoint.Best best = checkpoint.best();
        if (best != null) {
            JsonObject b = new JsonObject();
            b.addProperty("epoch", best.epoch());
            b.addProperty("loss", best.loss());
            b.addProperty("patience", best.patience());
            b.addProperty("steps", best.optimizerState().steps());
            root.add("best", b);
        }
        return root;
    }

    static Checkpoint decode(JsonObject root, StateReader reader) throws IOException {
        TrainerConfig config = config(root.getAsJsonObject("config"));
        Network shape = shape(root.getAsJsonObject("network"));
        Optimizer.Kind kind = config.optimizer().kind();
        State state = reader.read(root.getAsJsonObject("files"), shape, kind);
        OptimizerState optimizerState = new OptimizerState(kind, root.get("steps").getAsLong(), state.weights(),
                state.bias());
        List<EpochSummary> history = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("history")) {
            JsonObject epoch = e.getAsJsonObject();
            history.add(new EpochSummary(epoch.get("epoch").getAsInt(), epoch.get("epochs").getAsInt(),
                    epoch.get("loss").getAsDouble(), epoch.get("samples").getAsInt(), epoch.get("nanos").getAsLong()));
        }
        Checkpoint.Best best = null;
        if (root.has("best")) {
            JsonObject b = root.getAsJsonObject("best");
            State kept = reader.read(b.getAsJsonObject("files"), shape, kind);
            best = new Checkpoint.Best(b.get("epoch").getAsInt(), b.get("loss").getAsDouble(), b.get("patience").getAsInt(),
                    kept.network(), new OptimizerState(kind, b.get("steps").getAsLong(), kept.weights(), kept.bias()));
        }
        return new Checkpoint(state.network(), optimizerState, config, root.get("epoch").getAsInt(), history,
                root.get("dataFingerprint").getAsLong(), root.get("samples").getAsInt(), best);
    }

    private static JsonObject config(TrainerConfig config) {
        JsonObject c = new JsonObject();
        c.addProperty("epochs", config.epochs());
        c.addProperty("batch", config.batch());
        c.addProperty("learningRate", config.learningRate());
        c.addProperty("shuffle", config.shuffle());
        c.addProperty("seed", config.seed());
        c.addProperty("schedule", config.schedule().name());
        c.addProperty("warmupEpochs", config.schedule().warmupEpochs());
        Optimizer o = config.optimizer();
        JsonObject optimizer = new JsonObject();
        optimizer.addProperty("kind", o.kind().id());
        optimizer.addProperty("momentum", o.momentum());
        optimizer.addProperty("beta1", o.beta1());
        optimizer.addProperty("beta2", o.beta2());
        optimizer.addProperty("epsilon", o.epsilon());
        optimizer.addProperty("weightDecay", o.weightDecay());
        c.add("optimizer", optimizer);
        return c;
    }

    private static TrainerConfig config(JsonObject c) {
        JsonObject o = c.getAsJsonObject("optimizer");
        Optimizer optimizer = Optimizer.builder(Optimizer.Kind.parse(o.get("kind").getAsString()))
                .momentum(o.get("momentum").getAsFloat()).beta1(o.get("beta1").getAsFloat())
                .beta2(o.get("beta2").getAsFloat()).epsilon(o.get("epsilon").getAsFloat())
                .weightDecay(o.get("weightDecay").getAsFloat()).build();
        LearningRateSchedule schedule = LearningRateSchedule.parse(c.get("schedule").getAsString())
                .withWarmup(c.get("warmupEpochs").getAsInt());
        return TrainerConfig.builder().epochs(c.get("epochs").getAsInt()).batch(c.get("batch").getAsInt())
                .learningRate(c.get("learningRate").getAsFloat()).shuffle(c.get("shuffle").getAsBoolean())
                .seed(c.get("seed").getAsLong()).optimizer(optimizer).schedule(schedule).build();
    }

    /** The architecture: the loss and each layer's widths and activation. */
    private static JsonObject shape(Network network) {
        JsonObject n = new JsonObject();
        n.addProperty("loss", network.loss().id());
        JsonArray layers = new JsonArray();
        for (Layer layer : network.layers()) {
            JsonObject l = new JsonObject();
            l.addProperty("inputs", layer.inputs());
            l.addProperty("outputs", layer.outputs());
            l.addProperty("activation", layer.activation().id());
            layers.add(l);
        }
        n.add("layers", layers);
        return n;
    }

    /** The architecture with zero parameters, which the binary file then fills in. */
    private static Network shape(JsonObject n) {
        List<Layer> layers = new ArrayList<>();
        // the widths first, checked against one array and the heap before any layer is allocated:
        // the binary files that must match them are read only afterwards
        JsonArray list = n.getAsJsonArray("layers");
        long parameters = 0;
        StringBuilder shape = new StringBuilder();
        for (int k = 0; k < list.size(); k++) {
            JsonObject l = list.get(k).getAsJsonObject();
            int inputs = l.get("inputs").getAsInt();
            int outputs = l.get("outputs").getAsInt();
            if (inputs < 1 || outputs < 1) {
                throw new IllegalArgumentException("network.layers: expected widths of at least 1, found " + inputs
                        + " × " + outputs);
            }
            Sizes.elements("network.layers[" + k + "]: inputs × outputs", inputs, outputs);
            // per layer, not from a widths array: a damaged manifest's layers need not fit together
            parameters = Math.min(Long.MAX_VALUE / 2, parameters + Sizes.multiply(inputs + 1L, outputs));
            shape.append(k == 0 ? "" : ", ").append(inputs).append(" × ").append(outputs);
        }
        // the zero network here, the parameters read, and the network made of them
        MemoryEstimate.requireHeap("network.layers (" + shape + ")", MemoryEstimate.bytes(parameters, 3 * Float.BYTES));
        for (JsonElement e : list) {
            JsonObject l = e.getAsJsonObject();
            int inputs = l.get("inputs").getAsInt();
            int outputs = l.get("outputs").getAsInt();
            layers.add(new Layer(inputs, outputs, Activation.parse(l.get("activation").getAsString()),
                    new float[inputs * outputs], new float[outputs]));
        }
        return new Network(layers, Loss.parse(n.get("loss").getAsString()));
    }
}

package dev.deltaprop.io;

import com.google.gson.FormattingStyle;
import com.google.gson.stream.JsonWriter;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes a model file, format v1 or v2:
 *
 * <pre>
 * {"format": "deltaprop-mlp", "version": 1, "loss": "squared_error",
 *  "layers": [{"inputs": 2, "outputs": 3, "activation": "tanh",
 *              "weights": [[b1, b2, b3], [w11, w12, w13], [w21, w22, w23]]}]}
 * </pre>
 *
 * <p>{@code weights} has {@code inputs + 1} rows of {@code outputs} numbers: row 0 is the bias
 * {@code w^l_0j}, row {@code i} holds {@code w^l_ij} — the derivation's own indexing, so a reader
 * can check a file against it by hand. Numbers are written with {@link Float#toString}, the
 * shortest text that reads back as the same float32, so a save and a load give the same bits.
 * Each row is one line.
 *
 * <p>Version 2 has the same fields and the same {@code weights} layout; it is the version that may
 * name the {@code cross_entropy} loss and the {@code softmax} activation, which a reader of v1 does
 * not know. A network that needs neither is still written as version 1 ({@link #version(Network)}),
 * so that files stay readable by older deltaprop wherever they can be.
 */
public final class ModelWriter {
    /** The value of {@code "format"}. */
    public static final String FORMAT = "deltaprop-mlp";
    /** The version of a file whose network v1 can express: squared error, no softmax. */
    public static final int VERSION = 1;
    /** The newest version: adds the {@code cross_entropy} loss and the {@code softmax} activation. */
    public static final int VERSION_2 = 2;

    private ModelWriter() {
    }

    /** Writes {@code network} to {@code out} (flushed, not closed). */
    public static void write(Network network, Writer out) throws IOException {
        JsonWriter json = new JsonWriter(out);
        json.setFormattingStyle(FormattingStyle.PRETTY);
        json.beginObject();
        json.name("format").value(FORMAT);
        json.name("version").value(version(network));
        json.name("loss").value(network.loss().id());
        json.name("layers").beginArray();
        for (Layer layer : network.layers()) {
            json.beginObject();
            json.name("inputs").value(layer.inputs());
            json.name("outputs").value(layer.outputs());
            json.name("activation").value(layer.activation().id());
            json.name("weights").beginArray();
            // a row per line (the pretty style would put every number on a line of its own)
            json.jsonValue(row(layer.bias(), 0, layer.outputs()));
            float[] weights = layer.weights();
            for (int i = 0; i < layer.inputs(); i++) {
                json.jsonValue(row(weights, i * layer.outputs(), layer.outputs()));
            }
            json.endArray();
            json.endObject();
        }
        json.endArray();
        json.endObject();
        json.flush();
        out.write('\n');
        out.flush();
    }

    /**
     * The version {@code network} is written as: {@link #VERSION_2} when its loss is cross entropy or a
     * layer is softmax, else {@link #VERSION} (1).
     */
    public static int version(Network network) {
        return v2Field(network.layers(), network.loss()) == null ? VERSION : VERSION_2;
    }

    /**
     * The first field of a file of these layers and this loss that needs version 2 ({@code "loss"} or
     * {@code "layers[l].activation"}), or {@code null} when v1 expresses it all.
     */
    static String v2Field(List<Layer> layers, Loss loss) {
        if (loss == Loss.CROSS_ENTROPY) {
            return "loss";
        }
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l).activation() == Activation.SOFTMAX) {
                return "layers[" + l + "].activation";
            }
        }
        return null;
    }

    private static String row(float[] values, int from, int count) {
        StringBuilder s = new StringBuilder(count * 14).append('[');
        for (int j = 0; j < count; j++) {
            if (j > 0) {
                s.append(", ");
            }
            s.append(Float.toString(values[from + j]));
        }
        return s.append(']').toString();
    }
}

package dev.deltaprop.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a model file, format v1 or v2 (see {@link ModelWriter}), and checks everything in it: the
 * format name and version, the loss, and per layer the sizes, the activation, the number of
 * rows ({@code inputs + 1}) and of numbers per row ({@code outputs}), that every number is a
 * finite float32, and that consecutive layers agree ({@code layers[l].inputs = layers[l-1].outputs}).
 * A version 1 file may not use what version 2 added (the {@code cross_entropy} loss, the
 * {@code softmax} activation), and the loss must pair with the output activation as DESIGN §1b
 * says; either refusal names the field.
 *
 * <p>Numbers are read as the text the file holds and converted with {@link Float#parseFloat},
 * so a file written by {@link ModelWriter} (which uses {@link Float#toString}) reads back bit
 * for bit. A problem is a {@link ModelFormatException} naming the place, e.g.
 * {@code layers[1].weights[3]: expected 64 numbers, found 63}.
 */
public final class ModelReader {
    private static final Pattern LOCATION = Pattern.compile("line (\\d+) column (\\d+)");

    private ModelReader() {
    }

    /** Reads a whole model from {@code in} (which is not closed). */
    public static Network read(Reader in) throws IOException {
        JsonReader reader = new JsonReader(in);
        // strict: no comments, no NaN literals, no trailing second document
        reader.setStrictness(Strictness.STRICT);
        try {
            Network network = document(reader);
            boolean end;
            try {
                end = reader.peek() == JsonToken.END_DOCUMENT;
            } catch (MalformedJsonException e) {
                end = false;
            }
            if (!end) {
                throw new ModelFormatException("(after the model): expected the end of the file, found more");
            }
            return network;
        } catch (EOFException e) {
            throw new ModelFormatException(place(reader) + ": truncated: the file ends here" + location(e), e);
        } catch (MalformedJsonException e) {
            throw new ModelFormatException(place(reader) + ": not valid JSON: " + firstSentence(e.getMessage()), e);
        } catch (IllegalStateException | NumberFormatException e) {
            // the reader's own type errors, for anything the checks below did not anticipate
            throw new ModelFormatException(place(reader) + ": " + firstSentence(e.getMessage()), e);
        }
    }

    private static Network document(JsonReader reader) throws IOException {
        expect(reader, JsonToken.BEGIN_OBJECT, "(top level)", "a JSON object");
        reader.beginObject();
        String format = null;
        Integer version = null;
        String loss = null;
        List<Layer> layers = null;
        Set<String> seen = new HashSet<>();
        while (reader.hasNext()) {
            String name = reader.nextName();
            if (!seen.add(name)) {
                throw new ModelFormatException(name + ": given twice");
            }
            switch (name) {
                case "format":
                    format = string(reader, "format");
                    if (!format.equals(ModelWriter.FORMAT)) {
                        throw new ModelFormatException("format: expected \"" + ModelWriter.FORMAT + "\", found \""
                                + format + "\"");
                    }
                    break;
                case "version":
                    version = integer(reader, "version");
                    if (version != ModelWriter.VERSION && version != ModelWriter.VERSION_2) {
                        throw new ModelFormatException("version: expected " + ModelWriter.VERSION + " or "
                                + ModelWriter.VERSION_2 + ", found " + version + " (this deltaprop reads format versions "
                                + ModelWriter.VERSION + " and " + ModelWriter.VERSION_2 + ")");
                    }
                    break;
                case "loss":
                    loss = string(reader, "loss");
                    break;
                case "layers":
                    layers = layers(reader);
                    break;
                default:
                    throw new ModelFormatException(name + ": unknown field, expected format, version, loss, layers");
            }
        }
        reader.endObject();
        required(format, "format", "\"" + ModelWriter.FORMAT + "\"");
        required(version, "version", ModelWriter.VERSION + " or " + ModelWriter.VERSION_2);
        required(loss, "loss", "\"squared_error\" or \"cross_entropy\"");
        required(layers, "layers", "a list of layers");
        Loss parsedLoss;
        try {
            parsedLoss = Loss.parse(loss);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("loss: " + e.getMessage());
        }
        if (version == ModelWriter.VERSION) {
            String v2 = ModelWriter.v2Field(layers, parsedLoss);
            if (v2 != null) {
                throw new ModelFormatException(v2 + ": " + (v2.equals("loss") ? parsedLoss.id() : Activation.SOFTMAX.id())
                        + " needs format version " + ModelWriter.VERSION_2 + ", found \"version\": " + version);
            }
        }
        try {
            return new Network(layers, parsedLoss);
        } catch (IllegalArgumentException e) {
            // a pairing DESIGN §1b refuses (softmax with squared error, …): Network's message starts
            // with the field, "loss: …" or "layers[l].activation: …", as every message here does
            throw new ModelFormatException(e.getMessage(), e);
        }
    }

    private static List<Layer> layers(JsonReader reader) throws IOException {
        expect(reader, JsonToken.BEGIN_ARRAY, "layers", "a list of layers");
        reader.beginArray();
        List<Layer> layers = new ArrayList<>();
        while (reader.hasNext()) {
            Layer layer = layer(reader, "layers[" + layers.size() + "]");
            if (!layers.isEmpty() && layer.inputs() != layers.get(layers.size() - 1).outputs()) {
                throw new ModelFormatException("layers[" + layers.size() + "].inputs: expected "
                        + layers.get(layers.size() - 1).outputs() + " (the outputs of layers[" + (layers.size() - 1)
                        + "]), found " + layer.inputs());
            }
            layers.add(layer);
        }
        reader.endArray();
        if (layers.isEmpty()) {
            throw new ModelFormatException("layers: expected at least 1 layer, found none");
        }
        return layers;
    }

    private static Layer layer(JsonReader reader, String place) throws IOException {
        expect(reader, JsonToken.BEGIN_OBJECT, place, "a layer object");
        reader.beginObject();
        Integer inputs = null;
        Integer outputs = null;
        Activation activation = null;
        List<float[]> rows = null;
        Set<String> seen = new HashSet<>();
        while (reader.hasNext()) {
            String name = reader.nextName();
            String field = place + "." + name;
            if (!seen.add(name)) {
                throw new ModelFormatException(field + ": given twice");
            }
            switch (name) {
                case "inputs":
                    inputs = positive(reader, field);
                    break;
                case "outputs":
                    outputs = positive(reader, field);
                    break;
                case "activation":
                    String id = string(reader, field);
                    try {
                        activation = Activation.parse(id);
                    } catch (IllegalArgumentException e) {
                        throw new ModelFormatException(field + ": " + e.getMessage());
                    }
                    break;
                case "weights":
                    rows = rows(reader, field);
                    break;
                default:
                    throw new ModelFormatException(field + ": unknown field, expected inputs, outputs, activation, weights");
            }
        }
        reader.endObject();
        required(inputs, place + ".inputs", "a whole number ≥ 1");
        required(outputs, place + ".outputs", "a whole number ≥ 1");
        required(activation, place + ".activation", "one of " + Activation.names());
        required(rows, place + ".weights", (inputs + 1L) + " rows of " + outputs + " numbers");
        // in long: inputs + 1 wraps for the largest int
        if (rows.size() != inputs + 1L) {
            throw new ModelFormatException(place + ".weights: expected " + (inputs + 1L)
                    + " rows (inputs + 1: the bias row 0, then one row per input), found " + rows.size());
        }
        // every row checked against what the file holds before the weights are allocated, so that a
        // small file claiming a billion outputs is refused, not an 8 GB allocation
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r).length != outputs) {
                throw new ModelFormatException(place + ".weights[" + r + "]: expected " + outputs + " numbers, found "
                        + rows.get(r).length);
            }
        }
        float[] weights = new float[inputs * outputs]; // the rows hold inputs × outputs numbers: it fits
        for (int r = 1; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, weights, (r - 1) * outputs, outputs);
        }
        return new Layer(inputs, outputs, activation, weights, rows.get(0));
    }

    private static List<float[]> rows(JsonReader reader, String place) throws IOException {
        expect(reader, JsonToken.BEGIN_ARRAY, place, "a list of rows");
        reader.beginArray();
        List<float[]> rows = new ArrayList<>();
        while (reader.hasNext()) {
            String rowPlace = place + "[" + rows.size() + "]";
            expect(reader, JsonToken.BEGIN_ARRAY, rowPlace, "a row of numbers");
            reader.beginArray();
            float[] row = new float[16];
            int count = 0;
            while (reader.hasNext()) {
                if (count == row.length) {
                    row = java.util.Arrays.copyOf(row, row.length * 2);
                }
                row[count] = number(reader, rowPlace + "[" + count + "]");
                count++;
            }
            reader.endArray();
            rows.add(java.util.Arrays.copyOf(row, count));
        }
        reader.endArray();
        return rows;
    }

    /** A JSON number, as float32, finite. */
    private static float number(JsonReader reader, String place) throws IOException {
        expect(reader, JsonToken.NUMBER, place, "a number");
        String text = reader.nextString();
        float value = Float.parseFloat(text);
        if (!Float.isFinite(value)) {
            throw new ModelFormatException(place + ": expected a finite float32 number, found " + text);
        }
        return value;
    }

    private static int integer(JsonReader reader, String place) throws IOException {
        expect(reader, JsonToken.NUMBER, place, "a whole number");
        String text = reader.nextString();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ModelFormatException(place + ": expected a whole number, found " + text);
        }
    }

    private static int positive(JsonReader reader, String place) throws IOException {
        int value = integer(reader, place);
        if (value < 1) {
            throw new ModelFormatException(place + ": expected a whole number ≥ 1, found " + value);
        }
        return value;
    }

    private static String string(JsonReader reader, String place) throws IOException {
        expect(reader, JsonToken.STRING, place, "a string");
        return reader.nextString();
    }

    private static void expect(JsonReader reader, JsonToken token, String place, String what) throws IOException {
        JsonToken found = reader.peek();
        if (found != token) {
            throw new ModelFormatException(place + ": expected " + what + ", found " + describe(found));
        }
    }

    private static void required(Object value, String place, String what) throws ModelFormatException {
        if (value == null) {
            throw new ModelFormatException(place + ": missing, expected " + what);
        }
    }

    private static String describe(JsonToken token) {
        switch (token) {
            case BEGIN_ARRAY: return "a list";
            case BEGIN_OBJECT: return "an object";
            case STRING: return "a string";
            case NUMBER: return "a number";
            case BOOLEAN: return "true/false";
            case NULL: return "null";
            case END_DOCUMENT: return "the end of the file";
            default: return "the end of the enclosing list or object";
        }
    }

    /** Where the reader is, as the model's own field names: {@code layers[0].weights[1][2]}. */
    private static String place(JsonReader reader) {
        String path = reader.getPath();
        if (path.equals("$") || path.isEmpty()) {
            return "(top level)";
        }
        return path.startsWith("$.") ? path.substring(2) : path.substring(1);
    }

    private static String location(Exception e) {
        Matcher m = LOCATION.matcher(String.valueOf(e.getMessage()));
        return m.find() ? " (line " + m.group(1) + ", column " + m.group(2) + ")" : "";
    }

    /** Gson's message without its trailing link to a troubleshooting page. */
    private static String firstSentence(String message) {
        if (message == null) {
            return "unreadable";
        }
        int see = message.indexOf("\nSee ");
        if (see < 0) {
            see = message.indexOf(" See https:");
        }
        String text = (see >= 0 ? message.substring(0, see) : message).strip();
        // the place is already named at the start of our message; gson's advice is for programmers
        int path = text.indexOf(" path $");
        if (path >= 0) {
            text = text.substring(0, path);
        }
        return text.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
    }
}

package dev.deltaprop.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A folder holding the latest {@link Checkpoint} of a run, replaced as a whole each time.
 *
 * <p>Layout: {@code checkpoint.json}, the manifest, names the binary files of its checkpoint and
 * their SHA-256; the binary files hold the parameters ({@code *.parameters}: per layer
 * {@code w^l} row-major {@code n_{l-1} × n_l}, then {@code b^l}) and the optimizer's state
 * ({@code *.optimizer}: per layer, per slot, the weights' then the bias' state), as little-endian
 * float32, the exact bits the backend held. A write puts new binary files under fresh names, forces
 * them to disk, then writes the manifest to a temporary file and moves it over
 * {@code checkpoint.json} in one atomic rename, and only then deletes the files of the previous
 * checkpoint. So a crash at any moment leaves either the previous checkpoint or the new one, whole.
 *
 * <p>Why here and not in {@code io}: a checkpoint is the trainer's memory (epoch, schedule position,
 * shuffling state, early stopping), which {@code io} may not see (it may use only {@code model}),
 * and {@code train} may not use {@code io}'s model files. It needs no model-file format either: the
 * parameters are stored as raw bits, so resuming is exact by construction, and the architecture as
 * the manifest's few names. The final model is still saved by {@code io} as a model file.
 */
public final class CheckpointFiles {
    /** The manifest's name in the folder. */
    public static final String MANIFEST = "checkpoint.json";
    private static final String FORMAT = "deltaprop-checkpoint";
    private static final int VERSION = 1;

    private final Path directory;

    /** @param directory the folder; created (with its parents) by the first {@link #write} */
    public CheckpointFiles(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    public Path directory() {
        return directory;
    }

    /** Whether the folder holds a checkpoint (a manifest). */
    public boolean exists() {
        return Files.isRegularFile(directory.resolve(MANIFEST));
    }

    /**
     * Writes {@code checkpoint}, replacing the folder's previous one atomically (see the class comment).
     *
     * @throws IOException if a file cannot be written; the previous checkpoint is then still whole
     */
    public void write(Checkpoint checkpoint) throws IOException {
        Files.createDirectories(directory);
        String tag = String.format("epoch-%06d-%s", checkpoint.epoch(), UUID.randomUUID().toString().substring(0, 8));
        JsonObject manifest = CheckpointJson.encode(checkpoint);
        manifest.addProperty("format", FORMAT);
        manifest.addProperty("version", VERSION);
        manifest.add("files", writeState(tag, checkpoint.network(), checkpoint.optimizerState()));
        if (checkpoint.best() != null) {
            manifest.getAsJsonObject("best").add("files",
                    writeState(tag + "-best", checkpoint.best().network(), checkpoint.best().optimizerState()));
        }
        Path temporary = directory.resolve("." + MANIFEST + "." + tag + ".tmp");
        try {
            force(temporary, manifest.toString().getBytes(StandardCharsets.UTF_8));
            try {
                Files.move(temporary, directory.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(directory + ": the file system cannot replace " + MANIFEST + " atomically", e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        deleteAllBut(referenced(manifest));
    }

    /**
     * Reads the folder's checkpoint.
     *
     * @throws NoSuchFileException if the folder has no {@code checkpoint.json}
     * @throws IOException         naming the file and the field when it is damaged or does not fit together
     */
    public Checkpoint read() throws IOException {
        Path path = directory.resolve(MANIFEST);
        JsonObject manifest;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new IOException(path + ": expected a JSON object");
            }
            manifest = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(path + ": not a checkpoint manifest (" + e.getMessage() + ")", e);
        }
        try {
            if (!manifest.has("format") || !FORMAT.equals(manifest.get("format").getAsString())) {
                throw new IOException(path + ": format: expected \"" + FORMAT + "\"");
            }
            int version = manifest.get("version").getAsInt();
            if (version != VERSION) {
                throw new IOException(path + ": version: expected " + VERSION + ", found " + version);
            }
            return CheckpointJson.decode(manifest, this::readState);
        } catch (RuntimeException e) {
            // a missing field or a value of the wrong type (gson's), or a refused value (ours)
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    /** Binary parameters and optimizer state, under names starting with {@code tag}; returns their manifest entry. */
    private JsonObject writeState(String tag, Network network, OptimizerState state) throws IOException {
        List<float[]> parameters = new ArrayList<>();
        List<float[]> slots = new ArrayList<>();
        for (int l = 0; l < network.depth(); l++) {
            parameters.add(network.layer(l).weights());
            parameters.add(network.layer(l).bias());
            for (int s = 0; s < state.kind().slots(); s++) {
                slots.add(state.weights(l, s));
                slots.add(state.bias(l, s));
            }
        }
        JsonObject files = new JsonObject();
        files.add("parameters", writeFloats(tag + ".parameters", parameters));
        files.add("optimizer", writeFloats(tag + ".optimizer", slots));
        return files;
    }

    private JsonObject writeFloats(String name, List<float[]> arrays) throws IOException {
        int count = arrays.stream().mapToInt(a -> a.length).sum();
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(count, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] a : arrays) {
            bytes.asFloatBuffer().put(a);
            bytes.position(bytes.position() + a.length * Float.BYTES);
        }
        byte[] content = bytes.array();
        force(directory.resolve(name), content);
        JsonObject entry = new JsonObject();
        entry.addProperty("name", name);
        entry.addProperty("floats", count);
        entry.addProperty("sha256", sha256(content));
        return entry;
    }

    /** The parameters and optimizer state of a manifest entry, checked against its size and SHA-256. */
    private CheckpointJson.State readState(JsonObject files, Network shape, Optimizer.Kind kind) throws IOException {
        float[] parameters = readFloats(files.getAsJsonObject("parameters"));
        float[] slots = readFloats(files.getAsJsonObject("optimizer"));
        List<Layer> layers = new ArrayList<>();
        int p = 0;
        int o = 0;
        float[][][] w = new float[shape.depth()][kind.slots()][];
        float[][][] b = new float[shape.depth()][kind.slots()][];
        for (int l = 0; l < shape.depth(); l++) {
            Layer layer = shape.layer(l);
            int weights = layer.inputs() * layer.outputs();
            int bias = layer.outputs();
            // in long: these sums of sizes may pass 2^31 for a damaged manifest
            if ((long) p + weights + bias > parameters.length
                    || o + (long) kind.slots() * (weights + (long) bias) > slots.length) {
                throw new IOException(directory + ": the binary files are shorter than the manifest's layers");
            }
            layers.add(layer.withParameters(slice(parameters, p, weights), slice(parameters, p + weights, bias)));
            p += weights + bias;
            for (int s = 0; s < kind.slots(); s++) {
                w[l][s] = slice(slots, o, weights);
                b[l][s] = slice(slots, o + weights, bias);
                o += weights + bias;
            }
        }
        if (p != parameters.length || o != slots.length) {
            throw new IOException(directory + ": the binary files are longer than the manifest's layers");
        }
        return new CheckpointJson.State(new Network(layers, shape.loss()), w, b);
    }

    private float[] readFloats(JsonObject entry) throws IOException {
        String name = entry.get("name").getAsString();
        Path file = directory.resolve(name);
        if (!name.matches("epoch-[0-9a-z-]+\\.(parameters|optimizer)")) {
            throw new IOException(MANIFEST + ": files: expected a file name in the folder, found '" + name + "'");
        }
        byte[] content = Files.readAllBytes(file);
        long floats = entry.get("floats").getAsLong();
        if (content.length != floats * Float.BYTES) {
            throw new IOException(file + ": expected " + floats * Float.BYTES + " bytes (" + floats + " floats), found "
                    + content.length + " (truncated?)");
        }
        if (!sha256(content).equals(entry.get("sha256").getAsString())) {
            throw new IOException(file + ": its SHA-256 is not the manifest's: the file is damaged");
        }
        float[] values = new float[(int) floats];
        ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static float[] slice(float[] values, int from, int count) {
        float[] out = new float[count];
        System.arraycopy(values, from, out, 0, count);
        return out;
    }

    /** Writes a new file and forces it to disk, so that the manifest never names a file still in a cache. */
    private static void force(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static Set<String> referenced(JsonObject manifest) {
        Set<String> names = new java.util.HashSet<>();
        names.add(MANIFEST);
        for (JsonObject files : manifest.has("best") && manifest.getAsJsonObject("best").has("files")
                ? List.of(manifest.getAsJsonObject("files"), manifest.getAsJsonObject("best").getAsJsonObject("files"))
                : List.of(manifest.getAsJsonObject("files"))) {
            names.add(files.getAsJsonObject("parameters").get("name").getAsString());
            names.add(files.getAsJsonObject("optimizer").get("name").getAsString());
        }
        return names;
    }

    /**
     * Deletes the files earlier checkpoints left (their binaries, and the temporary manifest of a write
     * that was cut short), keeping anything this class did not write.
     */
    private void deleteAllBut(Set<String> keep) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
                "{epoch-*.parameters,epoch-*.optimizer,." + MANIFEST + ".epoch-*.tmp}")) {
            for (Path entry : entries) {
                if (!keep.contains(entry.getFileName().toString())) {
                    Files.deleteIfExists(entry);
                }
            }
        }
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}

package dev.deltaprop.io;

import dev.deltaprop.io.onnx.OnnxExport;
import dev.deltaprop.io.onnx.OnnxImport;
import dev.deltaprop.model.Network;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loading and saving models by path: deltaprop's own JSON (format v1, see {@link ModelWriter}) and
 * ONNX ({@link #writeOnnx}, {@link #readOnnx}; the graph is described in {@link OnnxExport} and
 * {@link OnnxImport}). {@link #read} takes either, by the file's name.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * Reads and checks the model in {@code file}.
     *
     * @throws ModelFormatException naming the file and the place in it when it is not a valid model
     * @throws IOException          when it cannot be read at all
     */
    public static Network load(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (var in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            return ModelReader.read(in);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file + ": not a text file (not UTF-8)", e);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (java.nio.file.FileSystemException e) {
            throw e;
        } catch (IOException e) {
            // e.g. "Is a directory": say which file
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the model in {@code file}: ONNX when its name ends in {@code .onnx} (any case), else
     * deltaprop's JSON.
     *
     * @throws ModelFormatException naming the file and the place in it when it is not a valid model
     * @throws IOException          when it cannot be read at all
     */
    public static Network read(Path file) throws IOException {
        return isOnnx(file) ? readOnnx(file) : load(file);
    }

    /** Whether {@code file} is named as an ONNX model ({@code *.onnx}). */
    public static boolean isOnnx(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /**
     * Reads an ONNX model whose graph is a multilayer perceptron ({@link OnnxImport} lists what
     * that means), e.g. one that {@code torch.onnx.export} wrote from an {@code nn.Sequential} of
     * {@code nn.Linear} layers and activations.
     *
     * @throws ModelFormatException naming the file and the node, op or tensor that deltaprop cannot read
     * @throws IOException          when it cannot be read at all
     */
    public static Network readOnnx(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (java.nio.file.FileSystemException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        try {
            return OnnxImport.fromBytes(bytes);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code network} to {@code file} as an ONNX model (IR version
     * {@value OnnxExport#IR_VERSION}, opset {@value OnnxExport#OPSET_VERSION}; input {@code x} and
     * output {@code y}, float32 {@code [batch, n]}), through a temporary file moved into place.
     */
    public static void writeOnnx(Network network, Path file) throws IOException {
        String version = ModelFiles.class.getPackage().getImplementationVersion();
        AtomicFile.write(file, OnnxExport.toBytes(network, version));
    }

    /**
     * Writes {@code network} to {@code file} through a temporary file in the same folder that is
     * moved into place, so a failure never damages a previous file of that name.
     */
    public static void save(Network network, Path file) throws IOException {
        AtomicFile.write(file, out -> ModelWriter.write(network, out));
    }
}

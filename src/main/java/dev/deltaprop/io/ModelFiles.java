package dev.deltaprop.io;

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

/** Loading and saving model files (format v1, see {@link ModelWriter}) by path. */
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
     * Writes {@code network} to {@code file} through a temporary file in the same folder that is
     * moved into place, so a failure never damages a previous file of that name.
     */
    public static void save(Network network, Path file) throws IOException {
        AtomicFile.write(file, out -> ModelWriter.write(network, out));
    }
}

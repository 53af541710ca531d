package dev.deltaprop.cli;

import dev.deltaprop.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a command writes, checked before it does any work: each can be saved (a regular file
 * or none, links followed, in a folder that takes a new file — see {@link AtomicFile#checkWritable}),
 * none is one of the command's inputs ({@link Files#isSameFile}, so through links and hard links),
 * and no two outputs are the same file. A long run is never lost to a path that was wrong from
 * the start, and no command overwrites what it reads.
 */
final class OutputFiles {
    private final List<String> inputOptions = new ArrayList<>();
    private final List<Path> inputs = new ArrayList<>();
    private final List<String> outputOptions = new ArrayList<>();
    private final List<Path> outputs = new ArrayList<>();
    private final List<String> folderOptions = new ArrayList<>();
    private final List<Path> folders = new ArrayList<>();

    /** An input of the command ({@code null}: the option was not given). */
    OutputFiles input(String option, Path path) {
        if (path != null) {
            inputOptions.add(option);
            inputs.add(path);
        }
        return this;
    }

    /** An output of the command ({@code null}: the option was not given). */
    OutputFiles output(String option, Path path) {
        if (path != null) {
            outputOptions.add(option);
            outputs.add(path);
        }
        return this;
    }

    /**
     * A folder the command writes files into, created if missing ({@code null}: not given): it must
     * be a folder, or not exist under a folder that takes a new file.
     */
    OutputFiles folder(String option, Path path) {
        if (path != null) {
            folderOptions.add(option);
            folders.add(path);
        }
        return this;
    }

    /**
     * Checks every output as described above.
     *
     * @throws IOException naming the option and the path when an output cannot be written
     * @throws IllegalArgumentException naming both options when an output is an input or another output
     */
    void check() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int k = 0; k < outputs.size(); k++) {
            Path file;
            try {
                file = AtomicFile.checkWritable(outputs.get(k), 0);
            } catch (IOException e) {
                throw new IOException(outputOptions.get(k) + " " + e.getMessage(), e);
            }
            for (int i = 0; i < inputs.size(); i++) {
                if (Files.exists(file) && Files.exists(inputs.get(i)) && Files.isSameFile(file, inputs.get(i))) {
                    throw same(k, inputOptions.get(i), inputs.get(i), "; refusing to overwrite an input");
                }
            }
            for (int j = 0; j < k; j++) {
                if (file.equals(files.get(j))) {
                    throw same(k, outputOptions.get(j), outputs.get(j), "; give each output its own file");
                }
            }
            files.add(file);
        }
        for (int k = 0; k < folders.size(); k++) {
            checkFolder(folderOptions.get(k), folders.get(k));
        }
    }

    /** The folder, or the nearest folder above it that exists (where it will be created), takes a new file. */
    private static void checkFolder(String option, Path folder) throws IOException {
        Path existing = folder.toAbsolutePath().normalize();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing)) {
            throw new IOException(option + " " + folder + ": expected a folder, found "
                    + (existing.equals(folder.toAbsolutePath().normalize()) ? "a file" : "the file " + existing)
                    + " there");
        }
        try {
            AtomicFile.checkWritable(existing.resolve(".deltaprop-probe"), 0);
        } catch (IOException e) {
            throw new IOException(option + " " + folder + ": cannot write in " + existing + " ("
                    + e.getMessage().replace(existing.resolve(".deltaprop-probe") + ": ", "") + ")", e);
        }
    }

    private IllegalArgumentException same(int output, String otherOption, Path other, String advice) {
        return new IllegalArgumentException(outputOptions.get(output) + " " + outputs.get(output)
                + ": expected a file of its own, found the same file as " + otherOption + " " + other + advice);
    }
}

package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.io.NpyArray;
import dev.deltaprop.io.NpyWriter;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #3, #4, #5: every output of a command is checked before any work — a regular file (or
 * none) through its links, never one of the inputs or another output, in a folder that takes a
 * file — so a long run is never lost to a path that was wrong from the start.
 */
class OutputPathsTest {
    @TempDir
    Path folder;

    private Path xor() throws IOException {
        return Files.writeString(folder.resolve("xor.csv"), "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    }

    private static void assertRefusedBeforeTraining(Cli cli, String... words) {
        assertEquals(1, cli.exitCode, cli.toString());
        for (String word : words) {
            assertTrue(cli.err.contains(word), "'" + word + "' in: " + cli.err);
        }
        assertFalse(cli.out.contains("epoch"), "refused before training: " + cli.out);
    }

    @Test
    void trainingDataAreNeverTheSaveFile() throws IOException {
        Path data = xor();
        byte[] before = Files.readAllBytes(data);
        Cli cli = Cli.run("train", "--data", data.toString(), "--layers", "2-4-1", "--epochs", "3",
                "--backend", "reference", "--save", data.toString());
        assertRefusedBeforeTraining(cli, "--save", "--data", "the same file");
        assertArrayEquals(before, Files.readAllBytes(data));
        // through a link too
        Path link = Files.createSymbolicLink(folder.resolve("link.json"), data.getFileName());
        Cli linked = Cli.run("train", "--data", data.toString(), "--layers", "2-4-1", "--epochs", "3",
                "--backend", "reference", "--save", link.toString());
        assertRefusedBeforeTraining(linked, "--save", "--data");
        assertArrayEquals(before, Files.readAllBytes(data));
    }

    @Test
    void theInitialModelIsNeverThePlot() throws IOException {
        Path data = xor();
        Path model = folder.resolve("m.json");
        ModelFiles.save(Network.builder(2).layer(1, Activation.IDENTITY).build(1), model);
        Path plot = folder.resolve("m.svg");
        Cli cli = Cli.run("train", "--data", data.toString(), "--init", model.toString(), "--epochs", "1",
                "--backend", "reference", "--save", plot.toString(), "--plot", plot.toString());
        assertRefusedBeforeTraining(cli, "--plot", "--save");
    }

    @Test
    void predictNeverOverwritesItsInput() throws IOException {
        Path model = folder.resolve("m.json");
        ModelFiles.save(Network.builder(2).layer(1, Activation.IDENTITY).build(1), model);
        Path x = folder.resolve("x.npy");
        NpyWriter.write(x, new NpyArray(new float[] {1, 2, 3, 4}, 2, 2));
        byte[] before = Files.readAllBytes(x);
        Cli cli = Cli.run("predict", "--model", model.toString(), "--x", x.toString(), "--output", x.toString(),
                "--backend", "reference");
        assertEquals(1, cli.exitCode, cli.toString());
        assertTrue(cli.err.contains("--output") && cli.err.contains("--x"), cli.err);
        assertArrayEquals(before, Files.readAllBytes(x));
    }

    @Test
    void aSaveThroughASymlinkWritesTheFileItNames() throws IOException {
        Path data = xor();
        Path real = Files.createDirectory(folder.resolve("real")).resolve("model.json");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(folder.resolve("link.json"), Path.of("real/model.json"));
        Cli cli = Cli.run("train", "--data", data.toString(), "--layers", "2-4-1", "--epochs", "2",
                "--backend", "reference", "--save", link.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("2-4-1", ModelFiles.load(real).shape());
    }

    @Test
    void aSaveOntoAFifoOrADirectoryIsRefusedBeforeTraining() throws Exception {
        Path data = xor();
        Path directory = Files.createDirectory(folder.resolve("out.json"));
        assertRefusedBeforeTraining(Cli.run("train", "--data", data.toString(), "--layers", "2-4-1",
                "--backend", "reference", "--save", directory.toString()), "--save", "a directory");
        Path fifo = folder.resolve("fifo.json");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is not available");
        assertRefusedBeforeTraining(Cli.run("train", "--data", data.toString(), "--layers", "2-4-1",
                "--backend", "reference", "--save", fifo.toString()), "--save", "a FIFO");
        assertFalse(Files.isRegularFile(fifo));
    }

    @Test
    void missingFoldersOfTheSaveAndThePlotAreRefusedBeforeTraining() throws IOException {
        Path data = xor();
        assertRefusedBeforeTraining(Cli.run("train", "--data", data.toString(), "--layers", "2-4-1",
                "--backend", "reference", "--save", folder.resolve("no/m.json").toString()), "--save", "does not exist");
        assertRefusedBeforeTraining(Cli.run("train", "--data", data.toString(), "--layers", "2-4-1",
                "--backend", "reference", "--save", folder.resolve("m.json").toString(),
                "--plot", folder.resolve("no/loss.png").toString()), "--plot", "does not exist");
        assertFalse(Files.exists(folder.resolve("m.json")));
    }

    @Test
    void aCheckpointFolderThatIsAFileIsRefusedBeforeTraining() throws IOException {
        Path data = xor();
        Path file = Files.writeString(folder.resolve("taken"), "not a folder");
        assertRefusedBeforeTraining(Cli.run("train", "--data", data.toString(), "--layers", "2-4-1",
                "--backend", "reference", "--save", folder.resolve("m.json").toString(),
                "--checkpoint", file.resolve("run").toString()), "--checkpoint", "expected a folder");
    }

    @Test
    void anEmptySavePathIsRefused() throws IOException {
        assertRefusedBeforeTraining(Cli.run("train", "--data", xor().toString(), "--layers", "2-4-1",
                "--backend", "reference", "--save", ""), "--save", "empty");
    }

    @Test
    void aFailedPlotAfterASuccessfulSaveSaysTheModelWasSaved() {
        String message = TrainCommand.plotFailed(Path.of("loss.png"), Path.of("m.json"),
                new IOException("loss.png: could not save (No space left on device)"));
        assertTrue(message.contains("--plot") && message.contains("m.json was saved") && message.contains("No space"),
                message);
    }
}

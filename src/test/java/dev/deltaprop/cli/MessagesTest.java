package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #9 and #11: every error says what and where in words, never a bare number; numbers on
 * the command line that float32 cannot hold are refused as what they are; predict never writes an
 * output deltaprop itself would refuse to read.
 */
class MessagesTest {
    @TempDir
    Path folder;

    private Path xor() throws IOException {
        return Files.writeString(folder.resolve("xor.csv"), "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    }

    @Test
    void aLearningRateThatFloat32RoundsToZeroIsRefusedAsGiven() throws IOException {
        Cli cli = Cli.run("train", "--data", xor().toString(), "--layers", "2-1", "--lr", "1e-46",
                "--save", folder.resolve("m.json").toString());
        assertEquals(2, cli.exitCode, cli.toString());
        assertTrue(cli.err.contains("--lr") && cli.err.contains("1e-46") && cli.err.contains("rounds to 0"), cli.err);
        Cli huge = Cli.run("train", "--data", xor().toString(), "--layers", "2-1", "--momentum", "1e39",
                "--save", folder.resolve("m.json").toString());
        assertEquals(2, huge.exitCode, huge.toString());
        assertTrue(huge.err.contains("--momentum") && huge.err.contains("1e39") && huge.err.contains("infinity"), huge.err);
    }

    @Test
    void anInternalErrorSaysWhatItIsNotJustItsNumber() {
        String line = Main.describe(new NegativeArraySizeException("-294967296"));
        assertTrue(line.contains("NegativeArraySizeException") && line.contains("-294967296") && line.contains("--verbose"),
                line);
        String index = Main.describe(new StringIndexOutOfBoundsException("begin 1, end 0, length 0"));
        assertTrue(index.contains("StringIndexOutOfBoundsException"), index);
        assertEquals("--lr: expected a number", Main.describe(new IllegalArgumentException("--lr: expected a number")));
    }

    @Test
    void predictRefusesToWriteOutputsThatAreNotFinite() throws IOException {
        // weights of 3e38: y = 3e38·x overflows float32 for x = 2
        Network network = new Network(List.of(new Layer(1, 1, Activation.IDENTITY, new float[] {3e38f}, new float[] {0f})));
        Path model = folder.resolve("m.json");
        ModelFiles.save(network, model);
        Path data = Files.writeString(folder.resolve("x.csv"), "x\n1\n2\n");
        Cli cli = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--backend", "reference");
        assertEquals(1, cli.exitCode, cli.toString());
        assertFalse(cli.out.contains("Infinity"), "nothing non-finite written: " + cli.out);
        assertTrue(cli.err.contains("row 2") && cli.err.contains("Infinity"), cli.err);
        Path npy = folder.resolve("y.npy");
        Cli toNpy = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--backend", "reference",
                "--output", npy.toString());
        assertEquals(1, toNpy.exitCode, toNpy.toString());
        assertFalse(Files.exists(npy));
    }
}

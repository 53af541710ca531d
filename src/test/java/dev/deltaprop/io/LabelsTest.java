package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One teacher column of class indices for a softmax output: one-hot rows, and every bad label named by its place. */
class LabelsTest {
    @TempDir
    Path folder;

    /** 2 inputs, a softmax output of 3 classes. */
    private static final Network SOFTMAX = Network.builder(2).layer(4, Activation.TANH).layer(3, Activation.SOFTMAX).build(1);
    /** 2 inputs, 3 sigmoid outputs under cross entropy: teachers are values, never class indices. */
    private static final Network SIGMOIDS = Network.builder(2).layer(3, Activation.SIGMOID).loss(Loss.CROSS_ENTROPY).build(1);

    private static DataTable csv(String text, Network network) throws IOException {
        return CsvReader.read(new StringReader(text), "f.csv", network.inputs(), network.outputs(), Labels.classes(network));
    }

    private static String csvRefusal(String text, Network network) {
        return assertThrows(DataFormatException.class, () -> csv(text, network)).getMessage();
    }

    @Test
    void onlyASoftmaxOutputReadsClassIndices() {
        assertEquals(3, Labels.classes(SOFTMAX));
        assertEquals(0, Labels.classes(SIGMOIDS));
        assertEquals(0, Labels.classes(Network.builder(2).layer(3, Activation.IDENTITY).build(1)));
    }

    @Test
    void aCsvClassColumnBecomesOneHotRows() throws IOException {
        DataTable table = csv("a,b,class\n0.5,1,2\n\n-1,2,0\n3,4,1.0\n", SOFTMAX);
        assertEquals(3, table.samples());
        assertEquals(3, table.outputs());
        assertArrayEquals(new float[] {0.5f, 1, -1, 2, 3, 4}, table.x());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, table.d());
    }

    @Test
    void aCsvWithNLColumnsIsTakenAsItIs() throws IOException {
        DataTable table = csv("1,2,0.2,0.3,0.5\n3,4,0,1,0\n", SOFTMAX);
        assertArrayEquals(new float[] {0.2f, 0.3f, 0.5f, 0, 1, 0}, table.d());
    }

    @Test
    void badCsvLabelsAreRefusedNamingLineAndColumn() {
        String expected = "expected a class index, a whole number 0..2 (the one teacher column for a softmax output of 3 units), found ";
        assertEquals("f.csv line 3, column 3: " + expected + "'2.5'", csvRefusal("a,b,c\n1,2,0\n1,2,2.5\n", SOFTMAX));
        assertEquals("f.csv line 2, column 3: " + expected + "'3'", csvRefusal("1,2,1\n1,2,3\n", SOFTMAX));
        assertEquals("f.csv line 1, column 3: " + expected + "'-1'", csvRefusal("1,2,-1\n", SOFTMAX));
        assertEquals("f.csv line 1, column 3: " + expected + "'1e9'", csvRefusal("1,2,1e9\n", SOFTMAX));
        assertEquals("f.csv line 1, column 3: expected a number, found 'cat'", csvRefusal("1,2,cat\n", SOFTMAX));
        assertEquals("f.csv line 2: expected 3 columns like the rows before it, found 5",
                csvRefusal("1,2,1\n1,2,0,1,0\n", SOFTMAX), "one layout per file");
        assertEquals("f.csv line 1: expected 5 columns (2 inputs + 3 outputs, or 3: 2 inputs + 1 class index 0..2), found 4",
                csvRefusal("1,2,1,1\n", SOFTMAX));
        assertEquals("f.csv line 1: expected 5 columns (2 inputs + 3 outputs), found 3", csvRefusal("1,2,1\n", SIGMOIDS),
                "no class indices without softmax");
    }

    @Test
    void predictionInputsMayCarryAClassColumn() throws IOException {
        Path file = folder.resolve("p.csv");
        Files.writeString(file, "1,2,2\n3,4,0\n");
        DataTable table = CsvReader.readInputs(file, SOFTMAX);
        assertArrayEquals(new float[] {1, 2, 3, 4}, table.x());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, table.d());
        Files.writeString(file, "1,2\n3,4\n");
        assertEquals(0, CsvReader.readInputs(file, SOFTMAX).outputs());
    }

    @Test
    void npyLabelsOfAnyIntegerOrFloatDtypeBecomeOneHotRows() throws IOException {
        Path x = folder.resolve("x.npy");
        NpyWriter.write(x, new NpyArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        for (String descr : new String[] {"<i4", "<i8", "|u1"}) {
            int width = descr.endsWith("8") ? 8 : descr.endsWith("4") ? 4 : 1;
            Path d = folder.resolve("d-" + width + ".npy");
            Files.write(d, NpyTest.npy(1, NpyTest.dict(descr, false, "(3,)"),
                    NpyTest.bytes(java.nio.ByteOrder.LITTLE_ENDIAN, width, 2, 0, 1)));
            DataTable table = ArrayFiles.readTable(x, d, SOFTMAX);
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, table.d(), descr);
        }
        Path column = folder.resolve("column.npy");
        NpyWriter.write(column, new NpyArray(new float[] {1, 1, 0}, 3, 1));
        assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0, 1, 0, 0}, ArrayFiles.readTable(x, column, SOFTMAX).d(),
                "(N, 1) float32 indices too");
    }

    @Test
    void badNpyLabelsAreRefusedNamingTheRow() throws IOException {
        Path x = folder.resolve("x.npy");
        NpyWriter.write(x, new NpyArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        Path d = folder.resolve("d.npy");
        NpyWriter.write(d, new NpyArray(new float[] {0, 1.5f, 1}, 3));
        String fraction = assertThrows(DataFormatException.class, () -> ArrayFiles.readTable(x, d, SOFTMAX)).getMessage();
        assertEquals(d + " row 2: expected a class index, a whole number 0..2 (the one teacher column for a softmax"
                + " output of 3 units), found '1.5'", fraction);
        NpyWriter.write(d, new NpyArray(new float[] {0, 1, 7}, 3));
        String range = assertThrows(DataFormatException.class, () -> ArrayFiles.readTable(x, d, SOFTMAX)).getMessage();
        assertTrue(range.startsWith(d + " row 3: expected a class index"), range);
        assertTrue(range.endsWith("found '7'"), range);
        NpyWriter.write(d, new NpyArray(new float[] {0, 1, 0, 1}, 2, 2));
        String shape = assertThrows(DataFormatException.class, () -> ArrayFiles.readTable(x, d, SOFTMAX)).getMessage();
        assertEquals(d + ": expected class indices of shape (N,) or (N, 1), or d of shape (N, 3), to fit the softmax"
                + " output of 3 units, found (2, 2)", shape);
        NpyWriter.write(d, new NpyArray(new float[] {0, 1}, 2));
        String rows = assertThrows(DataFormatException.class, () -> ArrayFiles.readTable(x, d, SOFTMAX)).getMessage();
        assertEquals(d + ": expected 3 rows, one per sample of " + x + ", found 2", rows);
    }

    @Test
    void idxImagesAndLabelsMakeATableAndMismatchedCountsAreRefused() throws IOException {
        Network digits = Network.builder(4).layer(3, Activation.SOFTMAX).build(1);
        Path images = folder.resolve("images-idx3-ubyte.gz");
        Files.write(images, IdxReaderTest.gzip(IdxReaderTest.idx(0x08, new int[] {3, 2, 2},
                new byte[] {0, (byte) 255, 51, 0, 0, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255, (byte) 255})));
        Path labels = folder.resolve("labels-idx1-ubyte");
        Files.write(labels, IdxReaderTest.idx(0x08, new int[] {3}, new byte[] {2, 0, 1}));
        DataTable table = ArrayFiles.readTable(images, labels, digits);
        assertEquals(3, table.samples());
        assertArrayEquals(new float[] {0, 1, 0.2f, 0, 0, 0, 0, 0, 1, 1, 1, 1}, table.x());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, table.d());
        Path fewer = folder.resolve("fewer-idx1-ubyte");
        Files.write(fewer, IdxReaderTest.idx(0x08, new int[] {2}, new byte[] {2, 0}));
        String mismatch = assertThrows(DataFormatException.class, () -> ArrayFiles.readTable(images, fewer, digits)).getMessage();
        assertEquals(fewer + ": expected 3 rows, one per sample of " + images + ", found 2", mismatch);
        Path label9 = folder.resolve("nine-idx1-ubyte");
        Files.write(label9, IdxReaderTest.idx(0x08, new int[] {3}, new byte[] {2, 9, 1}));
        String range = assertThrows(DataFormatException.class, () -> ArrayFiles.readTable(images, label9, digits)).getMessage();
        assertTrue(range.startsWith(label9 + " row 2: expected a class index, a whole number 0..2"), range);
        Network wide = Network.builder(5).layer(3, Activation.SOFTMAX).build(1);
        String width = assertThrows(DataFormatException.class, () -> ArrayFiles.readTable(images, labels, wide)).getMessage();
        assertEquals(images + ": expected x of shape (N, 5) to fit the network, found (3, 4)", width);
    }

    @Test
    void theShippedDigitsReadAsOneHotRows() throws IOException {
        Network digits = Network.builder(64).layer(10, Activation.SOFTMAX).build(1);
        DataTable table;
        try (InputStream in = LabelsTest.class.getResourceAsStream("/data/digits.csv");
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            table = CsvReader.read(reader, "digits.csv", 64, 10, Labels.classes(digits));
        }
        assertEquals(1797, table.samples());
        float[] d = table.d();
        int[] counts = new int[10];
        for (int s = 0; s < table.samples(); s++) {
            float sum = 0;
            for (int j = 0; j < 10; j++) {
                sum += d[s * 10 + j];
                counts[j] += (int) d[s * 10 + j];
            }
            assertEquals(1f, sum, "row " + s + " is one-hot");
        }
        // the class counts of the UCI test set (data/README.md)
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts);
        // the first row's pixel counts 0, 0, 5, 13, 9, 1, 0, 0 of the source, divided by 16 (exact in float)
        assertArrayEquals(new float[] {0, 0, 5 / 16f, 13 / 16f, 9 / 16f, 1 / 16f, 0, 0}, java.util.Arrays.copyOf(table.x(), 8));
    }
}

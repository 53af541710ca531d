package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Seeds;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .npy} files written byte by byte here, following the format description
 * (numpy.lib.format), so that the reader is checked against the format and not against the writer.
 */
class NpyTest {
    @TempDir
    Path folder;

    /** Magic, version, header length (2 bytes in 1.0, 4 in 2.0/3.0, little-endian), header, data. */
    static byte[] npy(int major, String header, byte[] data) {
        byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer out = ByteBuffer.allocate(6 + 2 + lengthBytes + text.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            out.putShort((short) text.length);
        } else {
            out.putInt(text.length);
        }
        return out.put(text).put(data).array();
    }

    static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(order);
        for (float v : values) {
            out.putFloat(v);
        }
        return out.array();
    }

    static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer out = ByteBuffer.allocate(8 * values.length).order(order);
        for (double v : values) {
            out.putDouble(v);
        }
        return out.array();
    }

    static String dict(String descr, boolean fortran, String shape) {
        String text = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + shape + ", }";
        return text + " ".repeat(63 - (10 + text.length()) % 64) + "\n";
    }

    private DataFormatException fails(byte[] bytes) {
        return assertThrows(DataFormatException.class, () -> NpyReader.read(bytes, "bad.npy"));
    }

    @Test
    void float32LittleEndian2dVersion1() throws IOException {
        float[] values = {1.5f, -2f, 3.25f, 0f, 1e-30f, -7f};
        byte[] file = npy(1, dict("<f4", false, "(3, 2)"), floats(ByteOrder.LITTLE_ENDIAN, values));
        NpyArray array = NpyReader.read(file, "x.npy");
        assertArrayEquals(new int[] {3, 2}, array.shape());
        assertEquals(3, array.rows());
        assertEquals(2, array.columns());
        assertArrayEquals(values, array.values());
    }

    @Test
    void float32BigEndianVersion2() throws IOException {
        float[] values = {1f, 2f, 3f, 4f, 5f, 6f, 7f};
        byte[] file = npy(2, dict(">f4", false, "(7, 1)"), floats(ByteOrder.BIG_ENDIAN, values));
        assertArrayEquals(values, NpyReader.read(file, "x.npy").values());
    }

    @Test
    void float64BothOrdersRoundedToFloat() throws IOException {
        double[] values = {0.1, -1e10, Math.PI};
        float[] expected = {0.1f, -1e10f, (float) Math.PI};
        NpyArray little = NpyReader.read(npy(3, dict("<f8", false, "(3,)"), doubles(ByteOrder.LITTLE_ENDIAN, values)),
                "d.npy");
        NpyArray big = NpyReader.read(npy(1, dict(">f8", false, "(3,)"), doubles(ByteOrder.BIG_ENDIAN, values)),
                "d.npy");
        assertArrayEquals(new int[] {3}, little.shape());
        assertEquals(1, little.columns());
        assertArrayEquals(expected, little.values());
        assertArrayEquals(expected, big.values());
    }

    @Test
    void python2HeaderAndKeysInAnyOrder() throws IOException {
        String header = "{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"<f4\"}\n";
        NpyArray array = NpyReader.read(npy(1, header, floats(ByteOrder.LITTLE_ENDIAN, 4f, 5f)), "x.npy");
        assertArrayEquals(new int[] {2, 1}, array.shape());
    }

    @Test
    void zeroRowsIsAnArrayButNotATable() throws IOException {
        NpyArray empty = NpyReader.read(npy(1, dict("<f4", false, "(0, 3)"), new byte[0]), "x.npy");
        assertEquals(0, empty.rows());
        Path x = folder.resolve("x.npy");
        Files.write(x, npy(1, dict("<f4", false, "(0, 3)"), new byte[0]));
        DataFormatException e = assertThrows(DataFormatException.class, () -> NpyReader.readInputs(x, 3));
        assertTrue(e.getMessage().contains("at least 1 sample"), e.getMessage());
    }

    @Test
    void refusesFortranOrderWithTheRemedy() {
        String message = fails(npy(1, dict("<f4", true, "(2, 2)"), new byte[16])).getMessage();
        assertTrue(message.startsWith("bad.npy: expected C order"), message);
        assertTrue(message.contains("ascontiguousarray"), message);
    }

    @Test
    void refusesOtherDtypesNamingWhatWasFound() {
        for (String descr : new String[] {"<f2", "<c8", "=f4", "|b1", "<U3", "<i3", "<u1x", "|i4", ""}) {
            String message = fails(npy(1, dict(descr, false, "(2,)"), new byte[16])).getMessage();
            assertTrue(message.startsWith("bad.npy: expected dtype float32 or float64"), message);
            assertTrue(message.contains("or an integer dtype ('|u1'"), message);
            assertTrue(message.contains("'" + descr + "'"), message);
        }
        String bools = fails(npy(1, dict("|b1", false, "(2,)"), new byte[2])).getMessage();
        assertTrue(bools.contains("astype(numpy.float32)"), bools);
        String structured = fails(npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n",
                new byte[8])).getMessage();
        assertTrue(structured.contains("structured"), structured);
    }

    @Test
    void refusesShapesOtherThan1dOr2d() {
        String cube = fails(npy(1, dict("<f4", false, "(2, 2, 2)"), new byte[32])).getMessage();
        assertTrue(cube.contains("expected a 1-D or 2-D array, found shape (2, 2, 2)"), cube);
        String scalar = fails(npy(1, dict("<f4", false, "()"), new byte[4])).getMessage();
        assertTrue(scalar.contains("found shape ()"), scalar);
    }

    private static NpyArray read(byte[] bytes) throws DataFormatException {
        return NpyReader.read(bytes, "ints.npy");
    }

    static byte[] bytes(ByteOrder order, int width, long... values) {
        ByteBuffer out = ByteBuffer.allocate(width * values.length).order(order);
        for (long v : values) {
            switch (width) {
                case 1 -> out.put((byte) v);
                case 2 -> out.putShort((short) v);
                case 4 -> out.putInt((int) v);
                default -> out.putLong(v);
            }
        }
        return out.array();
    }

    @Test
    void readsIntegerDtypesOfEveryWidthAndByteOrderAsTheirValues() throws IOException {
        assertArrayEquals(new float[] {0, 255, 128},
                read(npy(1, dict("|u1", false, "(3,)"), bytes(ByteOrder.LITTLE_ENDIAN, 1, 0, 255, 128))).values());
        assertArrayEquals(new float[] {-128, 127, -1},
                read(npy(1, dict("|i1", false, "(3,)"), bytes(ByteOrder.LITTLE_ENDIAN, 1, -128, 127, -1))).values());
        assertArrayEquals(new float[] {65535, 1},
                read(npy(1, dict(">u2", false, "(2,)"), bytes(ByteOrder.BIG_ENDIAN, 2, 65535, 1))).values());
        assertArrayEquals(new float[] {-32768, 7},
                read(npy(1, dict("<i2", false, "(2,)"), bytes(ByteOrder.LITTLE_ENDIAN, 2, -32768, 7))).values());
        assertArrayEquals(new float[] {4294967295f, 9},
                read(npy(1, dict("<u4", false, "(2,)"), bytes(ByteOrder.LITTLE_ENDIAN, 4, 4294967295L, 9))).values());
        NpyArray labels = read(npy(1, dict(">i4", false, "(2, 2)"), bytes(ByteOrder.BIG_ENDIAN, 4, 3, -4, 16777216, 0)));
        assertArrayEquals(new int[] {2, 2}, labels.shape());
        assertArrayEquals(new float[] {3, -4, 16777216, 0}, labels.values());
        assertArrayEquals(new float[] {-9e15f, 9},
                read(npy(1, dict("<i8", false, "(2,)"), bytes(ByteOrder.LITTLE_ENDIAN, 8, -9_000_000_000_000_000L, 9))).values());
        // 2^64 − 1 as uint64: the nearest float is 2^64
        assertArrayEquals(new float[] {0x1p64f, 5},
                read(npy(1, dict("<u8", false, "(2,)"), bytes(ByteOrder.LITTLE_ENDIAN, 8, -1L, 5))).values());
        byte[] whole = npy(1, dict("<i8", false, "(2,)"), new byte[16]);
        String truncated = fails(Arrays.copyOf(whole, whole.length - 4)).getMessage();
        assertTrue(truncated.contains("2 int64 values for shape (2,) = 16 bytes"), truncated);
    }

    @Test
    void truncatedDataSaysHowMuchWasExpected() {
        byte[] whole = npy(1, dict("<f4", false, "(3, 2)"), new byte[24]);
        String message = fails(Arrays.copyOf(whole, whole.length - 4)).getMessage();
        assertTrue(message.startsWith("bad.npy: truncated: expected 6 float32 values for shape (3, 2) = 24 bytes"),
                message);
        assertTrue(message.endsWith("found 20 bytes"), message);
        String extra = fails(Arrays.copyOf(whole, whole.length + 3)).getMessage();
        assertTrue(extra.contains("3 bytes too many"), extra);
    }

    @Test
    void truncatedHeaderAndForeignFiles() {
        byte[] whole = npy(2, dict("<f4", false, "(1,)"), new byte[4]);
        assertTrue(fails(Arrays.copyOf(whole, 40)).getMessage().contains("truncated: expected a header of"));
        assertTrue(fails(Arrays.copyOf(whole, 9)).getMessage().contains("truncated"));
        String csv = fails("x,d\n1,2\n".getBytes(StandardCharsets.US_ASCII)).getMessage();
        assertTrue(csv.startsWith("bad.npy: expected a NumPy .npy file"), csv);
        byte[] future = whole.clone();
        future[6] = 4;
        assertTrue(fails(future).getMessage().contains("version 1.0, 2.0 or 3.0, found 4.0"));
        String garbled = fails(npy(1, "{'descr': '<f4', 'fortran_order': False 'shape': (1,)}\n", new byte[4]))
                .getMessage();
        assertTrue(garbled.contains("expected ',' or '}'"), garbled);
        String missing = fails(npy(1, "{'descr': '<f4', 'shape': (1,)}\n", new byte[4])).getMessage();
        assertTrue(missing.contains("'fortran_order'"), missing);
    }

    /** The writer's bytes are exactly the format: magic, 1.0, length, the dict padded to 64, then '<f4' data. */
    @Test
    void writerWritesTheFormatByteForByte() {
        byte[] bytes = NpyWriter.bytes(new NpyArray(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3));
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        byte[] expected = npy(1, dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n",
                floats(ByteOrder.LITTLE_ENDIAN, 1f, 2f, 3f, 4f, 5f, 6f));
        assertArrayEquals(expected, bytes);
        assertEquals(0, (bytes.length - 24) % 64);
        byte[] single = NpyWriter.bytes(new NpyArray(new float[] {1f}, 1));
        String oneD = new String(single, 10, single.length - 14, StandardCharsets.ISO_8859_1);
        assertTrue(oneD.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"), oneD);
    }

    @Test
    void roundTripThroughAFileAtOddSizes() throws IOException {
        long seed = Seeds.seed();
        SplittableRandom random = new SplittableRandom(seed);
        for (int rows : new int[] {1, 7, 33, 257, 1031}) {
            for (int columns : new int[] {1, 3}) {
                float[] values = new float[rows * columns];
                for (int k = 0; k < values.length; k++) {
                    values[k] = (float) (random.nextGaussian() * 100);
                }
                Path file = folder.resolve("a.npy");
                NpyWriter.write(file, new NpyArray(values, rows, columns));
                NpyArray back = NpyReader.read(file);
                assertArrayEquals(new int[] {rows, columns}, back.shape(), "seed " + seed);
                assertArrayEquals(values, back.values(), "seed " + seed);
            }
        }
        assertEquals(1, Files.list(folder).count(), "no temporary file is left behind");
    }

    @Test
    void writeToAMissingFolderFailsAndLeavesNothing() {
        Path file = folder.resolve("no/such/folder/p.npy");
        IOException e = assertThrows(IOException.class,
                () -> NpyWriter.write(file, new NpyArray(new float[] {1f}, 1)));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void tableFromTwoFiles() throws IOException {
        Path x = folder.resolve("x.npy");
        Path d = folder.resolve("d.npy");
        Files.write(x, npy(1, dict("<f4", false, "(3, 2)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6)));
        Files.write(d, npy(1, dict("<f8", false, "(3,)"), doubles(ByteOrder.LITTLE_ENDIAN, 7, 8, 9)));
        DataTable table = NpyReader.readTable(x, d, 2, 1);
        assertEquals(3, table.samples());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, table.x());
        assertArrayEquals(new float[] {7, 8, 9}, table.d());

        DataFormatException wide = assertThrows(DataFormatException.class, () -> NpyReader.readTable(x, d, 3, 1));
        assertEquals(x + ": expected x of shape (N, 3) to fit the network, found (3, 2)", wide.getMessage());
        DataFormatException twoOut = assertThrows(DataFormatException.class, () -> NpyReader.readTable(x, d, 2, 2));
        assertTrue(twoOut.getMessage().startsWith(d + ": expected d of shape (N, 2)"), twoOut.getMessage());

        Files.write(d, npy(1, dict("<f4", false, "(2, 1)"), floats(ByteOrder.LITTLE_ENDIAN, 7, 8)));
        DataFormatException rows = assertThrows(DataFormatException.class, () -> NpyReader.readTable(x, d, 2, 1));
        assertTrue(rows.getMessage().contains("expected 3 rows"), rows.getMessage());

        Files.write(x, npy(1, dict("<f4", false, "(2, 2)"),
                floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, Float.NaN)));
        DataFormatException nan = assertThrows(DataFormatException.class, () -> NpyReader.readTable(x, d, 2, 1));
        assertTrue(nan.getMessage().startsWith(x + " row 2, column 2: expected a finite"), nan.getMessage());
    }

    @Test
    void arrayRejectsAShapeThatDoesNotMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NpyArray(new float[5], 2, 3));
        assertEquals("values: expected 6 numbers for shape (2, 3), found 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new float[8], 2, 2, 2));
    }
}

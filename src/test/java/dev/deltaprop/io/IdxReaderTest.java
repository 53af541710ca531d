package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files written byte by byte from the format ({@link IdxFiles}), plain and gzipped. */
class IdxReaderTest {
    @TempDir
    Path folder;

    static byte[] idx(int type, int[] extents, byte[] data) {
        return IdxFiles.idx(type, extents, data);
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        return IdxFiles.gzip(bytes);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private String refusal(String name, byte[] bytes) throws IOException {
        Path file = write(name, bytes);
        return assertThrows(DataFormatException.class, () -> IdxReader.read(file, true)).getMessage();
    }

    /** Two 2×3 "images" of unsigned bytes. */
    private static final byte[] PIXELS = {0, 1, (byte) 127, (byte) 128, (byte) 254, (byte) 255,
        (byte) 255, 0, 51, 102, (byte) 153, (byte) 204};

    @Test
    void unsignedByteImagesAreFlattenedAndScaledBy1Over255() throws IOException {
        for (boolean zipped : new boolean[] {false, true}) {
            byte[] bytes = idx(0x08, new int[] {2, 2, 3}, PIXELS);
            Path file = write(zipped ? "images-idx3-ubyte.gz" : "images-idx3-ubyte", zipped ? gzip(bytes) : bytes);
            NpyArray images = IdxReader.read(file, true);
            assertArrayEquals(new int[] {2, 6}, images.shape(), "rows: images, columns: 2·3 pixels row by row");
            float[] expected = new float[12];
            for (int k = 0; k < 12; k++) {
                expected[k] = (PIXELS[k] & 0xff) / 255f;
            }
            assertArrayEquals(expected, images.values());
            assertEquals(1f, images.values()[5]);
            assertEquals(0.2f, images.values()[8]);
            NpyArray raw = IdxReader.read(file, false);
            assertEquals(255f, raw.values()[5], "unscaled for labels");
        }
    }

    @Test
    void labelsAreAColumnOfTheirValues() throws IOException {
        Path file = write("labels-idx1-ubyte.gz", gzip(idx(0x08, new int[] {4}, new byte[] {7, 2, 1, 0})));
        NpyArray labels = IdxReader.read(file, false);
        assertArrayEquals(new int[] {4}, labels.shape());
        assertArrayEquals(new float[] {7, 2, 1, 0}, labels.values());
    }

    @Test
    void everyOtherTypeIsReadBigEndianAsItsValue() throws IOException {
        assertArrayEquals(new float[] {-128, 127, -1}, read(0x09, new int[] {3}, new byte[] {-128, 127, -1}));
        ByteBuffer shorts = ByteBuffer.allocate(4).putShort((short) -32768).putShort((short) 300);
        assertArrayEquals(new float[] {-32768, 300}, read(0x0B, new int[] {2}, shorts.array()));
        ByteBuffer ints = ByteBuffer.allocate(8).putInt(-70000).putInt(16777216);
        assertArrayEquals(new float[] {-70000, 16777216}, read(0x0C, new int[] {2}, ints.array()));
        ByteBuffer floats = ByteBuffer.allocate(8).putFloat(0.1f).putFloat(-3.5f);
        assertArrayEquals(new float[] {0.1f, -3.5f}, read(0x0D, new int[] {1, 2}, floats.array()));
        ByteBuffer doubles = ByteBuffer.allocate(16).putDouble(0.1).putDouble(1e300);
        assertArrayEquals(new float[] {0.1f, Float.POSITIVE_INFINITY}, read(0x0E, new int[] {2}, doubles.array()),
                "float64 rounds to float; a non-finite value is refused later, by the table that reads it");
    }

    private float[] read(int type, int[] extents, byte[] data) throws IOException {
        return IdxReader.read(write("t.idx", idx(type, extents, data)), true).values();
    }

    @Test
    void truncatedAndOverlongFilesAreRefusedSayingHowMuchWasExpected() throws IOException {
        byte[] whole = idx(0x08, new int[] {2, 2, 3}, PIXELS);
        String plain = refusal("short", Arrays.copyOf(whole, whole.length - 5));
        assertEquals(folder.resolve("short") + ": truncated: expected 12 unsigned-byte values for extents 2 × 2 × 3"
                + " = 12 bytes of data after the 16-byte header, found 7", plain);
        String zipped = refusal("short.gz", gzip(Arrays.copyOf(whole, whole.length - 5)));
        assertEquals(folder.resolve("short.gz") + " (gzip): truncated: expected 12 unsigned-byte values for extents"
                + " 2 × 2 × 3 = 12 bytes of data after the 16-byte header, found 7", zipped);
        String longer = refusal("long", Arrays.copyOf(whole, whole.length + 3));
        assertTrue(longer.endsWith("found 15 (3 bytes too many: the header and the data do not agree)"), longer);
        String longerZipped = refusal("long.gz", gzip(Arrays.copyOf(whole, whole.length + 3)));
        assertTrue(longerZipped.endsWith("found more data after them (the header and the data do not agree)"), longerZipped);
        String header = refusal("header", Arrays.copyOf(whole, 9));
        assertTrue(header.endsWith(": truncated header: expected 3 extents of 4 bytes after the magic, found 5 bytes"), header);
        String empty = refusal("empty", new byte[0]);
        assertTrue(empty.contains("truncated header: expected the 4-byte magic"), empty);
        byte[] zippedWhole = gzip(whole);
        String brokenStream = refusal("broken.gz", Arrays.copyOf(zippedWhole, zippedWhole.length - 12));
        assertTrue(brokenStream.contains("broken.gz: ") && brokenStream.contains("truncated"), brokenStream);
    }

    @Test
    void aHugeHeaderIsRefusedBeforeAnythingIsAllocated() throws IOException {
        // 60000 × 60000 × 60000 unsigned bytes claimed by a 20-byte file
        String huge = refusal("huge", idx(0x08, new int[] {60000, 60000, 60000}, new byte[0]));
        assertTrue(huge.contains("header extents 60000 × 60000 × 60000: more values than a Java array holds"), huge);
        // 1 GB claimed, 0 bytes present: refused from the file size, in a plain file
        String claimed = refusal("claimed", idx(0x08, new int[] {1000, 1000, 1000}, new byte[0]));
        assertTrue(claimed.contains("truncated: expected 1000000000 unsigned-byte values"), claimed);
        assertTrue(claimed.endsWith("found 0"), claimed);
        // and in a gzip stream, where the size is unknown, the buffer only grows as data arrives
        String claimedZipped = refusal("claimed.gz", gzip(idx(0x08, new int[] {1000, 1000, 1000}, new byte[10])));
        assertTrue(claimedZipped.endsWith("found 10"), claimedZipped);
        String doubles = refusal("doubles", idx(0x0E, new int[] {20000, 20000}, new byte[0]));
        assertTrue(doubles.contains("more than a Java array holds"), doubles);
    }

    @Test
    void aForeignFileOrUnknownTypeIsRefusedNamingTheHeaderField() throws IOException {
        String npy = refusal("x.bin", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        assertTrue(npy.endsWith("x.bin: expected an IDX file (magic 00 00, a type byte, a dimension count), found the"
                + " bytes 93 4e 55 4d; a NumPy array must be named .npy"), npy);
        String type = refusal("t", idx(0x0A, new int[] {1}, new byte[1]));
        assertTrue(type.contains("header byte 3 (type): expected 0x08 (unsigned byte)"), type);
        assertTrue(type.endsWith("found 0x0A"), type);
        String none = refusal("n", idx(0x08, new int[0], new byte[0]));
        assertTrue(none.endsWith("header byte 4 (dimensions): expected at least 1, found 0"), none);
    }
}

package dev.deltaprop.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * IDX files built byte by byte from the format (the MNIST page's description: 2 zero bytes, the
 * type, the dimension count, big-endian 32-bit extents, big-endian data), for the tests.
 */
public final class IdxFiles {
    private IdxFiles() {
    }

    /** Magic {@code 00 00 type n}, the extents, then {@code data} as given. */
    public static byte[] idx(int type, int[] extents, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * extents.length + data.length).order(ByteOrder.BIG_ENDIAN);
        out.put((byte) 0).put((byte) 0).put((byte) type).put((byte) extents.length);
        for (int extent : extents) {
            out.putInt(extent);
        }
        return out.put(data).array();
    }

    public static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }

    /**
     * {@code n} gzipped 2×2 unsigned-byte images and their labels: class 0 lights the top row, class 1
     * the bottom row (brightness 200 … 249), alternating; a 4-2 softmax separates them at once.
     */
    public static void writeBars(Path images, Path labels, int n) throws IOException {
        byte[] pixels = new byte[4 * n];
        byte[] classes = new byte[n];
        for (int s = 0; s < n; s++) {
            classes[s] = (byte) (s % 2);
            byte lit = (byte) (200 + s % 50);
            int first = classes[s] == 0 ? 0 : 2;
            pixels[4 * s + first] = lit;
            pixels[4 * s + first + 1] = lit;
        }
        Files.write(images, gzip(idx(0x08, new int[] {n, 2, 2}, pixels)));
        Files.write(labels, gzip(idx(0x08, new int[] {n}, classes)));
    }
}

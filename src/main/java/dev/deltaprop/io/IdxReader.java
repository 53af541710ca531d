package dev.deltaprop.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of the MNIST data set ({@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}), plain or gzip-compressed ({@code .gz}; recognised by the gzip
 * magic bytes {@code 1f 8b}, whatever the name).
 *
 * <p>The format: 2 zero bytes, a type byte, the number of dimensions {@code n}; then {@code n}
 * extents as big-endian unsigned 32-bit integers; then the values in C order, big-endian. Types:
 * {@code 0x08} unsigned byte, {@code 0x09} signed byte, {@code 0x0B} 16-bit, {@code 0x0C} 32-bit
 * integer, {@code 0x0D} float32, {@code 0x0E} float64. An array of extents {@code (N, a, b, …)} is
 * read as {@code N} rows of {@code a·b·…} values (an image flattened row by row); a 1-D array
 * {@code (N,)} as a column. With {@code scaleUnsignedBytes}, unsigned bytes are read as
 * {@code value / 255} (pixels in {@code [0, 1]}); every other value as it is.
 *
 * <p>The header is checked against the data before the values' array is allocated: against the
 * file size for a plain file, and for a gzip stream by growing the buffer only as data arrives.
 * A wrong magic, an unknown type, a truncated file or one longer than its header says is a
 * {@link DataFormatException} naming the file and the place (the header field, or how many bytes
 * of data were expected and found).
 */
public final class IdxReader {
    /** The largest Java array this reader allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /**
     * Reads the array in {@code file}.
     *
     * @param file               an IDX file, optionally gzip-compressed
     * @param scaleUnsignedBytes read type {@code 0x08} as {@code value / 255} (inputs), else as the value (labels)
     * @return shape {@code (N,)} or {@code (N, a·b·…)}, the values as {@code float}
     * @throws DataFormatException naming the file and the place when it is not a well-formed IDX file
     * @throws IOException         when the file cannot be read
     */
    public static NpyArray read(Path file, boolean scaleUnsignedBytes) throws IOException {
        String name = file.toString();
        InputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(name, null, "no such file");
        }
        try (InputStream in = raw) {
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            if (!gzip) {
                return read(in, name, Files.size(file), scaleUnsignedBytes);
            }
            try (InputStream unzipped = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16)) {
                return read(unzipped, name + " (gzip)", -1, scaleUnsignedBytes);
            } catch (ZipException | EOFException e) {
                throw new DataFormatException(name + ": the gzip stream is damaged or truncated (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * Reads an IDX array from a stream.
     *
     * @param in                 the stream, positioned at the magic bytes
     * @param name               what messages call the source
     * @param size               the bytes the stream holds, or {@code -1} when unknown (a decompressing stream)
     * @param scaleUnsignedBytes read type {@code 0x08} as {@code value / 255}
     * @return shape {@code (N,)} or {@code (N, a·b·…)}
     * @throws DataFormatException naming {@code name} when it is not a well-formed IDX array
     * @throws IOException         when the stream cannot be read
     */
    public static NpyArray read(InputStream in, String name, long size, boolean scaleUnsignedBytes) throws IOException {
        byte[] magic = readHeader(in, 4, name, "the 4-byte magic (00 00, a type byte, a dimension count)");
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataFormatException(String.format(Locale.ROOT, "%s: expected an IDX file (magic 00 00, a type byte,"
                    + " a dimension count), found the bytes %02x %02x %02x %02x; a NumPy array must be named .npy",
                    name, magic[0] & 0xff, magic[1] & 0xff, magic[2] & 0xff, magic[3] & 0xff));
        }
        int type = magic[2] & 0xff;
        int width = width(type);
        if (width == 0) {
            throw new DataFormatException(String.format(Locale.ROOT, "%s: header byte 3 (type): expected 0x08 (unsigned"
                    + " byte), 0x09 (signed byte), 0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64),"
                    + " found 0x%02X", name, type));
        }
        int dimensions = magic[3] & 0xff;
        if (dimensions == 0) {
            throw new DataFormatException(name + ": header byte 4 (dimensions): expected at least 1, found 0");
        }
        ByteBuffer extentBytes = ByteBuffer.wrap(readHeader(in, 4 * dimensions, name,
                dimensions + " extents of 4 bytes after the magic")).order(ByteOrder.BIG_ENDIAN);
        long[] extents = new long[dimensions];
        for (int k = 0; k < dimensions; k++) {
            extents[k] = extentBytes.getInt() & 0xffffffffL;
        }
        long count = 1;
        for (long extent : extents) {
            // count ≤ MAX_ARRAY < 2^31 and extent < 2^32 before each product, so it cannot overflow
            count *= extent;
            if (count > MAX_ARRAY) {
                throw new DataFormatException(name + ": header extents " + describe(extents)
                        + ": more values than a Java array holds (" + MAX_ARRAY + ")");
            }
        }
        long headerBytes = 4 + 4L * dimensions;
        long expected = count * width;
        String what = String.format(Locale.ROOT, "%d %s values for extents %s = %d bytes of data after the %d-byte"
                + " header", count, typeName(type), describe(extents), expected, headerBytes);
        if (expected > MAX_ARRAY) {
            throw new DataFormatException(name + ": " + what + ": more than a Java array holds (" + MAX_ARRAY + " bytes)");
        }
        if (size >= 0 && size - headerBytes != expected) {
            long found = size - headerBytes;
            throw new DataFormatException(name + (found < expected ? ": truncated: expected " + what + ", found " + found
                    : ": expected " + what + ", found " + found + " (" + (found - expected)
                            + " bytes too many: the header and the data do not agree)"));
        }
        float[] values = decode(readData(in, (int) expected, name, what), type, (int) count, scaleUnsignedBytes);
        int rows = (int) extents[0];
        if (dimensions == 1) {
            return new NpyArray(values, rows);
        }
        // a row is everything after the first extent, flattened (an image row by row)
        long columns = 1;
        for (int k = 1; k < dimensions; k++) {
            columns = Math.min(columns * extents[k], Integer.MAX_VALUE); // only with rows = 0 can this cap bind
        }
        return new NpyArray(values, rows, (int) columns);
    }

    private static byte[] readHeader(InputStream in, int length, String name, String what) throws IOException {
        byte[] bytes = new byte[length];
        int filled = in.readNBytes(bytes, 0, length);
        if (filled < length) {
            throw new DataFormatException(name + ": truncated header: expected " + what + ", found " + filled + " bytes");
        }
        return bytes;
    }

    /** Reads exactly {@code expected} bytes, growing the buffer only as they arrive, then expects the end. */
    private static byte[] readData(InputStream in, int expected, String name, String what) throws IOException {
        byte[] buffer = new byte[Math.min(expected, 1 << 20)];
        int filled = 0;
        while (filled < expected) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(expected, 2L * buffer.length));
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new DataFormatException(name + ": truncated: expected " + what + ", found " + filled);
            }
            filled += n;
        }
        if (in.read() >= 0) {
            throw new DataFormatException(name + ": expected " + what + ", found more data after them"
                    + " (the header and the data do not agree)");
        }
        return buffer;
    }

    private static float[] decode(byte[] data, int type, int count, boolean scaleUnsignedBytes) {
        float[] values = new float[count];
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        for (int k = 0; k < count; k++) {
            values[k] = switch (type) {
                case 0x08 -> scaleUnsignedBytes ? (data[k] & 0xff) / 255f : data[k] & 0xff;
                case 0x09 -> data[k];
                case 0x0B -> in.getShort(2 * k);
                case 0x0C -> in.getInt(4 * k);
                case 0x0D -> in.getFloat(4 * k);
                default -> (float) in.getDouble(8 * k);
            };
        }
        return values;
    }

    private static int width(int type) {
        return switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> 0;
        };
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned-byte";
            case 0x09 -> "signed-byte";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            default -> "float64";
        };
    }

    private static String describe(long[] extents) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < extents.length; k++) {
            s.append(k == 0 ? "" : " × ").append(extents[k]);
        }
        return s.toString();
    }
}

package dev.deltaprop.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes NumPy {@code .npy} files that {@code numpy.load} reads: little-endian {@code float32}
 * ({@code '<f4'}), C order, a version 1.0 header padded with spaces so that the data start at a
 * multiple of 64 bytes, as NumPy itself aligns them.
 */
public final class NpyWriter {
    /** NumPy aligns the start of the data to 64 bytes, so that a memory map is aligned for any dtype. */
    static final int ALIGNMENT = 64;

    private NpyWriter() {
    }

    /**
     * The bytes of a {@code .npy} file holding {@code array}.
     *
     * @param array the values and shape
     * @return the whole file: header and little-endian float32 data
     */
    public static byte[] bytes(NpyArray array) {
        Objects.requireNonNull(array, "array");
        byte[] header = header(array.shapeText());
        float[] values = array.values();
        ByteBuffer out = ByteBuffer.allocate(header.length + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header);
        out.asFloatBuffer().put(values);
        return out.array();
    }

    /**
     * The bytes of a {@code .npy} file of little-endian {@code int32} ({@code '<i4'}): class indices,
     * which {@code numpy.load} then gives as integers.
     *
     * @param values the elements in C order
     * @param shape  {@code (rows)} or {@code (rows, columns)}, matching {@code values.length}
     * @return the whole file
     */
    public static byte[] integers(int[] values, int... shape) {
        Objects.requireNonNull(values, "values");
        // NpyArray checks the shape against the count (its float copy is not otherwise used)
        String shapeText = new NpyArray(new float[values.length], shape).shapeText();
        byte[] header = header(shapeText, "<i4");
        ByteBuffer out = ByteBuffer.allocate(header.length + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header);
        out.asIntBuffer().put(values);
        return out.array();
    }

    /**
     * Writes {@code array} to {@code out} as a {@code .npy} file.
     *
     * @param out   where the bytes go (not closed)
     * @param array the values and shape
     * @throws IOException when {@code out} fails
     */
    public static void write(OutputStream out, NpyArray array) throws IOException {
        Objects.requireNonNull(out, "out");
        out.write(bytes(array));
    }

    /**
     * Writes {@code array} to {@code file}. The bytes go to a temporary file in the same folder,
     * forced to disk, which then replaces {@code file} in one move, so that a failure never leaves
     * a half-written file behind ({@link AtomicFile}).
     *
     * @param file  the {@code .npy} file to write or replace
     * @param array the values and shape
     * @throws IOException when the folder does not exist or the file cannot be written
     */
    public static void write(Path file, NpyArray array) throws IOException {
        Objects.requireNonNull(file, "file");
        AtomicFile.write(file, bytes(array));
    }

    /**
     * Writes {@link #integers(int[], int...)} to {@code file}, whole or not at all, as {@link #write(Path, NpyArray)}.
     *
     * @throws IOException when the folder does not exist or the file cannot be written
     */
    public static void writeIntegers(Path file, int[] values, int... shape) throws IOException {
        Objects.requireNonNull(file, "file");
        AtomicFile.write(file, integers(values, shape));
    }

    /** Magic, version 1.0, the 16-bit header length, and the dict padded to {@link #ALIGNMENT} ending in a newline. */
    static byte[] header(String shape) {
        return header(shape, "<f4");
    }

    private static byte[] header(String shape, String descr) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int preamble = NpyHeader.MAGIC.length + 2 + 2;
        int total = preamble + dict.length() + 1;
        int padded = (total + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        String text = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer out = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        out.put(NpyHeader.MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        out.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return out.array();
    }
}

package dev.deltaprop.io;

import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Sizes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads NumPy {@code .npy} files: 1-D and 2-D arrays of {@code float32} or {@code float64}, or of
 * signed or unsigned integers of 1, 2, 4 or 8 bytes ({@code '|u1'}, {@code '<i4'}, {@code '<i8'}, …:
 * class labels, raw pixels), little- or big-endian, in C order, with a version 1.0, 2.0 or 3.0
 * header — what {@code numpy.save("x.npy", a)} writes. Values become the nearest {@code float}, as
 * deltaprop computes in {@code float}: exact for every {@code float32}, and for integers up to
 * {@code 2^24} in magnitude. Integers are read as they are (no scaling).
 *
 * <p>Anything else is a {@link DataFormatException} whose message names the file and says what
 * was expected and what was found: another dtype (float16, bool, complex, strings: convert with
 * {@code a.astype(numpy.float32)}), Fortran order ({@code numpy.ascontiguousarray(a)}), a shape
 * with 0 or more than 2 dimensions, a shape that does not fit the network, a file shorter or
 * longer than its header says. A file is read into memory whole, so it must be under 2 GiB.
 */
public final class NpyReader {
    private NpyReader() {
    }

    /**
     * Reads the array in {@code file}.
     *
     * @param file a {@code .npy} file
     * @return its shape and values
     * @throws DataFormatException naming the file when it is not a float array this class reads
     * @throws IOException         when the file cannot be read
     */
    public static NpyArray read(Path file) throws IOException {
        byte[] bytes;
        try {
            checkFits(file);
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        return read(bytes, file.toString());
    }

    /** The most header bytes read to decide whether a file fits; NumPy's headers are under 100. */
    private static final int MAX_HEADER = 1 << 20;

    /**
     * Reads only the header of {@code file} and refuses, naming the shape, the estimate and the
     * limit, an array that one Java array or the heap cannot hold, or a file too large to read
     * whole — before anything of its size is allocated.
     */
    private static void checkFits(Path file) throws IOException {
        String name = file.toString();
        byte[] prefix;
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
            ByteBuffer start = ByteBuffer.allocate((int) Math.min(size, MAX_HEADER));
            while (start.hasRemaining() && channel.read(start) >= 0) {
                // until the prefix is full or the file ends
            }
            prefix = Arrays.copyOf(start.array(), start.position());
        }
        if (size == prefix.length) {
            return; // small: read(byte[]) checks everything
        }
        Start start = start(prefix, size, name);
        long count = 1;
        for (int extent : start.header.shape) {
            count = Sizes.multiply(count, extent);
        }
        String shape = shapeText(start.header.shape);
        if (count > Sizes.MAX_ARRAY) {
            throw new DataFormatException(name + ": expected at most " + Sizes.MAX_ARRAY + " values (the largest Java"
                    + " array), found shape " + shape + " = " + count + " values; save the array in parts");
        }
        long floats = MemoryEstimate.bytes(count, Float.BYTES);
        if (floats + size > MemoryEstimate.heapLimit()) {
            throw new DataFormatException(name + ": shape " + shape + " holds " + count + " values, "
                    + MemoryEstimate.describe(floats) + " as float32 beside the " + MemoryEstimate.describe(size)
                    + " file read whole: more than the Java heap's limit of "
                    + MemoryEstimate.describe(MemoryEstimate.heapLimit()) + " (-Xmx; give java a larger -Xmx)");
        }
        if (size > Sizes.MAX_ARRAY) {
            throw new DataFormatException(name + ": " + MemoryEstimate.describe(size) + " is more than this reader holds"
                    + " (a file is read whole into one Java array, at most " + Sizes.MAX_ARRAY + " bytes); save the"
                    + " array in parts, or as float32");
        }
    }

    /** Where the data of a file start, and its parsed header. */
    private record Start(NpyHeader header, int dataStart) {
    }

    /**
     * Reads an array from the bytes of a {@code .npy} file.
     *
     * @param bytes the whole file
     * @param name  what messages call the source (usually the file name)
     * @return its shape and values
     * @throws DataFormatException naming {@code name} when the bytes are not a float array this class reads
     */
    public static NpyArray read(byte[] bytes, String name) throws DataFormatException {
        Start start = start(bytes, bytes.length, name);
        return values(bytes, start.dataStart, start.header, name);
    }

    /** The preamble and header, from {@code bytes}: the whole file, or the start of one of {@code length} bytes. */
    private static Start start(byte[] bytes, long length, String name) throws DataFormatException {
        int magic = NpyHeader.MAGIC.length;
        if (bytes.length < magic + 2
                || !Arrays.equals(Arrays.copyOf(bytes, magic), NpyHeader.MAGIC)) {
            throw new DataFormatException(name + ": expected a NumPy .npy file (starting with \\x93NUMPY),"
                    + " found " + (bytes.length < magic + 2 ? "only " + bytes.length + " bytes" : "other content"));
        }
        int major = bytes[magic] & 0xff;
        int minor = bytes[magic + 1] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new DataFormatException(name + ": expected .npy format version 1.0, 2.0 or 3.0, found "
                    + major + "." + minor);
        }
        int lengthBytes = major == 1 ? 2 : 4;
        int headerStart = magic + 2 + lengthBytes;
        if (bytes.length < headerStart) {
            throw truncated(name, headerStart + " bytes of preamble", bytes.length);
        }
        ByteBuffer preamble = ByteBuffer.wrap(bytes, magic + 2, lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? preamble.getShort() & 0xffff : preamble.getInt() & 0xffffffffL;
        long dataStart = headerStart + headerLength;
        if (length < dataStart) {
            throw truncated(name, "a header of " + headerLength + " bytes", length - headerStart);
        }
        if (bytes.length < dataStart) {
            throw new DataFormatException(name + ": expected a header of at most " + MAX_HEADER + " bytes, found "
                    + headerLength);
        }
        String text = new String(bytes, headerStart, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return new Start(NpyHeader.parse(text, name), (int) dataStart);
    }

    private static NpyArray values(byte[] bytes, int dataStart, NpyHeader header, String name)
            throws DataFormatException {
        int width = header.elementBytes();
        char order = header.descr.isEmpty() ? '?' : header.descr.charAt(0);
        // NumPy writes '|' (no byte order) for 1-byte types and '<' or '>' for the others
        boolean orderFits = width == 1 ? order == '|' || order == '<' || order == '>' : order == '<' || order == '>';
        if (width == 0 || !orderFits) {
            throw new DataFormatException(name + ": expected dtype float32 or float64 ('<f4', '>f4', '<f8' or '>f8'),"
                    + " or an integer dtype ('|u1', '|i1', '<i2', '<u2', '<i4', '<u4', '<i8', '<u8' or big-endian '>'),"
                    + " found '" + header.descr + "'" + hint(header.descr));
        }
        if (header.fortranOrder) {
            throw new DataFormatException(name + ": expected C order (fortran_order False), found Fortran order;"
                    + " save numpy.ascontiguousarray(a) instead");
        }
        int[] shape = header.shape;
        if (shape.length < 1 || shape.length > 2) {
            throw new DataFormatException(name + ": expected a 1-D or 2-D array, found shape "
                    + shapeText(shape) + " (" + shape.length + " dimensions)");
        }
        long count = 1;
        for (int extent : shape) {
            count *= extent;
        }
        long expected = Sizes.multiply(count, width);
        long found = bytes.length - (long) dataStart;
        if (found != expected) {
            String what = String.format(Locale.ROOT, "%d %s values for shape %s = %d bytes of data after the"
                    + " %d-byte header", count, header.typeName(), shapeText(shape), expected, dataStart);
            if (found < expected) {
                throw truncated(name, what, found);
            }
            throw new DataFormatException(name + ": expected " + what + ", found " + found
                    + " (" + (found - expected) + " bytes too many: the header and the data do not agree)");
        }
        float[] values = new float[(int) count];
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) expected).slice().order(header.order());
        if (header.kind() == 'f' && width == 4) {
            data.asFloatBuffer().get(values);
        } else if (header.kind() == 'f') {
            DoubleBuffer doubles = data.asDoubleBuffer();
            for (int k = 0; k < values.length; k++) {
                values[k] = (float) doubles.get(k);
            }
        } else {
            integers(data, header.kind() == 'u', width, values);
        }
        return new NpyArray(values, shape);
    }

    /** Integers to the nearest {@code float}: exact up to {@code 2^24} in magnitude (labels, pixels). */
    private static void integers(ByteBuffer data, boolean unsigned, int width, float[] values) {
        for (int k = 0; k < values.length; k++) {
            values[k] = switch (width) {
                case 1 -> unsigned ? data.get(k) & 0xff : data.get(k);
                case 2 -> unsigned ? data.getShort(2 * k) & 0xffff : data.getShort(2 * k);
                case 4 -> unsigned ? data.getInt(4 * k) & 0xffffffffL : data.getInt(4 * k);
                default -> unsigned ? unsignedLong(data.getLong(8 * k)) : data.getLong(8 * k);
            };
        }
    }

    private static float unsignedLong(long bits) {
        return bits >= 0 ? bits : 2f * (bits >>> 1); // the lowest bit cannot matter at float precision
    }

    /**
     * Reads training samples from two files: {@code x} of shape {@code (N, inputs)} and {@code d}
     * of shape {@code (N, outputs)}; a 1-D {@code (N,)} array stands for {@code (N, 1)}.
     *
     * @param x       the inputs' file
     * @param d       the teacher values' file
     * @param inputs  {@code n_0}
     * @param outputs {@code n_L}
     * @return the samples
     * @throws IOException         when a file cannot be read
     * @throws DataFormatException naming the file when a shape does not fit or a value is not finite
     */
    public static DataTable readTable(Path x, Path d, int inputs, int outputs) throws IOException {
        ArrayFiles.positive(inputs, outputs);
        return ArrayFiles.table(read(x), x, read(d), d, inputs, outputs, 0);
    }

    /**
     * Reads inputs for prediction: {@code x} of shape {@code (N, inputs)}, or {@code (N,)} when {@code inputs = 1}.
     *
     * @param x      the inputs' file
     * @param inputs {@code n_0}
     * @return the samples, with no teacher values
     * @throws DataFormatException naming the file when the shape does not fit or a value is not finite
     * @throws IOException         when the file cannot be read
     */
    public static DataTable readInputs(Path x, int inputs) throws IOException {
        ArrayFiles.positive(inputs, 1);
        NpyArray xs = read(x);
        ArrayFiles.fits(xs, x, "x", inputs);
        return new DataTable(ArrayFiles.finite(xs, x), new float[0], xs.rows(), inputs, 0);
    }

    private static DataFormatException truncated(String name, String expected, long found) {
        return new DataFormatException(name + ": truncated: expected " + expected + ", found " + found + " bytes");
    }

    private static String shapeText(int[] shape) {
        return shape.length == 0 ? "()" : NpyArray.describe(shape);
    }

    private static String hint(String descr) {
        if (descr.length() > 1 && descr.charAt(1) == 'b') {
            return "; convert with a.astype(numpy.float32) before numpy.save";
        }
        if (descr.endsWith("f2")) {
            return "; float16 is not read: convert with a.astype(numpy.float32)";
        }
        return "";
    }
}

package dev.deltaprop.io;

import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Sizes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Reads samples from CSV: one sample a row, comma-separated; the first {@code inputs} columns
 * are {@code x} and the rest are {@code d}. The first line is a header, and skipped, when none of
 * its fields is a number; blank lines are skipped. Every other field must be a finite number.
 * For a softmax output of {@code K} units ({@link Labels}) the teacher part may instead be one
 * column of class indices {@code 0..K−1}, each read into a one-hot row. An error is a
 * {@link DataFormatException} naming the file, the line (1-based) and the column (1-based).
 */
public final class CsvReader {
    private CsvReader() {
    }

    /**
     * Reads a training file: exactly {@code inputs + outputs} columns in every row.
     *
     * @param name what messages call the source (usually the file name)
     */
    public static DataTable read(Reader in, String name, int inputs, int outputs) throws IOException {
        return parse(in, name, inputs, outputs, 0, false);
    }

    /**
     * Reads a training file whose rows have {@code inputs + outputs} columns, or, when
     * {@code classes = outputs > 0}, {@code inputs + 1} columns, the last a class index (all rows alike).
     *
     * @param name    what messages call the source (usually the file name)
     * @param classes {@code K = n_L} for a softmax output ({@link Labels#classes}), else 0
     */
    public static DataTable read(Reader in, String name, int inputs, int outputs, int classes) throws IOException {
        return parse(in, name, inputs, outputs, classes, false);
    }

    /** As {@link #read(Reader, String, int, int)}, from a file. */
    public static DataTable read(Path file, int inputs, int outputs) throws IOException {
        return fromFile(file, in -> read(in, file.toString(), inputs, outputs));
    }

    /** The training samples of {@code network} in {@code file}: class indices when its output is softmax. */
    public static DataTable read(Path file, Network network) throws IOException {
        return fromFile(file, in -> read(in, file.toString(), network.inputs(), network.outputs(), Labels.classes(network)));
    }

    /**
     * Reads the inputs for prediction: rows of {@code inputs} columns, or of {@code inputs + outputs}
     * columns (a training file, whose teacher values are then kept in {@code d}).
     */
    public static DataTable readInputs(Reader in, String name, int inputs, int outputs) throws IOException {
        return parse(in, name, inputs, outputs, 0, true);
    }

    /** As {@link #readInputs(Reader, String, int, int)}, from a file. */
    public static DataTable readInputs(Path file, int inputs, int outputs) throws IOException {
        return fromFile(file, in -> readInputs(in, file.toString(), inputs, outputs));
    }

    /**
     * The inputs for {@code network} in {@code file}: rows of {@code n_0} columns, or a training file
     * for it (whose teachers, class indices for a softmax output, are then kept in {@code d}).
     */
    public static DataTable readInputs(Path file, Network network) throws IOException {
        return fromFile(file, in -> parse(in, file.toString(), network.inputs(), network.outputs(),
                Labels.classes(network), true));
    }

    private interface Parse {
        DataTable from(Reader in) throws IOException;
    }

    private static DataTable fromFile(Path file, Parse parse) throws IOException {
        try (Reader in = open(file)) {
            return parse.from(in);
        } catch (DataFormatException | java.nio.file.FileSystemException e) {
            throw e;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DataFormatException(file + ": not a text file (not UTF-8)");
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static Reader open(Path file) throws IOException {
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
    }

    private static DataTable parse(Reader source, String name, int inputs, int outputs, int classes,
            boolean inputsOnlyAllowed) throws IOException {
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException("inputs, outputs: expected at least 1 each, found " + inputs + ", "
                    + outputs);
        }
        if (classes != 0 && (classes != outputs || classes < 2)) {
            throw new IllegalArgumentException("classes: expected 0 or the outputs of a softmax layer (" + outputs
                    + ", at least 2), found " + classes);
        }
        BufferedReader in = source instanceof BufferedReader ? (BufferedReader) source : new BufferedReader(source);
        int full = Sizes.elements("inputs + outputs columns", 1, (long) inputs + outputs);
        int labelled = classes > 0 ? inputs + 1 : -1; // one class-index column instead of n_L teacher columns
        int width = -1;
        // room for the rows the file actually holds, grown as they come: never 1024 rows of a width
        // that a single row of the file may already fill the heap with
        int capacity = Math.max(1, Math.min(1024, (1 << 16) / full));
        float[] x = new float[capacity * inputs];
        float[] d = new float[capacity * outputs];
        int samples = 0;
        String line;
        int number = 0;
        boolean first = true;
        while ((line = in.readLine()) != null) {
            number++;
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // a UTF-8 byte-order mark (Excel writes one) is not data
            }
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (first) {
                first = false;
                if (isHeader(fields)) {
                    continue;
                }
            }
            int columns = fields.length;
            boolean fits = columns == full || columns == labelled || (inputsOnlyAllowed && columns == inputs);
            if (!fits) {
                throw new DataFormatException(name + " line " + number + ": expected " + full + " columns (" + inputs
                        + " inputs + " + outputs + " outputs"
                        + (labelled > 0 ? ", or " + labelled + ": " + inputs + " inputs + 1 class index 0.." + (classes - 1) : "")
                        + (inputsOnlyAllowed ? ", or " + inputs + " inputs alone" : "")
                        + "), found " + columns);
            }
            if (width < 0) {
                width = columns;
            } else if (columns != width) {
                throw new DataFormatException(name + " line " + number + ": expected " + width
                        + " columns like the rows before it, found " + columns);
            }
            if (samples == capacity) {
                capacity = grown(capacity, inputs, outputs, name, number);
                try {
                    x = Arrays.copyOf(x, capacity * inputs);
                    d = Arrays.copyOf(d, capacity * outputs);
                } catch (OutOfMemoryError e) {
                    throw tooLarge(name, number, (long) capacity * full * Float.BYTES);
                }
            }
            for (int c = 0; c < columns; c++) {
                float value = number(fields[c], name, number, c);
                if (c < inputs) {
                    x[samples * inputs + c] = value;
                } else if (columns == labelled) {
                    // d's row is still all 0 (fresh or grown by copyOf): set the class's one
                    String place = name + " line " + number + ", column " + (c + 1);
                    d[samples * outputs + Labels.index(value, classes, place, fields[c].strip())] = 1;
                } else {
                    d[samples * outputs + c - inputs] = value;
                }
            }
            samples++;
        }
        if (samples == 0) {
            throw new DataFormatException(name + ": expected at least 1 sample, found none");
        }
        int dWidth = width == full || width == labelled ? outputs : 0;
        return new DataTable(Arrays.copyOf(x, samples * inputs), Arrays.copyOf(d, samples * dWidth), samples, inputs,
                dWidth);
    }

    /**
     * Twice {@code capacity} samples, or {@code DataFormatException} naming the line when that would
     * not fit one Java array or the heap (the new arrays beside the old ones, and the copies the
     * table makes of the samples in the end).
     */
    private static int grown(int capacity, int inputs, int outputs, String name, int line) throws DataFormatException {
        long next = 2L * capacity;
        long full = (long) inputs + outputs;
        if (next * Math.max(inputs, outputs) > Sizes.MAX_ARRAY) {
            next = Sizes.MAX_ARRAY / Math.max(inputs, outputs);
            if (next <= capacity) {
                throw new DataFormatException(name + " line " + line + ": more than " + capacity + " samples of "
                        + Math.max(inputs, outputs) + " numbers, more than one Java array holds (" + Sizes.MAX_ARRAY + ")");
            }
        }
        long bytes = (next + capacity) * full * Float.BYTES;
        if (bytes > MemoryEstimate.heapAvailable()) {
            System.gc(); // what is in use includes garbage (the lines read so far): count only what is live
            if (bytes > MemoryEstimate.heapAvailable()) {
                throw tooLarge(name, line, bytes);
            }
        }
        return (int) next;
    }

    private static DataFormatException tooLarge(String name, int line, long bytes) {
        return new DataFormatException(name + " line " + line + ": the samples up to here need about "
                + MemoryEstimate.describe(bytes) + " more to go on, more than the Java heap has left (limit "
                + MemoryEstimate.describe(MemoryEstimate.heapLimit()) + ", -Xmx); give java a larger -Xmx, or use a"
                + " smaller file");
    }

    /**
     * A decimal number as every tool writes it: an optional sign, digits with an optional point,
     * an optional exponent ({@code 1}, {@code -2.5}, {@code .5}, {@code 3e-4}). Not Java's own
     * syntax ({@code 0x1p3}, {@code 1f}, {@code 2d}), which {@link Float#parseFloat} would accept
     * and no other reader of the file would.
     */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** What NumPy, pandas and Java write for the non-finite values: named in the message, refused as data. */
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

    private static float number(String field, String name, int line, int column) throws DataFormatException {
        String text = field.strip();
        String place = name + " line " + line + ", column " + (column + 1);
        if (NON_FINITE.matcher(text).matches()) {
            throw new DataFormatException(place + ": expected a finite number, found '" + text + "'");
        }
        if (!DECIMAL.matcher(text).matches()) {
            throw new DataFormatException(place + ": expected a number, found '" + visible(text) + "'");
        }
        float value = Float.parseFloat(text);
        if (!Float.isFinite(value)) {
            throw new DataFormatException(place + ": expected a number float32 can hold (|x| ≤ " + Float.MAX_VALUE
                    + "), found '" + text + "'");
        }
        return value;
    }

    /** The text with invisible and control characters as {@code \\uXXXX}, so a message shows what is there. */
    static String visible(String text) {
        StringBuilder shown = new StringBuilder(text.length());
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            boolean invisible = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || (Character.isWhitespace(c) && c != ' ') || Character.isSpaceChar(c) && c != ' ';
            shown.append(invisible ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return shown.toString();
    }

    /**
     * A header has no field that is a finite number (so a mistyped first data row is an error, not
     * a header, while a header that names a column {@code NaN} is still a header).
     */
    private static boolean isHeader(String[] fields) {
        for (String field : fields) {
            if (DECIMAL.matcher(field.strip()).matches()) {
                return false;
            }
        }
        return true;
    }
}

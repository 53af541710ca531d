package dev.deltaprop.io;

import java.io.IOException;
import java.io.Writer;

/**
 * Writes rows of numbers as CSV: a header {@code y1,y2,…}, then one row per sample, each number
 * as {@link Float#toString} writes it (so it reads back as the same float32).
 */
public final class CsvWriter {
    private CsvWriter() {
    }

    /** The header line {@code prefix1,prefix2,…,prefixN} (no line end). */
    public static String header(String prefix, int width) {
        StringBuilder s = new StringBuilder();
        for (int j = 1; j <= width; j++) {
            s.append(j > 1 ? "," : "").append(prefix).append(j);
        }
        return s.toString();
    }

    /** Writes {@code rows × width} values, batch-major, one row per line. */
    public static void rows(Writer out, float[] values, int width) throws IOException {
        if (width < 1 || values.length % width != 0) {
            throw new IllegalArgumentException("values: expected a whole number of rows of " + width + ", found "
                    + values.length + " numbers");
        }
        StringBuilder line = new StringBuilder();
        for (int r = 0; r < values.length / width; r++) {
            line.setLength(0);
            for (int j = 0; j < width; j++) {
                if (j > 0) {
                    line.append(',');
                }
                line.append(Float.toString(values[r * width + j]));
            }
            out.write(line.append('\n').toString());
        }
    }
}

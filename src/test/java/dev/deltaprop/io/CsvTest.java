package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** CSV data: x columns then d columns, optional header, errors naming line and column. */
class CsvTest {

    private static DataTable read(String text, int inputs, int outputs) throws IOException {
        return CsvReader.read(new StringReader(text), "F.csv", inputs, outputs);
    }

    @Test
    void readsSamplesWithAndWithoutHeader() throws IOException {
        DataTable table = read("x1,x2,y\n1,2,3\n\n 4 , 5.5 ,-6e-1\n", 2, 1);
        assertEquals(2, table.samples());
        assertArrayEquals(new float[] {1, 2, 4, 5.5f}, table.x());
        assertArrayEquals(new float[] {3, -0.6f}, table.d());
        DataTable plain = read("1,2,3\n", 2, 1);
        assertEquals(1, plain.samples());
    }

    @Test
    void predictionInputsMayOmitTheTeacher() throws IOException {
        DataTable table = CsvReader.readInputs(new StringReader("a,b\n1,2\n3,4\n"), "F.csv", 2, 1);
        assertEquals(0, table.outputs());
        assertArrayEquals(new float[] {1, 2, 3, 4}, table.x());
        DataTable full = CsvReader.readInputs(new StringReader("1,2,9\n3,4,8\n"), "F.csv", 2, 1);
        assertArrayEquals(new float[] {1, 2, 3, 4}, full.x());
    }

    @Test
    void errorsNameLineAndColumn() {
        assertMessage("F.csv line 3, column 2: expected a number, found 'abc'", "x,y,z\n1,2,3\n1,abc,3\n");
        assertMessage("F.csv line 2, column 3: expected a finite number, found 'NaN'", "1,2,3\n1,2,NaN\n");
        assertMessage("F.csv line 1, column 1: expected a finite number, found 'Infinity'", "Infinity,2,3\n");
        assertMessage("F.csv line 2: expected 3 columns (2 inputs + 1 outputs), found 2", "1,2,3\n1,2\n");
        assertMessage("F.csv line 1, column 3: expected a number, found ''", "1,2,\n");
        assertMessage("F.csv: expected at least 1 sample, found none", "a,b,c\n\n");
        assertMessage("F.csv: expected at least 1 sample, found none", "");
        // a first line with some numbers is data with a typo, not a header
        assertMessage("F.csv line 1, column 2: expected a number, found 'x'", "1,x,3\n");
    }

    private static void assertMessage(String expected, String text) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> read(text, 2, 1));
        assertEquals(expected, e.getMessage());
    }

    @Test
    void binaryFileIsRefusedNamingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws IOException {
        java.nio.file.Path file = folder.resolve("bin.csv");
        java.nio.file.Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, ',', '1', '\n'});
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvReader.read(file, 1, 1));
        assertEquals(file + ": not a text file (not UTF-8)", e.getMessage());
    }

    @Test
    void writerRoundTripsFloats() throws IOException {
        float[] values = {1f / 3, -0f, 1e-40f, 123456.78f, Float.MAX_VALUE, -2f};
        StringWriter out = new StringWriter();
        out.write(CsvWriter.header("y", 2) + "\n");
        CsvWriter.rows(out, values, 2);
        assertEquals("y1,y2\n", out.toString().substring(0, 6));
        DataTable back = CsvReader.readInputs(new StringReader(out.toString()), "out", 2, 1);
        float[] x = back.x();
        for (int k = 0; k < values.length; k++) {
            assertEquals(Float.floatToRawIntBits(values[k]), Float.floatToRawIntBits(x[k]));
        }
    }
}

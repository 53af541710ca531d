package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #9 and #11: CSV numbers are the decimal numbers every tool writes, not Java's own
 * syntax; a UTF-8 byte-order mark is not data; a header with NaN in it is a header; an invisible
 * character in a refused field is shown, not hidden.
 */
class CsvStrictnessTest {
    @TempDir
    Path folder;

    private static DataTable read(String text) throws IOException {
        return CsvReader.read(new StringReader(text), "F.csv", 2, 1);
    }

    @Test
    void javaOnlyNumberSyntaxIsRefused() {
        for (String number : new String[] {"0x1p3", "1f", "2d", "1.5F", "0X10", "1_000"}) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> read("1," + number + ",3\n"), number);
            assertTrue(e.getMessage().contains("column 2") && e.getMessage().contains("'" + number + "'"), e.getMessage());
        }
    }

    @Test
    void decimalNumbersAsOtherToolsWriteThemAreRead() throws IOException {
        DataTable table = read("+1,-2.5e-3,.5\n1.,3E2,-0\n");
        assertArrayEquals(new float[] {1, -2.5e-3f, 1, 300}, table.x());
        assertArrayEquals(new float[] {0.5f, -0f}, table.d());
    }

    @Test
    void aByteOrderMarkIsNotData() throws IOException {
        Path file = folder.resolve("bom.csv");
        Files.write(file, ("\uFEFF" + "0,1,1\n1,0,1\n").getBytes(StandardCharsets.UTF_8));
        DataTable table = CsvReader.read(file, 2, 1);
        assertEquals(2, table.samples());
        Path header = folder.resolve("bomheader.csv");
        Files.write(header, ("\uFEFF" + "a,b,y\n1,0,1\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(1, CsvReader.read(header, 2, 1).samples());
    }

    @Test
    void anInvisibleCharacterInARefusedFieldIsShown() {
        DataFormatException e = assertThrows(DataFormatException.class, () -> read("1,\u200B2,3\n"));
        assertTrue(e.getMessage().contains("\\u200B"), e.getMessage());
    }

    @Test
    void aHeaderWithNanInItIsAHeader() throws IOException {
        DataTable table = read("a,b,NaN\n1,2,3\n");
        assertEquals(1, table.samples());
        // a first row with a number in it is data (and a NaN in data is refused)
        DataFormatException e = assertThrows(DataFormatException.class, () -> read("1,b,NaN\n1,2,3\n"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}

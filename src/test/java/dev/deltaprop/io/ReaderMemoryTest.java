package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.MemoryEstimate;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #7: readers allocate only what the file actually holds, after validating it, and
 * refuse what will not fit the heap in one line naming the estimate and the limit — never an
 * OutOfMemoryError.
 */
class ReaderMemoryTest {
    @TempDir
    Path folder;

    @AfterEach
    void noLimit() {
        System.clearProperty(MemoryEstimate.LIMIT_PROPERTY);
    }

    @Test
    void aModelClaimingABillionOutputsIsRefusedBeforeAllocating() {
        String model = "{\"format\": \"deltaprop-mlp\", \"version\": 1, \"loss\": \"squared_error\", \"layers\": ["
                + "{\"inputs\": 2, \"outputs\": 1000000000, \"activation\": \"tanh\","
                + " \"weights\": [[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]]}]}";
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelReader.read(new StringReader(model)));
        assertTrue(e.getMessage().contains("layers[0].weights[0]: expected 1000000000 numbers, found 2"), e.getMessage());
    }

    @Test
    void aModelWithTheLargestIntInputsSaysHowManyRowsItExpects() {
        String model = "{\"format\": \"deltaprop-mlp\", \"version\": 1, \"loss\": \"squared_error\", \"layers\": ["
                + "{\"inputs\": 2147483647, \"outputs\": 1, \"activation\": \"tanh\", \"weights\": [[0.0], [1.0]]}]}";
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelReader.read(new StringReader(model)));
        assertTrue(e.getMessage().contains("expected 2147483648 rows"), e.getMessage());
    }

    @Test
    void aCsvRowOfTwoMillionColumnsIsReadWithoutRoomFor1024Such() throws IOException {
        int inputs = 2_000_000;
        StringBuilder row = new StringBuilder(2 * inputs + 8);
        for (int c = 0; c <= inputs; c++) {
            row.append(c == 0 ? "" : ",").append(c % 10);
        }
        DataTable table = CsvReader.read(new StringReader(row.toString()), "wide.csv", inputs, 1);
        assertEquals(1, table.samples());
        assertEquals(9f, table.x()[inputs - 1]);
    }

    @Test
    void aCsvLargerThanTheHeapIsRefusedNamingTheLineAndTheLimit() {
        Runtime runtime = Runtime.getRuntime();
        System.gc(); // what is live now, not the garbage earlier tests of this JVM left
        long used = runtime.totalMemory() - runtime.freeMemory();
        System.setProperty(MemoryEstimate.LIMIT_PROPERTY, String.valueOf(used + 64_000_000L));
        // an endless file of "0.5,1\n": the samples grow until they would not fit
        Reader endless = new Reader() {
            private long at;

            @Override
            public int read(char[] buffer, int offset, int length) {
                for (int k = 0; k < length; k++) {
                    buffer[offset + k] = "0.5,1\n".charAt((int) (at++ % 6));
                }
                return length;
            }

            @Override
            public void close() {
            }
        };
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(IOException.class, () -> CsvReader.read(endless, "big.csv", 1, 1)));
        assertTrue(e.getMessage().startsWith("big.csv line ") && e.getMessage().contains("heap"), e.getMessage());
    }

    @Test
    void aNpyFileOver2GibIsRefusedByItsHeaderNotByReadingIt() throws IOException {
        // sparse files: the header of a (50000, 50000) float32 array, 10 GB of zeros the disk never stores
        Path huge = npy("huge.npy", "(50000, 50000)", 50000L * 50000 * 4);
        DataFormatException e = assertThrows(DataFormatException.class, () -> NpyReader.read(huge));
        assertTrue(e.getMessage().startsWith(huge.toString()) && e.getMessage().contains("largest Java array"),
                e.getMessage());
        // 2.4 GB that one array could hold, but not this heap
        System.setProperty(MemoryEstimate.LIMIT_PROPERTY, "1000000000");
        Path large = npy("large.npy", "(600000000,)", 600_000_000L * 4);
        DataFormatException f = assertThrows(DataFormatException.class, () -> NpyReader.read(large));
        assertTrue(f.getMessage().startsWith(large.toString()) && f.getMessage().contains("heap")
                && f.getMessage().contains("2.4 GB"), f.getMessage());
    }

    private Path npy(String name, String shape, long dataBytes) throws IOException {
        byte[] header = NpyWriter.header(shape);
        Path file = folder.resolve(name);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.write(header);
            out.setLength(header.length + dataBytes);
        }
        return file;
    }
}

package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Files that NumPy itself wrote (see {@code src/test/resources/npy/README.md} for how). */
class NpyNumpyFilesTest {

    private static NpyArray read(String name) throws IOException {
        try (InputStream in = NpyNumpyFilesTest.class.getResourceAsStream("/npy/" + name)) {
            return NpyReader.read(in.readAllBytes(), name);
        }
    }

    private static String refusal(String name) throws IOException {
        byte[] bytes;
        try (InputStream in = NpyNumpyFilesTest.class.getResourceAsStream("/npy/" + name)) {
            bytes = in.readAllBytes();
        }
        return assertThrows(DataFormatException.class, () -> NpyReader.read(bytes, name)).getMessage();
    }

    /** a = arange(12).reshape(4, 3) / 4 − 1, in C order. */
    private static float[] expected() {
        float[] values = new float[12];
        for (int k = 0; k < 12; k++) {
            values[k] = k / 4f - 1;
        }
        return values;
    }

    @Test
    void readsWhatNumpySaves() throws IOException {
        for (String name : new String[] {"f4_le_4x3.npy", "f4_v2_4x3.npy", "f8_v3_4x3.npy"}) {
            NpyArray array = read(name);
            assertArrayEquals(new int[] {4, 3}, array.shape(), name);
            assertArrayEquals(expected(), array.values(), name);
        }
        NpyArray column = read("f8_be_4.npy");
        assertArrayEquals(new int[] {4}, column.shape());
        assertArrayEquals(new float[] {-1f, -0.25f, 0.5f, 1.25f}, column.values());
    }

    @Test
    void readsTheIntegerArraysNumpySavesForLabelsAndPixels() throws IOException {
        assertArrayEquals(new float[] {0, 1, 2, 3}, read("i8_4.npy").values());
        assertArrayEquals(new float[] {-2, 1, 4, 7}, read("i4_4.npy").values());
        NpyArray bytes = read("u1_2x3.npy");
        assertArrayEquals(new int[] {2, 3}, bytes.shape());
        assertArrayEquals(new float[] {0, 1, 127, 128, 254, 255}, bytes.values(), "unsigned, and not scaled");
    }

    @Test
    void refusesWhatNumpySavesButDeltapropDoesNotRead() throws IOException {
        assertTrue(refusal("fortran_4x3.npy").startsWith("fortran_4x3.npy: expected C order"));
        assertTrue(refusal("f4_2x2x3.npy").contains("expected a 1-D or 2-D array, found shape (2, 2, 3)"));
    }
}

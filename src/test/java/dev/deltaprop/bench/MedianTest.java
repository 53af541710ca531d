package dev.deltaprop.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MedianTest {

    @Test
    void oddCountIsTheMiddleOfTheSortedValues() {
        assertEquals(7, Median.of(new long[] {7}));
        assertEquals(5, Median.of(new long[] {9, 1, 5}));
        assertEquals(30, Median.of(new long[] {1000, 30, 10, 20, 40}));
    }

    @Test
    void evenCountIsTheMeanOfTheTwoMiddleValuesRoundedDown() {
        assertEquals(15, Median.of(new long[] {20, 10}));
        assertEquals(2, Median.of(new long[] {1, 2, 3, 100}));
        assertEquals(Long.MAX_VALUE - 1, Median.of(new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 2}));
    }

    @Test
    void anOutlierDoesNotMoveIt() {
        assertEquals(100, Median.of(new long[] {100, 101, 99, 1_000_000, 100}));
    }

    @Test
    void theArrayIsNotReordered() {
        long[] values = {3, 1, 2};
        Median.of(values);
        assertArrayEquals(new long[] {3, 1, 2}, values);
    }

    @Test
    void noValuesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Median.of(new long[0]));
        assertThrows(IllegalArgumentException.class, () -> Median.of(null));
    }
}

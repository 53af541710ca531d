package dev.deltaprop.bench;

import java.util.Arrays;

/**
 * The median of timed runs: robust against the one step that a garbage collection, a JIT
 * compilation or a neighbour on a shared machine made slow, where a mean would move.
 */
public final class Median {
    private Median() {
    }

    /**
     * The middle value of {@code values} once sorted; for an even count, the mean of the two
     * middle values (rounded down). The array is not changed.
     *
     * @throws IllegalArgumentException when {@code values} is null or empty
     */
    public static long of(long[] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("values: expected at least 1 measurement, found none");
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        if (sorted.length % 2 == 1) {
            return sorted[middle];
        }
        long low = sorted[middle - 1];
        long high = sorted[middle];
        // low + (high − low)/2 cannot overflow where (low + high)/2 could
        return low + Math.floorDiv(high - low, 2);
    }
}

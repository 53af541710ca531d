package dev.deltaprop.model;

import java.util.Locale;

/**
 * What training a network needs in memory, estimated before anything is allocated, so that a
 * network or a data set too large for the Java heap is refused in one line naming the estimate
 * and the limit — not by an {@link OutOfMemoryError} stack trace after minutes of work.
 *
 * <p>For a network of widths {@code n_0 … n_L} with {@code P = Σ_l (n_{l-1} + 1) n_l} parameters,
 * an optimizer with {@code s} state arrays per parameter (0 for sgd, 1 for momentum, 2 for adam)
 * and batches of {@code B} samples, a host backend holds {@code P (2 + s)} parameter-sized numbers
 * (the weights, their gradient, the optimizer's state) and {@code 3 B Σ_{l≥1} n_l} activations
 * ({@code u}, {@code z}, {@code δ}), beside the {@link Network} the caller holds ({@code P} more).
 *
 * <p>The heap limit is {@link Runtime#maxMemory()} ({@code -Xmx}); the system property
 * {@value #LIMIT_PROPERTY} (bytes) lowers it, e.g. to leave room for the application around deltaprop.
 */
public final class MemoryEstimate {
    /** System property: the heap, in bytes, deltaprop plans to use at most (default: {@code -Xmx}). */
    public static final String LIMIT_PROPERTY = "deltaprop.memory.limit";

    private MemoryEstimate() {
    }

    /** {@code P = Σ_l (n_{l-1} + 1) n_l} for widths {@code n_0 … n_L} (saturating, never wrapping). */
    public static long parameters(int[] widths) {
        long count = 0;
        for (int l = 1; l < widths.length; l++) {
            count = add(count, Sizes.multiply(widths[l - 1] + 1L, widths[l]));
        }
        return count;
    }

    /** {@code 3 B Σ_{l≥1} n_l}: the activations a step keeps. */
    public static long activations(int[] widths, long batch) {
        long units = 0;
        for (int l = 1; l < widths.length; l++) {
            units += widths[l];
        }
        return Sizes.multiply(3 * batch, units);
    }

    /** Bytes of {@code count} numbers of {@code bytesEach} bytes (saturating). */
    public static long bytes(long count, int bytesEach) {
        return Sizes.multiply(count, bytesEach);
    }

    /** The heap deltaprop may use: {@value #LIMIT_PROPERTY} if set and smaller, else {@code -Xmx}. */
    public static long heapLimit() {
        long limit = Runtime.getRuntime().maxMemory();
        String property = System.getProperty(LIMIT_PROPERTY);
        if (property != null && !property.isBlank()) {
            try {
                limit = Math.min(limit, Long.parseLong(property.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(LIMIT_PROPERTY + ": expected a number of bytes, found '" + property + "'");
            }
        }
        return limit;
    }

    /** The heap still free under {@link #heapLimit()} now (what is in use counts, garbage included). */
    public static long heapAvailable() {
        Runtime runtime = Runtime.getRuntime();
        return heapLimit() - (runtime.totalMemory() - runtime.freeMemory());
    }

    /**
     * Refuses {@code bytes} more than the heap limit.
     *
     * @param what names what needs the memory and why, e.g. {@code "--layers 2-20000-20000-1: the
     *             network (4.0e8 parameters, with their gradient and optimizer state)"}
     * @throws IllegalArgumentException naming {@code what}, the estimate and the limit
     */
    public static void requireHeap(String what, long bytes) {
        long limit = heapLimit();
        if (bytes > limit) {
            throw new IllegalArgumentException(what + " needs about " + describe(bytes) + " of memory, more than the"
                    + " Java heap's limit of " + describe(limit) + " (-Xmx" + (System.getProperty(LIMIT_PROPERTY) == null
                    ? "" : " or " + LIMIT_PROPERTY) + "; give java a larger -Xmx, or make it smaller)");
        }
    }

    /** {@code 1.6 GB}, {@code 740.0 MB}: bytes in decimal units, as disks and {@code -Xmx} users read them. */
    public static String describe(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 9.2 EB";
        }
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static long add(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}

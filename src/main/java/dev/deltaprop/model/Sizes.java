package dev.deltaprop.model;

/**
 * Products and sums of sizes (batch × width, inputs × outputs, rows × columns) computed in
 * {@code long} and refused, by name, past what one Java array (or one kernel index) holds —
 * never wrapped around to a negative or small number that would silently train nothing.
 */
public final class Sizes {
    /** The most elements one Java array may have: {@code Integer.MAX_VALUE − 8}, as the JDK's collections allow. */
    public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Sizes() {
    }

    /**
     * {@code a × b} as an array length.
     *
     * @param what names the product in the message, e.g. {@code "batch × n_1"}
     * @throws IllegalArgumentException naming {@code what}, both factors and the limit when the
     *                                  product is negative or more than {@link #MAX_ARRAY}
     */
    public static int elements(String what, long a, long b) {
        long product = multiply(a, b);
        if (a < 0 || b < 0 || product > MAX_ARRAY) {
            throw new IllegalArgumentException(what + ": " + a + " × " + b + " = " + (product == Long.MAX_VALUE
                    ? "more than 2^63" : String.valueOf(product)) + " elements, expected at most " + MAX_ARRAY
                    + " (the largest Java array)");
        }
        return (int) product;
    }

    /** {@code a × b}, saturated at {@link Long#MAX_VALUE} instead of wrapping (both ≥ 0). */
    public static long multiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
            return low;
        }
        return Long.MAX_VALUE;
    }

    /** {@code ⌈a / b⌉} for {@code a ≥ 0, b ≥ 1}, without the overflow of {@code (a + b − 1) / b}. */
    public static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }
}

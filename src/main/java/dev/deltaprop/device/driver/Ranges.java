package dev.deltaprop.device.driver;

/**
 * The range checks of a copy, with messages that name the field and the bound
 * ({@code targetOffset + count: expected at most 8 (the elements of the buffer), found 6 + 4}).
 */
final class Ranges {
    private Ranges() {
    }

    /** {@code offset} and {@code count} elements of a device buffer. */
    static void device(String offsetField, long offset, int count, Driver.Memory buffer) {
        check(offsetField, offset, count, buffer.elements(), "the elements of the buffer");
    }

    /** {@code offset} and {@code count} elements of a host array or buffer of {@code size} ({@code sizeName}). */
    static void host(String offsetField, long offset, int count, long size, String sizeName) {
        check(offsetField, offset, count, size, sizeName);
    }

    private static void check(String offsetField, long offset, int count, long size, String sizeName) {
        if (count < 0) {
            throw new IllegalArgumentException("count: expected at least 0, found " + count);
        }
        if (offset < 0) {
            throw new IllegalArgumentException(offsetField + ": expected at least 0, found " + offset);
        }
        if (offset + count > size) {
            throw new IllegalArgumentException(offsetField + " + count: expected at most " + size + " (" + sizeName
                    + "), found " + offset + " + " + count);
        }
    }
}

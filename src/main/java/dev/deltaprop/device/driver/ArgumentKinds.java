package dev.deltaprop.device.driver;

/**
 * The shape of a launch's arguments: the kind of each, {@link Driver.Memory}, {@link Integer} or
 * {@link Float}, which is what a binding's preallocated argument storage for a kernel depends
 * on (not the values). A launch whose kinds match the cached ones refills that storage in place.
 */
public final class ArgumentKinds {
    public static final byte MEMORY = 0;
    public static final byte INT = 1;
    public static final byte FLOAT = 2;

    private ArgumentKinds() {
    }

    /** The kind of {@code argument}, which {@link NativeDriver#launch} has checked is one of the three. */
    public static byte of(Object argument) {
        return argument instanceof Driver.Memory ? MEMORY : argument instanceof Integer ? INT : FLOAT;
    }

    /** The kinds of {@code arguments}, in order. */
    public static byte[] of(Object[] arguments) {
        byte[] kinds = new byte[arguments.length];
        for (int a = 0; a < arguments.length; a++) {
            kinds[a] = of(arguments[a]);
        }
        return kinds;
    }

    /** Whether {@code arguments} have exactly {@code kinds} (checked without allocating). */
    public static boolean match(byte[] kinds, Object[] arguments) {
        if (kinds == null || kinds.length != arguments.length) {
            return false;
        }
        for (int a = 0; a < arguments.length; a++) {
            if (kinds[a] != of(arguments[a])) {
                return false;
            }
        }
        return true;
    }
}

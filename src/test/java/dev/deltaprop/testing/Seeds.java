package dev.deltaprop.testing;

/**
 * The seed of a test's random inputs: {@code DELTAPROP_TEST_SEED} when set, so that a failure
 * can be rerun with the same inputs (an environment variable reaches surefire's forked JVM),
 * else a fresh one. Every test that draws random inputs takes its seed here and prints it.
 */
public final class Seeds {
    /** The variable that fixes every test's seed. */
    public static final String VARIABLE = "DELTAPROP_TEST_SEED";

    private Seeds() {
    }

    /** Whether {@value #VARIABLE} fixes the seed (a rerun). */
    public static boolean fixed() {
        String fixed = System.getenv(VARIABLE);
        return fixed != null && !fixed.isBlank();
    }

    /** The fixed seed, or a fresh one. */
    public static long seed() {
        String fixed = System.getenv(VARIABLE);
        if (fixed == null || fixed.isBlank()) {
            return System.nanoTime();
        }
        try {
            return Long.parseLong(fixed.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(VARIABLE + ": expected a whole number (a seed a failed test printed), found '"
                    + fixed + "'", e);
        }
    }

    /** {@link #seed()}, printed with how to rerun it: {@code PassesTest seed 123 (rerun with DELTAPROP_TEST_SEED=123)}. */
    public static long seed(String test) {
        long seed = seed();
        System.out.println(test + " seed " + seed + " (rerun with " + VARIABLE + "=" + seed + ")");
        return seed;
    }

    /** {@code , seed 123}: what an assertion message appends so that its failure can be rerun. */
    public static String rerun(long seed) {
        return ", seed " + seed + " (rerun with " + VARIABLE + "=" + seed + ")";
    }
}

package dev.deltaprop.testing;

/**
 * How long an allocation test keeps measuring windows of steady steps before it believes that
 * every window allocates: at least {@value #MINIMUM} windows, and past that until
 * {@value #SECONDS} s have gone by since the first. The JIT decides when a path stops
 * allocating: a branch first taken late (sigmoid units that saturate for the first time around
 * step 2,000) traps to the interpreter until C2 has compiled the method again, and on a loaded
 * machine that took longer than 20 windows of 100 steps. An allocation the code makes per step
 * is in every window and still fails, after the time; the bound stays 0 bytes in one window.
 */
public final class SteadyWindows {
    /** Windows measured at least, however fast. */
    public static final int MINIMUM = 20;
    /** Seconds since the first window within which more windows are taken. */
    public static final long SECONDS = 90;

    private final long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
    private int taken;

    /** Whether to measure another window, given the smallest excess seen so far ({@code 0}: done). */
    public boolean another(long smallest) {
        if (smallest == 0) {
            return false;
        }
        boolean more = taken < MINIMUM || System.nanoTime() < deadline;
        taken++;
        return more;
    }
}

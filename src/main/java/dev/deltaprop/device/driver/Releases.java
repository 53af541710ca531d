package dev.deltaprop.device.driver;

/**
 * Releases a set of native objects one after the other even when some fail, then reports: the
 * first failure is thrown with every later one {@linkplain Throwable#addSuppressed suppressed}
 * onto it. A release that throws must not stop the ones after it, or a single bad handle (a
 * sticky CUDA error, a lost OpenCL context) would leak everything behind it.
 */
public final class Releases {
    private RuntimeException first;

    /** A release step; throws (a {@link DriverException} naming the call) when its status is not success. */
    @FunctionalInterface
    public interface Step {
        void run();
    }

    /** Runs {@code step}, keeping its failure instead of throwing it. */
    public void attempt(Step step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Records a failure found outside {@link #attempt}. */
    public void failed(RuntimeException failure) {
        if (first == null) {
            first = failure;
        } else if (failure != first) {
            first.addSuppressed(failure);
        }
    }

    /** Whether any step has failed so far. */
    public boolean anyFailed() {
        return first != null;
    }

    /** Throws the first failure, with the later ones suppressed onto it; returns when all succeeded. */
    public void report() {
        if (first != null) {
            throw first;
        }
    }
}

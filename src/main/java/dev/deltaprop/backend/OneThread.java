package dev.deltaprop.backend;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Catches a backend (or predictor) used by two threads at once. Backends are single-threaded by
 * design — their buffers, their worker team, their device queue belong to one call at a time —
 * and concurrent use would deadlock, crash a device driver or corrupt the weights without a word.
 * So every public call is bracketed by {@link #enter()} and {@link #exit(boolean)}, and a second
 * thread arriving while the first is inside gets an {@link IllegalStateException} naming the
 * backend and both threads, before it touches anything.
 *
 * <p>The cost is one compare-and-set and one release store per call, and no allocation. Use from
 * one thread after another (a thread pool handing the backend on) is fine: only overlapping calls
 * are refused. A call made from inside another call on the same thread (a default method calling
 * an overload) is let through.
 *
 * <pre>{@code
 * boolean entered = guard.enter();
 * try { ... } finally { guard.exit(entered); }
 * }</pre>
 */
public final class OneThread {
    private final String owner;
    private final AtomicReference<Thread> inside = new AtomicReference<>();

    /** @param owner what messages call the guarded object: the backend's name */
    public OneThread(String owner) {
        this.owner = owner;
    }

    /**
     * Marks the calling thread as inside a call.
     *
     * @return {@code true} if this call entered (pass it to {@link #exit}), {@code false} for a
     *         call nested in one this thread is already inside
     * @throws IllegalStateException naming the owner and both threads when another thread is inside
     */
    public boolean enter() {
        Thread current = Thread.currentThread();
        Thread other = inside.compareAndExchange(null, current);
        if (other == null) {
            return true;
        }
        if (other == current) {
            return false;
        }
        throw new IllegalStateException(owner + ": called from thread '" + current.getName() + "' while thread '"
                + other.getName() + "' is still inside a call; it is used by one thread at a time (give each"
                + " thread its own, or hand it from one thread to the next)");
    }

    /** Ends a call that {@link #enter()} returned {@code true} for. */
    public void exit(boolean entered) {
        if (entered) {
            inside.setRelease(null);
        }
    }
}

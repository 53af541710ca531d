package dev.deltaprop.cpu;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one {@link Task} at a time, split into {@code parts} pieces:
 * the caller runs part 0, worker {@code t} runs part {@code t}. {@link #run} returns when every
 * part is done, so one call is one parallel phase with a barrier at its end.
 *
 * <p>Nothing is allocated per run: the task is a preallocated object whose fields the caller set.
 * Workers spin for a few microseconds after a phase (the next phase of a training step usually
 * follows at once) and then park, so an idle backend costs no CPU. The part a thread runs is
 * fixed by its index, never by who arrives first, which is what makes results reproducible.
 */
final class Workers implements AutoCloseable {

    /** One parallel phase: {@code run(part, parts)} does the {@code part}-th of {@code parts} disjoint pieces. */
    interface Task {
        void run(int part, int parts);
    }

    /** How long a thread spins before parking; a training step's phases follow each other within this. */
    private static final long SPIN_NANOS = 50_000;

    private final int parts;
    private final Thread[] threads;
    /** 1 while worker {@code t} is (about to be) parked; volatile so that it pairs with {@code generation}. */
    private final AtomicIntegerArray parked;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile int generation;
    private volatile Thread waiter;
    private volatile boolean closed;
    private volatile Throwable failure;

    /** @param parts the number of threads, the caller's included; at least 1 */
    Workers(int parts) {
        this(parts, Thread::new);
    }

    /**
     * As {@link #Workers(int)}, with the threads made by {@code factory} (tests make it fail).
     * If a thread cannot be made or started, those already started are stopped and joined before
     * the failure is rethrown: a failed start leaves no thread behind.
     */
    Workers(int parts, ThreadFactory factory) {
        if (parts < 1) {
            throw new IllegalArgumentException("threads: expected at least 1, found " + parts);
        }
        this.parts = parts;
        this.threads = new Thread[parts - 1];
        this.parked = new AtomicIntegerArray(Math.max(parts - 1, 1));
        try {
            for (int t = 0; t < threads.length; t++) {
                int index = t;
                Thread thread = factory.newThread(() -> work(index));
                thread.setName("deltaprop-cpu-" + (t + 1));
                thread.setDaemon(true);
                thread.start();
                threads[t] = thread;
            }
        } catch (RuntimeException | Error e) {
            close();
            for (Thread thread : threads) {
                joinQuietly(thread);
            }
            throw e;
        }
    }

    private static void joinQuietly(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int parts() {
        return parts;
    }

    /** Runs {@code task} on every thread and returns when all parts are done; rethrows a part's failure. */
    void run(Task task) {
        if (closed) {
            throw new IllegalStateException("cpu: the backend is closed");
        }
        if (parts == 1) {
            task.run(0, 1);
            return;
        }
        this.task = task;
        failure = null;
        pending.set(parts - 1);
        generation++; // the volatile write that publishes task (and everything the caller set before)
        for (int t = 0; t < threads.length; t++) {
            if (parked.get(t) == 1) {
                LockSupport.unpark(threads[t]);
            }
        }
        Throwable own = null;
        try {
            task.run(0, parts);
        } catch (Throwable e) {
            own = e;
        }
        awaitWorkers();
        Throwable failed = own != null ? own : failure;
        if (failed instanceof RuntimeException) {
            throw (RuntimeException) failed;
        }
        if (failed instanceof Error) {
            throw (Error) failed;
        }
        if (failed != null) {
            throw new IllegalStateException(failed);
        }
    }

    private void awaitWorkers() {
        long start = System.nanoTime();
        while (pending.get() != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            waiter = Thread.currentThread();
            // re-check after publishing ourselves: the last worker may have finished in between
            while (pending.get() != 0) {
                LockSupport.park(this);
            }
            waiter = null;
        }
    }

    private void work(int index) {
        int seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked.set(index, 1);
                // re-check after publishing that we park: run() reads parked after bumping generation,
                // so either we see the new generation here or run() sees us parked and unparks us
                if (generation == seen && !closed) {
                    LockSupport.park(this);
                }
                parked.set(index, 0);
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                task.run(index + 1, parts);
            } catch (Throwable e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) {
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread thread : threads) {
            LockSupport.unpark(thread);
        }
    }
}

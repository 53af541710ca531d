package dev.deltaprop.cpu;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one {@link Task} at a time: the caller runs part 0, worker
 * {@code t} runs part {@code t} if it joins in time. {@link #run} returns when every part that
 * joined is done, so one call is one parallel phase with a barrier at its end.
 *
 * <p>Tasks claim their work dynamically (chunks from a shared counter), so any one part does all
 * the work the others have not claimed. That is what lets the barrier wait only for the workers
 * that are actually working: once the caller has run out of work it closes the phase, and a
 * worker that had not joined by then (still waking, or descheduled: this machine is shared)
 * skips it instead of holding the step back. Joining and closing are one atomic word, the
 * phase's generation with a count of the parts inside it.
 *
 * <p>Nothing is allocated per run: the task is a preallocated object whose fields the caller set.
 * Workers spin for a few microseconds after a phase (the next phase of a training step usually
 * follows at once) and then park, so an idle backend costs no CPU. Which thread runs a chunk never
 * changes a result: tasks compute every output in one fixed order whoever computes it.
 */
final class Workers implements AutoCloseable {

    /** One parallel phase: {@code run(part, parts)} does the {@code part}-th of {@code parts} disjoint pieces. */
    interface Task {
        /**
         * Part {@code part} of {@code parts} (the caller is part 0): claims and does work until none
         * is left, so that part 0 alone would finish the task.
         */
        void run(int part, int parts);

        /** What the phase is, for {@link PhaseClock}: a constant, so that timing allocates nothing. */
        default String label() {
            return "phase";
        }
    }

    /** How long a thread spins before parking; a training step's phases follow each other within this. */
    private static final long SPIN_NANOS = 50_000;

    /** Who owns the threads, for the refusal after {@link #close}: e.g. {@code cpu passes}. */
    private final String owner;
    private final int parts;
    private final Thread[] threads;
    /** 1 while worker {@code t} is (about to be) parked; volatile so that it pairs with {@link #phase}. */
    private final AtomicIntegerArray parked;
    /**
     * The running phase: its generation in the high 32 bits, {@link #CLOSED} once the caller has no
     * work left, and in the low bits the workers inside it. A worker joins by incrementing it while
     * it is open and of a generation the worker has not seen; the caller waits until the count is 0.
     */
    private final AtomicLong phase = new AtomicLong();
    private static final long CLOSED = 1L << 31;
    private static final long COUNT = CLOSED - 1;
    private Task task;
    private volatile Thread waiter;
    private volatile boolean closed;
    private volatile Throwable failure;
    /** When set (measurement only), each run is recorded in it; read and written by the calling thread only. */
    private PhaseClock clock;

    /**
     * @param owner who runs its phases on them, named in the refusal after {@link #close}
     * @param parts the number of threads, the caller's included; at least 1
     */
    Workers(String owner, int parts) {
        this(owner, parts, Thread::new);
    }

    /** Workers owned by {@link Passes}, the one owner so far (as {@code Workers("cpu passes", parts)}). */
    Workers(int parts) {
        this(PASSES, parts);
    }

    /** The owner {@link #Workers(int)} names. */
    static final String PASSES = "cpu passes";

    /**
     * As {@link #Workers(int)}, with the threads made by {@code factory} (tests make it fail).
     * If a thread cannot be made or started, those already started are stopped and joined before
     * the failure is rethrown: a failed start leaves no thread behind.
     */
    Workers(int parts, ThreadFactory factory) {
        this(PASSES, parts, factory);
    }

    /** As {@link #Workers(int, ThreadFactory)}, owned by {@code owner}. */
    Workers(String owner, int parts, ThreadFactory factory) {
        this.owner = java.util.Objects.requireNonNull(owner, "owner");
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

    /** Records every following {@link #run} in {@code clock}; {@code null} stops recording. */
    void clock(PhaseClock clock) {
        this.clock = clock;
    }

    /** Runs {@code task} on every thread and returns when all parts are done; rethrows a part's failure. */
    void run(Task task) {
        if (closed) {
            throw new IllegalStateException(owner + ": closed, its worker threads have stopped");
        }
        PhaseClock timing = clock;
        long started = timing == null ? 0 : System.nanoTime();
        if (parts == 1) {
            task.run(0, 1);
            if (timing != null) {
                long now = System.nanoTime();
                timing.record(task.label(), started, now, now);
            }
            return;
        }
        this.task = task;
        failure = null;
        long generation = (phase.get() >>> 32) + 1;
        phase.set(generation << 32); // the volatile write that publishes task (and everything the caller set before)
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
        long callerDone = timing == null ? 0 : System.nanoTime();
        awaitWorkers();
        if (timing != null) {
            timing.record(task.label(), started, callerDone, System.nanoTime());
        }
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

    /** Closes the phase to latecomers, then waits for the workers inside it. */
    private void awaitWorkers() {
        long state = phase.getAndAdd(CLOSED);
        long start = System.nanoTime();
        while ((state & COUNT) != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
                state = phase.get();
                continue;
            }
            waiter = Thread.currentThread();
            // re-check after publishing ourselves: the last worker may have left in between
            while ((phase.get() & COUNT) != 0) {
                LockSupport.park(this);
            }
            waiter = null;
            state = phase.get();
        }
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            long start = System.nanoTime();
            long state = phase.get();
            while ((state >>> 32) == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    state = phase.get();
                    continue;
                }
                parked.set(index, 1);
                // re-check after publishing that we park: run() reads parked after opening a phase,
                // so either we see the new generation here or run() sees us parked and unparks us
                if ((phase.get() >>> 32) == seen && !closed) {
                    LockSupport.park(this);
                }
                parked.set(index, 0);
                state = phase.get();
            }
            if (closed) {
                return;
            }
            seen = state >>> 32;
            if ((state & CLOSED) != 0 || !phase.compareAndSet(state, state + 1)) {
                // closed before we joined (the caller did our share), or another worker joined
                // first: look again, since the generation may still be open
                if ((state & CLOSED) == 0) {
                    seen = seen - 1;
                }
                continue;
            }
            try {
                task.run(index + 1, parts);
            } catch (Throwable e) {
                failure = e;
            }
            if ((phase.decrementAndGet() & COUNT) == 0) {
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

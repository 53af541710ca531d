package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.Releases;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Timing marks on one CUDA stream from a bounded set of events. CUDA has no absolute event
 * time, only {@code cuEventElapsedTime} between two live events, so each mark is timed from the
 * mark before it on the stream: reading a mark resolves it and every unread mark before it, in
 * stream order, to a time since the first mark, {@code t_k = t_{k−1} + elapsed(e_{k−1}, e_k)}
 * (in double, from the float milliseconds CUDA gives per link, so a span within a step keeps
 * the precision of its own short links). Once a mark's successor is resolved its event is no
 * longer needed and goes back to an idle pool that {@link #mark()} draws from; the pool keeps at
 * most {@value #IDLE_EVENTS} events and destroys the rest. So a profiled training loop, which
 * reads every step's marks, holds a handful of events however long it runs, instead of one
 * per family per step until close.
 *
 * @param <E> the binding's {@code CUevent}
 */
public final class CudaMarks<E> {
    /** Idle events kept for reuse: more than a step places (one per family and one to start). */
    static final int IDLE_EVENTS = 16;

    /** The event calls, each checked by the binding except {@link #record}, whose result is returned. */
    public interface Events<E> {
        E create();

        int record(E event);

        void synchronize(E event);

        float elapsedMilliseconds(E start, E end);

        void destroy(E event);
    }

    /** A point on the stream: its event until it and its successor are resolved, then only its time. */
    public static final class Mark<E> {
        E event;
        /** The mark recorded before it, until this one is resolved. */
        Mark<E> previous;
        boolean resolved;
        /** Device time since the first mark, once resolved. */
        double nanos;

        Mark(E event, Mark<E> previous) {
            this.event = event;
            this.previous = previous;
        }

        /** Whether it holds no event any more (its time is kept). */
        boolean spent() {
            return event == null;
        }
    }

    private final Events<E> events;
    private final ArrayDeque<E> idle = new ArrayDeque<>();
    private Mark<E> newest;
    /** Events held by marks, recorded and not yet given back. */
    private int held;

    CudaMarks(Events<E> events) {
        this.events = events;
    }

    /** Records an event (an idle one if any) on the stream after everything before it. */
    Mark<E> mark() {
        E event = idle.isEmpty() ? events.create() : idle.pop();
        int recorded = events.record(event);
        if (recorded != CudaResult.SUCCESS) {
            giveBack(event);
            CudaResult.check("cuEventRecord", recorded);
        }
        held++;
        Mark<E> mark = new Mark<>(event, newest);
        newest = mark;
        return mark;
    }

    /** The device time from {@code start} to {@code end}, resolving both (this waits for the later one). */
    long elapsedNanos(Mark<E> start, Mark<E> end) {
        resolve(end);
        resolve(start);
        return Math.round(end.nanos - start.nanos);
    }

    /** Waits for {@code mark}, then times it and every unresolved mark before it, oldest first. */
    private void resolve(Mark<E> mark) {
        if (mark.resolved) {
            return;
        }
        events.synchronize(mark.event); // the stream is in order: every earlier mark is complete too
        List<Mark<E>> pending = new ArrayList<>();
        for (Mark<E> m = mark; m != null && !m.resolved; m = m.previous) {
            pending.add(m);
        }
        for (int k = pending.size() - 1; k >= 0; k--) {
            Mark<E> m = pending.get(k);
            Mark<E> before = m.previous;
            if (before == null) {
                m.nanos = 0; // the first mark: times count from it
            } else {
                m.nanos = before.nanos + events.elapsedMilliseconds(before.event, m.event) * 1e6;
                releaseEvent(before); // its successor is timed: nothing needs its event now
            }
            m.previous = null;
            m.resolved = true;
        }
    }

    /** At close, a mark still holding its event gives it back (the pool is destroyed by {@link #close}). */
    void release(Mark<E> mark) {
        releaseEvent(mark);
    }

    private void releaseEvent(Mark<E> mark) {
        if (mark.event != null) {
            E event = mark.event;
            mark.event = null;
            held--;
            giveBack(event);
        }
    }

    private void giveBack(E event) {
        if (idle.size() < IDLE_EVENTS) {
            idle.push(event);
        } else {
            events.destroy(event);
        }
    }

    /** Events held by marks plus idle ones. */
    int events() {
        return held + idle.size();
    }

    /** Destroys every idle event, through {@code releases}. */
    void close(Releases releases) {
        while (!idle.isEmpty()) {
            E event = idle.pop();
            releases.attempt(() -> events.destroy(event));
        }
        newest = null;
    }
}

package dev.deltaprop.device.driver.opencl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Host memory through which an OpenCL driver's uploads go, so that {@code clEnqueueWriteBuffer}
 * need not block: the caller's array is copied here (a memcpy at host speed) and the copy to the
 * device is enqueued without waiting, behind the kernels still queued. A blocking write on an
 * in-order queue returns only once everything before it has run, so without this every step
 * that uploads a batch waits for the previous step to finish before it can enqueue anything.
 *
 * <p>Two halves, each filled front to back; when a write does not fit the rest of the current
 * half, a marker is enqueued behind that half's copies and the other half becomes current, after
 * waiting for its own marker (its copies, long since done in a steady run of steps). So a region
 * is never refilled while a copy may still read it, and nothing is allocated per write. The halves
 * start small and grow (after a wait for the queue) to the largest write up to
 * {@value #MAX_HALF_BYTES} bytes; a larger write is not staged (the driver then writes blocking).
 * A closed driver's halves go back to a pool that the next driver takes them from: Java frees a
 * direct buffer only when a collection finds it, so a program that opens and closes drivers
 * would otherwise hold every closed driver's staging until then (at most {@value #POOLED} pooled).
 *
 * @param <V> the binding's {@code cl_event}
 */
final class UploadStaging<V> {
    /** The largest half: 8 MiB, a whole {@code wide} batch. */
    static final long MAX_HALF_BYTES = 8L << 20;
    private static final long FIRST_HALF_BYTES = 64L << 10;
    /** The most halves the pool keeps. */
    static final int POOLED = 16;
    private static final ArrayDeque<ByteBuffer> POOL = new ArrayDeque<>();

    private final Supplier<V> marker;
    private final Consumer<V> awaitAndRelease;
    private final Runnable finish;
    private final ByteBuffer[] halves = new ByteBuffer[2];
    private final FloatBuffer[] floats = new FloatBuffer[2];
    private final IntBuffer[] ints = new IntBuffer[2];
    /** The marker enqueued when a half was left, until it is awaited; {@code null}: nothing pending. */
    private final Object[] drained = new Object[2];
    private long halfBytes;
    private int current;
    private long used;

    /**
     * @param marker          enqueues a marker behind everything queued ({@code clEnqueueMarkerWithWaitList})
     * @param awaitAndRelease waits for a marker and releases it
     * @param finish          waits for the queue ({@code clFinish}), before the halves are replaced
     */
    UploadStaging(Supplier<V> marker, Consumer<V> awaitAndRelease, Runnable finish) {
        this.marker = marker;
        this.awaitAndRelease = awaitAndRelease;
        this.finish = finish;
    }

    /**
     * Room for {@code bytes} in the current half that no queued copy still reads: its byte
     * offset in {@link #half()}, or {@code -1} when {@code bytes} is more than a half may hold.
     */
    long reserve(long bytes) {
        if (bytes > MAX_HALF_BYTES) {
            return -1;
        }
        if (bytes > halfBytes) {
            grow(bytes);
        }
        if (used + bytes > halfBytes) {
            drained[current] = marker.get();
            current ^= 1;
            used = 0;
            awaitPending(current);
        }
        long at = used;
        used += bytes;
        return at;
    }

    /** The current half (position 0; write at the offsets {@link #reserve} gave). */
    ByteBuffer half() {
        return halves[current];
    }

    /** The current half as floats, native order. */
    FloatBuffer floats() {
        return floats[current];
    }

    /** The current half as ints, native order. */
    IntBuffer ints() {
        return ints[current];
    }

    private void grow(long bytes) {
        long size = Math.max(FIRST_HALF_BYTES, halfBytes);
        while (size < bytes) {
            size *= 2;
        }
        size = Math.min(size, MAX_HALF_BYTES);
        finish.run(); // no copy may read the old halves any more
        release();
        for (int h = 0; h < 2; h++) {
            halves[h] = take((int) size);
            floats[h] = halves[h].asFloatBuffer();
            ints[h] = halves[h].asIntBuffer();
        }
        halfBytes = size;
        current = 0;
        used = 0;
    }

    @SuppressWarnings("unchecked")
    private void awaitPending(int half) {
        Object pending = drained[half];
        if (pending != null) {
            drained[half] = null;
            awaitAndRelease.accept((V) pending);
        }
    }

    /** Releases the pending markers and returns the halves to the pool; the caller has finished the queue (the driver's close). */
    void release() {
        for (int h = 0; h < 2; h++) {
            awaitPending(h);
            if (halves[h] != null) {
                give(halves[h]);
                halves[h] = null;
                floats[h] = null;
                ints[h] = null;
            }
        }
        halfBytes = 0;
        used = 0;
    }

    /** A pooled half of exactly {@code bytes}, or a new one. */
    private static ByteBuffer take(int bytes) {
        synchronized (POOL) {
            for (var it = POOL.iterator(); it.hasNext(); ) {
                ByteBuffer pooled = it.next();
                if (pooled.capacity() == bytes) {
                    it.remove();
                    return pooled;
                }
            }
        }
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private static void give(ByteBuffer half) {
        synchronized (POOL) {
            if (POOL.size() == POOLED) {
                POOL.removeFirst(); // the oldest goes to the collector
            }
            POOL.addLast(half);
        }
    }
}

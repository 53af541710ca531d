package dev.deltaprop.device.driver.opencl;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.function.IntConsumer;

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
 * is never refilled while a copy may still read it, and nothing is allocated per write: each
 * half's marker lives in a slot the binding keeps (half {@code h}, slot {@code h}), so switching
 * halves allocates nothing either. The halves
 * start small and grow (after a wait for the queue) to the largest write up to
 * {@value #MAX_HALF_BYTES} bytes; a larger write is not staged (the driver then writes blocking).
 * Halves that are replaced, and both halves when the driver closes, are freed at once
 * ({@link DirectMemory#free}), not left to the collector: a program that opens and closes drivers
 * allocates little Java heap, so a collection may not come for a long while, and a closed driver
 * holds no host memory. (A pool shared by the drivers, of at most 16 halves of exactly the asked
 * size, dropped the oldest to the collector: two drivers growing through every size overflowed it
 * on each open and close, and it kept up to 128 MiB after the last driver had closed.)
 */
final class UploadStaging {
    /** The largest half: 8 MiB, a whole {@code wide} batch. */
    static final long MAX_HALF_BYTES = 8L << 20;
    private static final long FIRST_HALF_BYTES = 64L << 10;

    private final IntConsumer marker;
    private final IntConsumer awaitAndRelease;
    private final Runnable finish;
    private final ByteBuffer[] halves = new ByteBuffer[2];
    private final FloatBuffer[] floats = new FloatBuffer[2];
    private final IntBuffer[] ints = new IntBuffer[2];
    /** Whether half {@code h}'s slot holds the marker enqueued when it was left, not yet awaited. */
    private final boolean[] drained = new boolean[2];
    private long halfBytes;
    private int current;
    private long used;

    /**
     * @param marker          enqueues a marker behind everything queued ({@code clEnqueueMarkerWithWaitList})
     *                        into the slot it is given (0 or 1)
     * @param awaitAndRelease waits for the marker in the slot it is given and releases it
     * @param finish          waits for the queue ({@code clFinish}), before the halves are replaced
     */
    UploadStaging(IntConsumer marker, IntConsumer awaitAndRelease, Runnable finish) {
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
            marker.accept(current);
            drained[current] = true;
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
            halves[h] = DirectMemory.allocate((int) size);
            floats[h] = halves[h].asFloatBuffer();
            ints[h] = halves[h].asIntBuffer();
        }
        halfBytes = size;
        current = 0;
        used = 0;
    }

    private void awaitPending(int half) {
        if (drained[half]) {
            drained[half] = false;
            awaitAndRelease.accept(half);
        }
    }

    /** Releases the pending markers and frees the halves; the caller has finished the queue (the driver's close, or a growth). */
    void release() {
        for (int h = 0; h < 2; h++) {
            awaitPending(h);
            if (halves[h] != null) {
                ByteBuffer half = halves[h];
                halves[h] = null; // no view of it may be used once it is freed
                floats[h] = null;
                ints[h] = null;
                DirectMemory.free(half);
            }
        }
        halfBytes = 0;
        used = 0;
    }
}

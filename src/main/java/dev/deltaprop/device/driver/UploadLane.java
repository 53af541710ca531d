package dev.deltaprop.device.driver;

import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * {@link NativeDriver}'s upload lane ({@link Driver#upload}): the fences it gave out and whether
 * each was ever signalled (a wait on one that never was waits for nothing, and no native wait is
 * made: an OpenCL wait list may hold no null event). Where the binding has no lane an upload is
 * the driver's {@code write} on its one queue, which orders it with everything else, and the
 * fences hold nothing native. The driver has checked the target and the ranges.
 */
final class UploadLane<B> {
    private final NativeDriver<B, ?, ?, ?> driver;
    private final Set<Handles.Fence> fences = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Whether a lane copy was enqueued since the lane last finished: {@code finish} waits for it. */
    private boolean pending;

    UploadLane(NativeDriver<B, ?, ?, ?> driver) {
        this.driver = driver;
    }

    /** Whether the binding has a lane (asked at each use: the binding's fields are set only after the driver's constructor). */
    boolean on() {
        return driver.uploadLaneNative();
    }

    Handles.Fence fence() {
        Handles.Fence fence = new Handles.Fence(driver, on() ? driver.fenceNative() : null);
        fences.add(fence);
        return fence;
    }

    /** The fence {@code fence} as this driver's, or {@code null} for {@code null}. */
    Handles.Fence ours(Driver.Fence fence, String field) {
        if (fence == null) {
            return null;
        }
        if (!(fence instanceof Handles.Fence ours) || ours.owner != driver || ours.released) {
            throw new IllegalArgumentException(field + ": expected a fence of this driver (or null), found " + fence);
        }
        return ours;
    }

    void upload(B target, long targetOffset, float[] source, int sourceOffset, int count, Handles.Fence after,
                Handles.Fence done) {
        if (!on()) {
            if (count > 0) {
                driver.writeNative(target, targetOffset, source, sourceOffset, count);
            }
            signalled(done);
            return;
        }
        waitOnLane(after);
        if (count > 0) {
            driver.laneWriteNative(target, targetOffset, source, sourceOffset, count);
            pending = true;
        }
        signalOnLane(done);
    }

    void upload(B target, long targetOffset, FloatBuffer source, int count, Handles.Fence after, Handles.Fence done) {
        if (!on()) {
            if (count > 0) {
                driver.writeNative(target, targetOffset, source, count);
            }
            signalled(done);
            return;
        }
        waitOnLane(after);
        if (count > 0) {
            driver.laneWriteNative(target, targetOffset, source, count);
            pending = true;
        }
        signalOnLane(done);
    }

    /** Signals {@code fence} on the queue. */
    void signal(Handles.Fence fence) {
        if (on()) {
            driver.signalNative(fence.handle);
        }
        fence.signalled = true;
    }

    /** The queue waits for {@code fence}, where it was ever signalled. */
    void await(Handles.Fence fence) {
        if (on() && fence.signalled) {
            driver.awaitNative(fence.handle);
        }
    }

    /** Waits for the lane's copies, where any was enqueued since the last time: part of {@code finish} and of close. */
    void finish() {
        if (on() && pending) {
            driver.laneFinishNative();
            pending = false;
        }
    }

    /** Releases every fence's native holder, each through {@code releases}. */
    void close(Releases releases) {
        for (Handles.Fence fence : fences) {
            fence.released = true;
            if (on()) {
                releases.attempt(() -> driver.releaseFence(fence.handle));
            }
        }
        fences.clear();
    }

    private void waitOnLane(Handles.Fence after) {
        if (after != null && after.signalled) {
            driver.laneWaitNative(after.handle);
        }
    }

    private void signalOnLane(Handles.Fence done) {
        if (done != null) {
            driver.laneSignalNative(done.handle);
            done.signalled = true;
        }
    }

    private static void signalled(Handles.Fence done) {
        if (done != null) {
            done.signalled = true;
        }
    }
}

package dev.deltaprop.device.driver.jcuda;

import static dev.deltaprop.device.driver.jcuda.Jcuda.check;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Page-locked host memory through which uploads go, so that a copy to the device is truly
 * asynchronous and the caller's array is free again the moment {@code write} returns.
 *
 * <p>Why: a copy from a Java array or from pageable memory either blocks until the stream is
 * idle or is not allowed to be asynchronous at all; copying into pinned memory first (a memcpy
 * at host speed) lets the upload overlap the kernels still queued. The area is two halves; a
 * write fills the current half and records an event after its copy; when a half is full the
 * other half is reused once its event (and so every copy out of it) has completed. Uploads
 * larger than a half go through in chunks.
 */
final class PinnedStaging implements AutoCloseable {

    private final long halfBytes;
    private final Pointer host = new Pointer();
    private final ByteBuffer[] halves = new ByteBuffer[2];
    private final CUevent[] drained = {new CUevent(), new CUevent()};
    private final boolean[] pending = new boolean[2];
    private int current;
    private long used;
    private boolean closed;

    /** @param halfBytes the size of each half (a multiple of 4) */
    PinnedStaging(long halfBytes) {
        this.halfBytes = halfBytes;
        check("cuMemAllocHost", JCudaDriver.cuMemAllocHost(host, 2 * halfBytes));
        ByteBuffer all = host.getByteBuffer(0, 2 * halfBytes).order(ByteOrder.nativeOrder());
        int created = 0;
        try {
            for (int half = 0; half < 2; half++) {
                halves[half] = all.duplicate().position((int) (half * halfBytes)).limit((int) ((half + 1) * halfBytes))
                        .slice().order(ByteOrder.nativeOrder());
                check("cuEventCreate", JCudaDriver.cuEventCreate(drained[half], CUevent_flags.CU_EVENT_DISABLE_TIMING));
                created++;
            }
        } catch (RuntimeException e) {
            // undo what was made; the first failure is the one reported
            for (int half = 0; half < created; half++) {
                JCudaDriver.cuEventDestroy(drained[half]);
            }
            JCudaDriver.cuMemFreeHost(host);
            throw e;
        }
    }

    /** The largest chunk one {@link #reserve} may ask for. */
    long chunkBytes() {
        return halfBytes;
    }

    /**
     * Room for {@code bytes} (at most {@link #chunkBytes()}) that no copy in flight still reads;
     * fill it, then {@link #copied} once its copy is enqueued.
     */
    ByteBuffer reserve(long bytes) {
        if (used + bytes > halfBytes) {
            current ^= 1;
            used = 0;
            if (pending[current]) {
                check("cuEventSynchronize", JCudaDriver.cuEventSynchronize(drained[current]));
                pending[current] = false;
            }
        }
        ByteBuffer region = halves[current].duplicate().order(ByteOrder.nativeOrder());
        region.position((int) used).limit((int) (used + bytes));
        return region.slice().order(ByteOrder.nativeOrder());
    }

    /** The host address of the region {@link #reserve} just returned. */
    Pointer reservedPointer() {
        return host.withByteOffset(current * halfBytes + used);
    }

    /** The copy out of the reserved region of {@code bytes} is enqueued on {@code stream}. */
    void copied(long bytes, CUstream stream) {
        used += (bytes + 255) & ~255L;   // keep each region 256-byte aligned, as DMA prefers
        check("cuEventRecord", JCudaDriver.cuEventRecord(drained[current], stream));
        pending[current] = true;
    }

    /** The stream has finished: every half is free. */
    void drainedAll() {
        pending[0] = false;
        pending[1] = false;
        used = 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // best effort after a failure elsewhere: free everything, report the first error
        int first = 0;
        for (CUevent event : drained) {
            int result = JCudaDriver.cuEventDestroy(event);
            first = first != 0 ? first : result;
        }
        int freed = JCudaDriver.cuMemFreeHost(host);
        check("cuEventDestroy", first);
        check("cuMemFreeHost", freed);
    }
}

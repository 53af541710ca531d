package dev.deltaprop.device.driver.lwjgl.cuda;

import static dev.deltaprop.device.driver.cuda.CudaResult.check;

import dev.deltaprop.device.driver.Releases;
import java.nio.ByteBuffer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.cuda.CU;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The CUDA driver's pinned host memory ({@code cuMemAllocHost}): two upload slots used in turn,
 * each with an event recorded after the copy that last read it, and one download buffer made on
 * the first read. Pinned memory is what lets {@code cuMemcpyHtoDAsync} return before the copy
 * has run; a slot is refilled only once its event has passed, so a caller's array is free as
 * soon as it is staged while the copies wait in the stream behind earlier launches.
 * Needs the driver's context current; {@link #close} frees all of it.
 */
final class PinnedSlots {
    /** Bytes per slot and of the download buffer. */
    static final int SLOT_BYTES = 4 << 20;
    private static final int SLOTS = 2;

    private final ByteBuffer[] slots = new ByteBuffer[SLOTS];
    private final long[] events = new long[SLOTS];
    private final boolean[] recorded = new boolean[SLOTS];
    private int next;
    private int current = -1;
    private ByteBuffer download;

    /** Allocates both slots and their events; on a failure frees what it made, then throws. */
    PinnedSlots() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer out = stack.mallocPointer(1);
            for (int s = 0; s < SLOTS; s++) {
                check("cuEventCreate", CU.cuEventCreate(out, CU.CU_EVENT_DISABLE_TIMING));
                events[s] = out.get(0);
                check("cuMemAllocHost(" + SLOT_BYTES + " bytes)", CU.cuMemAllocHost(out, SLOT_BYTES));
                slots[s] = MemoryUtil.memByteBuffer(out.get(0), SLOT_BYTES);
            }
        } catch (RuntimeException e) {
            close(new Releases());
            throw e;
        }
    }

    /** The next slot, cleared, once the copy that last read it has run. */
    ByteBuffer acquire() {
        int s = next;
        next = (next + 1) % SLOTS;
        if (recorded[s]) {
            check("cuEventSynchronize", CU.cuEventSynchronize(events[s]));
        }
        current = s;
        return slots[s].clear();
    }

    /** The copy from the slot last {@link #acquire acquired} is enqueued on {@code stream}: mark where it ends. */
    void enqueued(long stream) {
        check("cuEventRecord", CU.cuEventRecord(events[current], stream));
        recorded[current] = true;
    }

    /** The download buffer, cleared ({@link #SLOT_BYTES} bytes), made on the first call. */
    ByteBuffer download() {
        if (download == null) {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                PointerBuffer out = stack.mallocPointer(1);
                check("cuMemAllocHost(" + SLOT_BYTES + " bytes)", CU.cuMemAllocHost(out, SLOT_BYTES));
                download = MemoryUtil.memByteBuffer(out.get(0), SLOT_BYTES);
            }
        }
        return download.clear();
    }

    /** Frees everything, each failed release kept in {@code releases}. */
    void close(Releases releases) {
        for (int s = 0; s < SLOTS; s++) {
            if (events[s] != 0) {
                long event = events[s];
                releases.attempt(() -> check("cuEventDestroy", CU.cuEventDestroy(event)));
                events[s] = 0;
            }
            if (slots[s] != null) {
                ByteBuffer slot = slots[s];
                releases.attempt(() -> check("cuMemFreeHost", CU.cuMemFreeHost(slot)));
                slots[s] = null;
            }
        }
        if (download != null) {
            ByteBuffer buffer = download;
            releases.attempt(() -> check("cuMemFreeHost", CU.cuMemFreeHost(buffer)));
            download = null;
        }
    }
}

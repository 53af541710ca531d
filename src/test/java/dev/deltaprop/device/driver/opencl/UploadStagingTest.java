package dev.deltaprop.device.driver.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link UploadStaging} gives its host memory back when it is released, not when a collection
 * finds it: the JDK's count of direct buffers and their bytes returns to where it was (or lower, should a collection come meanwhile), with no
 * {@code System.gc()}. Two stagings open at once that each grow through every half size up to
 * {@value UploadStaging#MAX_HALF_BYTES} bytes are what earlier tests leave behind in one JVM
 * (sizes the open/close cycles of the driver contract do not use): with halves kept for the next
 * driver or dropped to the collector, the direct memory stayed above its start by up to 16 halves
 * of up to 8 MiB, and what was dropped was resident until a collection.
 */
class UploadStagingTest {
    private static BufferPoolMXBean direct() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool;
            }
        }
        throw new IllegalStateException("no direct buffer pool among " + ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class));
    }

    /** A staging whose markers are nothing and whose queue is always finished: no device needed. */
    private static UploadStaging staging() {
        return new UploadStaging(slot -> { }, slot -> { }, () -> { });
    }

    @Test
    void releasedStagingHoldsNoDirectMemory() {
        assertTrue(DirectMemory.explicit(), "this JDK frees direct buffers at once (java.lang.foreign or invokeCleaner)");
        BufferPoolMXBean direct = direct();
        long bytesBefore = direct.getMemoryUsed();
        long countBefore = direct.getCount();
        for (int cycle = 0; cycle < 20; cycle++) {
            UploadStaging first = staging();
            UploadStaging second = staging();
            for (long bytes = 1; bytes <= UploadStaging.MAX_HALF_BYTES; bytes *= 2) {
                // 3 × bytes/4 rounded to whole floats: each size grows the halves once, and fills a half past its middle
                long write = Math.max(Float.BYTES, bytes / 4 * 3 / Float.BYTES * Float.BYTES);
                for (UploadStaging staging : List.of(first, second)) {
                    long at = staging.reserve(write);
                    staging.half().put((int) at, (byte) cycle); // the region is there to be written
                }
            }
            first.release();
            second.release();
            // at most: a collection may meanwhile free direct buffers that earlier tests in this JVM dropped
            long bytesAfter = direct.getMemoryUsed();
            long countAfter = direct.getCount();
            assertTrue(bytesAfter <= bytesBefore && countAfter <= countBefore, "direct memory after cycle " + cycle + ": "
                    + bytesAfter + " bytes in " + countAfter + " buffers, before " + bytesBefore + " in " + countBefore);
        }
    }

    /**
     * From Java 22 the buffers are views of an arena's memory, which the JDK's direct-buffer count
     * above does not include: there, a freed buffer's arena must be closed — touching it throws.
     */
    @Test
    void aFreedBufferIsGone() {
        java.nio.ByteBuffer buffer = DirectMemory.allocate(4096);
        buffer.putFloat(0, 1f);
        DirectMemory.free(buffer);
        if (Runtime.version().feature() >= 22) {
            assertThrows(IllegalStateException.class, () -> buffer.getFloat(0), "the arena is closed");
            assertThrows(IllegalArgumentException.class, () -> DirectMemory.free(java.nio.ByteBuffer.allocateDirect(8)));
        }
    }
}

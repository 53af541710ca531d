package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 #8: the thread count is bounded (4 × available processors) with a message, and a team
 * whose start fails part-way releases the threads it had started, so the JVM can open cpu again.
 */
class ThreadLimitsTest {
    private static final int LIMIT = 4 * Runtime.getRuntime().availableProcessors();

    @Test
    void moreThreadsThanFourPerProcessorAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CpuBackend(LIMIT + 1));
        assertTrue(e.getMessage().startsWith("threads: ") && e.getMessage().contains(String.valueOf(LIMIT))
                && e.getMessage().contains("available processors"), e.getMessage());
        try (CpuBackend backend = new CpuBackend(LIMIT)) {
            assertEquals(LIMIT, backend.threads());
        }
    }

    @Test
    void theSystemPropertyIsBoundedToo() {
        String saved = System.getProperty(CpuBackend.THREADS_PROPERTY);
        System.setProperty(CpuBackend.THREADS_PROPERTY, "100000");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuBackend::defaultThreads);
            assertTrue(e.getMessage().startsWith(CpuBackend.THREADS_PROPERTY + ": "), e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(CpuBackend.THREADS_PROPERTY);
            } else {
                System.setProperty(CpuBackend.THREADS_PROPERTY, saved);
            }
        }
    }

    @Test
    void aTeamWhoseStartFailsReleasesTheThreadsItStarted() throws InterruptedException {
        List<Thread> started = new ArrayList<>();
        OutOfMemoryError refusal = new OutOfMemoryError("unable to create native thread: possibly out of memory");
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> new Workers(6, task -> {
            if (started.size() == 3) {
                throw refusal; // what Thread.start does when the OS has no more threads
            }
            Thread thread = new Thread(task);
            started.add(thread);
            return thread;
        }));
        assertEquals(refusal, e);
        assertEquals(3, started.size());
        for (Thread thread : started) {
            thread.join(5000);
            assertFalse(thread.isAlive(), thread.getName() + " was left running");
        }
    }
}

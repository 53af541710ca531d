package dev.deltaprop.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up's JIT signal reads the compiler threads' CPU time from a {@code /proc/self/task} layout. */
class JitActivityTest {

    @Test
    void theCompilerThreadsCpuTimeMovesTheSignalAndOtherThreadsDoNot(@TempDir Path tasks) throws Exception {
        task(tasks, 101, "C2 CompilerThre", 63, 1);
        task(tasks, 102, "C1 CompilerThre", 39, 3);
        task(tasks, 103, "main", 5000, 40);
        JitActivity activity = new JitActivity(tasks);
        long first = activity.getAsLong();
        assertEquals(first, activity.getAsLong(), "read again within the sampling interval: the same reading");

        task(tasks, 103, "main", 9000, 80); // a busy non-compiler thread: no JIT activity
        Thread.sleep(JitActivity.SAMPLE_NANOS / 1_000_000 + 20);
        long second = activity.getAsLong();
        task(tasks, 101, "C2 CompilerThre", 70, 1); // C2 compiling: 7 more ticks
        Thread.sleep(JitActivity.SAMPLE_NANOS / 1_000_000 + 20);
        long third = activity.getAsLong();
        // the JVM's own compilation time may grow meanwhile (it only grows): compare at least
        assertTrue(second - first < 4000, "the main thread's 4,040 ticks are not counted: " + (second - first));
        assertTrue(third - second >= 7, "the compiler thread's 7 ticks are counted: " + (third - second));
    }

    /** A stat line whose comm has a space and whose utime and stime are the 14th and 15th fields. */
    private static void task(Path tasks, int id, String name, long utime, long stime) throws IOException {
        Path task = Files.createDirectories(tasks.resolve(Integer.toString(id)));
        Files.writeString(task.resolve("comm"), name + "\n");
        Files.writeString(task.resolve("stat"), id + " (" + name + ") S 1 " + id + " " + id + " 0 -1 4194368 12 0 0 0 "
                + utime + " " + stime + " 0 0 20 0 1 0 100 0 0\n");
    }
}

package dev.deltaprop.backend;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * A number that changes while the JIT works, for the waits that end when the JIT is done: the
 * cpu backend's tile warm-up and the bench's warm-up steps. It is the JVM's accumulated
 * compilation milliseconds ({@link CompilationMXBean}) plus, on Linux, the CPU ticks of the
 * compiler threads ({@code /proc/self/task/*}, threads named {@code C1/C2
 * CompilerThre…}). The first moves only when a compilation finishes, so a single long C2
 * compilation (seconds on a loaded machine) would look quiet; the second moves while it runs.
 * Read at most every {@link #SAMPLE_NANOS}, so that a step of a millisecond does not pay for
 * the directory walk; where neither source exists it is a constant (a wait for a quiet JIT then ends at once).
 */
public final class JitActivity implements LongSupplier {
    /** How often the sources are read; steps in between see the last reading. */
    public static final long SAMPLE_NANOS = 100_000_000L;

    private final Path tasks;
    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private boolean procReadable;
    private long sampledAt;
    private boolean sampled;
    private long value;

    /** This JVM's threads, {@code /proc/self/task}. */
    public JitActivity() {
        this(Path.of("/proc/self/task"));
    }

    /** @param tasks a directory laid out as {@code /proc/self/task} (tests give their own) */
    JitActivity(Path tasks) {
        this.tasks = tasks;
        this.procReadable = Files.isDirectory(tasks);
    }

    @Override
    public long getAsLong() {
        long now = System.nanoTime();
        if (!sampled || now - sampledAt >= SAMPLE_NANOS) {
            value = compileMillis() + compilerTicks();
            sampledAt = now;
            sampled = true;
        }
        return value;
    }

    private long compileMillis() {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** utime + stime of the compiler threads, in clock ticks; 0 where {@code /proc} cannot be read. */
    private long compilerTicks() {
        if (!procReadable) {
            return 0;
        }
        long ticks = 0;
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(tasks)) {
            for (Path task : listing) {
                ticks += compilerTicks(task);
            }
        } catch (IOException | SecurityException e) {
            procReadable = false; // the compilation time alone, from now on
            return 0;
        }
        return ticks;
    }

    private static long compilerTicks(Path task) {
        try {
            String name = new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.UTF_8);
            if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                return 0;
            }
            // fields after "pid (comm)": state is the 3rd field of stat, utime the 14th, stime the 15th
            String stat = new String(Files.readAllBytes(task.resolve("stat")), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // a thread that ended between the listing and the read
        }
    }
}

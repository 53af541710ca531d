package dev.deltaprop.device.driver.opencl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Whether this JVM is safe from the signal handlers of an OpenCL platform's kernel compiler, and
 * a warning, once per JVM, where it is not.
 *
 * <p>PoCL compiles kernels with LLVM, and LLVM ({@code llvm::sys::RemoveFileOnSignal}) installs
 * its own handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and the termination signals over the
 * JVM's, with {@code SA_RESETHAND}: {@code java -Xcheck:jni} says "SIGSEGV handler modified!"
 * after the first {@code clBuildProgram}. The JVM takes SIGSEGV in normal running (safepoint
 * polls, implicit null checks). The first such fault goes to LLVM's handler, which puts the JVM's
 * back and returns, so the fault is taken again and handled; but {@code SA_RESETHAND} has set the
 * default action as the signal was delivered, and a second thread that faults in between (all
 * threads meet the same armed safepoint poll) kills the process: "Segmentation fault", exit 139,
 * no {@code hs_err} file. LLVM's handler also deletes the files it was told to remove on a
 * signal, which are the build's own temporaries: a build during a collection fails with "unable
 * to rename temporary ... No such file or directory" (at the first or second build, with a thread
 * calling {@code System.gc()}). CI lost a run to it; a warm PoCL kernel cache hides it, because a
 * cached kernel is not compiled.
 *
 * <p>The JDK's remedy is signal chaining: {@code libjsig.so}, preloaded
 * ({@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}), keeps the JVM's handlers installed and records
 * the library's, which the JVM calls for the signals it does not own. A binding cannot do this
 * from inside the JVM (the handlers are process-wide and must be interposed before the JVM starts),
 * so the driver says so when it opens on such a platform without it. README "OpenCL on PoCL".
 */
final class SignalChaining {
    private static final System.Logger LOG = System.getLogger("dev.deltaprop.device");
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private SignalChaining() {
    }

    /**
     * Warns, the first time in this JVM, when a driver opens on {@code platformName} and
     * {@link #hazard} finds a danger in this process.
     */
    static void warnOnce(String platformName) {
        if (WARNED.get() || platformName == null || !compilesWithLlvm(platformName)) {
            return;
        }
        String warning = hazard(platformName, Maps.AT_START, System.getProperty("java.home"));
        if (warning != null && WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, warning);
        }
    }

    /**
     * This process's mapped files, read once: whether {@code libjsig.so} is preloaded is fixed when
     * the JVM starts, and a program that opens and closes many drivers should not read
     * {@code /proc/self/maps} (hundreds of kilobytes in a JVM) at every open, nor keep it. {@code null} where there is
     * no such file (not Linux: neither PoCL's handlers nor libjsig are known there, so
     * {@link #hazard} warns of nothing).
     */
    private static final class Maps {
        /** The lines that name {@code libjsig.so} (all that {@link #hazard} looks for), or {@code null}. */
        static final String AT_START = read();

        private static String read() {
            try (java.util.stream.Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
                return lines.filter(line -> line.contains("/libjsig.so")).collect(Collectors.joining("\n"));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * The warning for a driver on {@code platformName} in a process whose mapped files are
     * {@code maps} ({@code /proc/self/maps}; {@code null}: not readable, not Linux), or {@code null}
     * when there is nothing to fear: the platform does not compile with LLVM in the process, or
     * {@code libjsig.so} is loaded, or this is not Linux.
     */
    static String hazard(String platformName, String maps, String javaHome) {
        if (platformName == null || !compilesWithLlvm(platformName) || maps == null || maps.contains("/libjsig.so")) {
            return null;
        }
        return "OpenCL platform '" + platformName + "' compiles kernels with LLVM, which replaces the JVM's SIGSEGV"
                + " handler: without the JDK's signal chaining a kernel build can fail (\"unable to rename temporary\")"
                + " or this JVM die at random (Segmentation fault, exit 139)."
                + " Start java with LD_PRELOAD=" + javaHome + "/lib/libjsig.so (README \"OpenCL on PoCL\")";
    }

    /** PoCL, whose handlers were seen replacing the JVM's ({@code -Xcheck:jni}). */
    private static boolean compilesWithLlvm(String platformName) {
        String name = platformName.toLowerCase(Locale.ROOT);
        return name.contains("portable computing language") || name.contains("pocl");
    }
}

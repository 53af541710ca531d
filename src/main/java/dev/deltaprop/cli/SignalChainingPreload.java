package dev.deltaprop.cli;

import java.io.File;
import java.util.Map;

/**
 * Gives the JVM that {@link VectorRelaunch} starts the JDK's signal chaining: its
 * {@code lib/libjsig.so} in {@code LD_PRELOAD}. An OpenCL platform that compiles kernels with
 * LLVM (PoCL) installs LLVM's SIGSEGV handler over the JVM's, and without signal chaining a kernel
 * build can fail or the JVM die at random (README "OpenCL on PoCL"); the library can only warn
 * (the handlers must be interposed before the JVM starts), but a relaunch starts a JVM anyway, so
 * {@code java -jar deltaprop.jar} gets the remedy for nothing. The library must be the one of the
 * JDK that runs (it is tied to that JVM), so nothing is added where that JDK has none (not Linux).
 */
final class SignalChainingPreload {
    static final String VARIABLE = "LD_PRELOAD";

    private SignalChainingPreload() {
    }

    /**
     * Adds {@code javaHome}'s {@code lib/libjsig.so} to {@code environment}'s {@code LD_PRELOAD}
     * (after what is there), unless that JDK has none or some {@code libjsig.so} is already listed.
     */
    static void addTo(Map<String, String> environment, String javaHome) {
        File library = new File(new File(javaHome, "lib"), "libjsig.so");
        String preload = environment.getOrDefault(VARIABLE, "");
        if (!library.isFile() || preload.contains("libjsig.so")) {
            return;
        }
        environment.put(VARIABLE, preload.isBlank() ? library.getPath() : preload + ":" + library.getPath());
    }
}

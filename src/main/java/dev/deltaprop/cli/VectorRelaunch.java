package dev.deltaprop.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code java -jar deltaprop.jar} run the cpu backend's Vector API kernel out of the box.
 *
 * <p>The kernel needs {@code jdk.incubator.vector} in the boot layer, which only the command line
 * ({@code --add-modules}) or {@code JDK_JAVA_OPTIONS} can arrange: a jar manifest has no
 * {@code Add-Modules} attribute, and a launcher agent cannot add a module to a boot layer that
 * is already resolved. So when the module is missing, this JVM was started as
 * {@code java -jar deltaprop.jar}, and the runtime has the module, {@link #ifNeeded} starts the
 * same jar once more with {@code --add-modules jdk.incubator.vector} and the same JVM options,
 * passes the terminal through, and exits with the child's status. It costs one extra JVM start
 * (measured in docs/perf-cpu.md); {@code DELTAPROP_NO_RELAUNCH=1} turns it off (the cpu backend then
 * runs its scalar kernel and says so). The child also gets the JDK's signal chaining
 * ({@link SignalChainingPreload}), which OpenCL on PoCL needs.
 */
final class VectorRelaunch {
    private static final String MODULE = "jdk.incubator.vector";
    /** Set on the child so that it never relaunches again, whatever happens. */
    static final String CHILD_PROPERTY = "deltaprop.relaunched";

    private VectorRelaunch() {
    }

    /** Relaunches and exits if that gives the Vector API kernel; returns otherwise. */
    static void ifNeeded(String[] args) {
        ParentWatch.startIfRelaunched();
        List<String> command = command(args);
        if (command == null) {
            return;
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            // the child dies with this JVM: it watches this pid (a SIGKILL here runs no hook), and
            // a SIGTERM or Ctrl-C here stops it through the hook below
            builder.environment().put(ParentWatch.PARENT_PID, Long.toString(ProcessHandle.current().pid()));
            SignalChainingPreload.addTo(builder.environment(), System.getProperty("java.home"));
            Process child = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> ParentWatch.stop(child), "deltaprop-relaunch-stop"));
            while (true) {
                try {
                    System.exit(child.waitFor());
                } catch (InterruptedException e) {
                    // keep waiting: the child owns the terminal and ends on the same signals
                }
            }
        } catch (java.io.IOException e) {
            // could not start the child: carry on here with the scalar kernel
        }
    }

    /** The child's command line, or {@code null} when relaunching is off, useless or impossible. */
    static List<String> command(String[] args) {
        if (ModuleLayer.boot().findModule(MODULE).isPresent()
                || System.getProperty(CHILD_PROPERTY) != null
                || isSet(System.getenv("DELTAPROP_NO_RELAUNCH"))
                || ModuleFinder.ofSystem().find(MODULE).isEmpty()) {
            return null;
        }
        String jar = System.getProperty("java.class.path", "");
        if (!jar.endsWith(".jar") || jar.contains(File.pathSeparator) || !new File(jar).isFile()) {
            return null; // not started by java -jar: an application's class path is its own business
        }
        File java = new File(new File(System.getProperty("java.home"), "bin"), "java");
        if (!java.canExecute()) {
            return null;
        }
        List<String> command = new ArrayList<>();
        command.add(java.getPath());
        command.add("--add-modules");
        command.add(MODULE);
        command.add("-D" + CHILD_PROPERTY + "=true");
        command.addAll(quietOptions(Runtime.version().feature()));
        try {
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        } catch (LinkageError e) {
            return null; // no java.management: the JVM options could not be passed on
        }
        command.add("-jar");
        command.add(jar);
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The options that keep a modern JDK quiet about what the bindings do, for a JVM of feature
     * release {@code feature}: JOCL, JCuda and LWJGL load native libraries through JNI, which
     * JDK 24+ warns about unless native access is enabled (JDK 17 accepts the option too); LWJGL
     * and protobuf-java read memory through {@code sun.misc.Unsafe}, which JDK 24+ warns about
     * unless it is allowed, an option that JDK 22 and older reject.
     */
    static List<String> quietOptions(int feature) {
        List<String> options = new ArrayList<>();
        options.add("--enable-native-access=ALL-UNNAMED");
        if (feature >= 23) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }
}

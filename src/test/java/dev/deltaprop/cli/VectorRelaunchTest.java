package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar} on a JVM without {@code jdk.incubator.vector} relaunches once with the module
 * (so the cpu backend runs its Vector API kernel), passes on JVM options, and can be turned off.
 */
class VectorRelaunchTest {

    @Test
    void noRelaunchWhenTheModuleIsAlreadyThere() {
        // surefire starts this JVM with --add-modules jdk.incubator.vector (pom.xml)
        assertNull(VectorRelaunch.command(new String[] {"--version"}));
    }

    @Test
    void javaDashJarRelaunchesWithTheModule(@TempDir Path directory) throws Exception {
        Path jar = launcherJar(directory);
        Path log = directory.resolve("modules.log");
        Result relaunched = run(List.of("-Xlog:module+load=info:file=" + log, "-jar", jar.toString(), "--version"), false);
        assertEquals(0, relaunched.status, relaunched.output);
        assertTrue(relaunched.output.contains("deltaprop"), relaunched.output);
        // the -Xlog option reached the child, and the child resolved the module
        assertTrue(Files.readString(log).contains("jdk.incubator.vector"), "module log: " + Files.readString(log));

        Files.delete(log);
        Result direct = run(List.of("-Xlog:module+load=info:file=" + log, "-jar", jar.toString(), "--version"), true);
        assertEquals(0, direct.status, direct.output);
        assertFalse(Files.readString(log).contains("jdk.incubator.vector"), "DELTAPROP_NO_RELAUNCH=1 must not relaunch");
    }

    @Test
    void theChildsExitStatusComesBack(@TempDir Path directory) throws Exception {
        Result result = run(List.of("-jar", launcherJar(directory).toString(), "no-such-command"), false);
        assertEquals(2, result.status, result.output);
    }

    /** A manifest-only jar: Main-Class cli.Main, Class-Path this test's class path. */
    static Path launcherJar(Path directory) throws Exception {
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String url = new File(entry).toURI().toString();
            classPath.append(url).append(' ');
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath.toString().trim());
        Path jar = directory.resolve("launcher.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // the manifest is the whole jar
        }
        return jar;
    }

    /**
     * {@code java ARGUMENTS} as a user starts it: no {@code JDK_JAVA_OPTIONS}, and nothing
     * preloaded (the test JVM's signal-chaining preload is the pom's, not the user's).
     */
    static Result run(List<String> arguments, boolean noRelaunch) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("LD_PRELOAD");
        if (noRelaunch) {
            builder.environment().put("DELTAPROP_NO_RELAUNCH", "1");
        } else {
            builder.environment().remove("DELTAPROP_NO_RELAUNCH");
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    static final class Result {
        final int status;
        final String output;

        Result(int status, String output) {
            this.status = status;
            this.output = output;
        }
    }
}

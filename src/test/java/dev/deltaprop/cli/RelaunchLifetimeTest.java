package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #2: {@code java -jar deltaprop.jar} relaunches itself with the Vector API module; the
 * relaunched child must die with the JVM the user started — on SIGTERM (what
 * {@code Popen.terminate()} and supervisors send) and on SIGKILL — and never go on to replace the
 * {@code --save} file of a run that was stopped.
 */
class RelaunchLifetimeTest {
    @TempDir
    Path folder;

    @Test
    void aKill9OfTheVisibleJvmTakesTheTrainingChildWithIt() throws Exception {
        Run run = startLongTraining();
        try {
            run.parent.destroyForcibly(); // SIGKILL: no hook runs in the parent
            run.parent.waitFor(10, TimeUnit.SECONDS);
            assertGone(run);
        } finally {
            run.child.destroyForcibly();
        }
        Thread.sleep(500);
        assertEquals("old model", Files.readString(run.save), "the --save file of the stopped run is untouched");
        assertNoTemporaryFiles();
    }

    @Test
    void aSigtermOfTheVisibleJvmStopsTheChildAndPassesTheStatusOn() throws Exception {
        Run run = startLongTraining();
        try {
            run.parent.destroy(); // SIGTERM
            assertTrue(run.parent.waitFor(20, TimeUnit.SECONDS), "the parent ends");
            assertGone(run);
            assertEquals(143, run.parent.exitValue(), "128 + SIGTERM, as the shell reports a terminated command");
        } finally {
            run.child.destroyForcibly();
        }
        assertEquals("old model", Files.readString(run.save));
        assertNoTemporaryFiles();
    }

    private void assertGone(Run run) throws Exception {
        try {
            run.child.onExit().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail("the relaunched child " + run.child.pid() + " still runs 5 s after its parent ended (now the child of "
                    + run.child.parent().map(p -> String.valueOf(p.pid())).orElse("?") + ")");
        }
        assertFalse(run.child.isAlive());
    }

    private void assertNoTemporaryFiles() throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> temporary = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), temporary);
        }
    }

    private static final class Run {
        Process parent;
        ProcessHandle child;
        Path save;
    }

    /** {@code java -jar launcher.jar train …} for many epochs on the reference backend, once the child trains. */
    private Run startLongTraining() throws Exception {
        Assumptions.assumeTrue(ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent(),
                "this JDK has no jdk.incubator.vector: nothing is relaunched");
        StringBuilder csv = new StringBuilder("x1,x2,y\n");
        for (int k = 0; k < 400; k++) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%s%n", k / 400f, (k % 7) / 7f, (k % 3) / 3f));
        }
        Path data = Files.writeString(folder.resolve("data.csv"), csv);
        Run run = new Run();
        run.save = Files.writeString(folder.resolve("model.json"), "old model");
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(List.of("-jar", launcherJar(folder).toString(), "train", "--data", data.toString(),
                "--layers", "2-64-64-1", "--epochs", "100000", "--batch", "8", "--backend", "reference",
                "--save", run.save.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("DELTAPROP_NO_RELAUNCH");
        run.parent = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(run.parent.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < end) {
            seen.append(line).append('\n');
            if (line.startsWith("training:")) {
                break;
            }
        }
        // keep reading, so that the child never blocks on a full pipe
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (java.io.IOException e) {
                // the pipe closed
            }
        });
        drain.setDaemon(true);
        drain.start();
        List<ProcessHandle> children = run.parent.children().toList();
        if (children.size() != 1) {
            run.parent.destroyForcibly();
            fail("expected one relaunched child training, found " + children + "; output:\n" + seen);
        }
        run.child = children.get(0);
        return run;
    }

    /** A manifest-only jar: Main-Class cli.Main, Class-Path this test's class path (so java -jar relaunches). */
    private static Path launcherJar(Path directory) throws Exception {
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.append(new File(entry).toURI()).append(' ');
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
}

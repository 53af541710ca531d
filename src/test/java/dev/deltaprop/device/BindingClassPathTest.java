package dev.deltaprop.device;

import dev.deltaprop.backend.Backends;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JOCL, JCuda and LWJGL are each optional at run time: a child JVM on deltaprop's classes and
 * only some of the binding jars (picked from this JVM's class path) gets each missing binding's
 * backends as a reason that names the library, the present ones as they are here, and never a
 * {@link NoClassDefFoundError}; {@code details} and {@code auto} work too.
 */
class BindingClassPathTest {
    private static final Predicate<String> LWJGL = jar -> jar.contains("/org/lwjgl/");
    private static final Predicate<String> JOCL = jar -> jar.contains("/org/jocl/");
    private static final Predicate<String> JCUDA = jar -> jar.contains("/org/jcuda/");

    /** The jars of this JVM's class path that {@code keep} accepts. */
    private static List<String> jars(Predicate<String> keep) {
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String unix = entry.replace(File.separatorChar, '/');
            if (unix.endsWith(".jar") && keep.test(unix)) {
                jars.add(entry);
            }
        }
        return jars;
    }

    /** Runs {@link BackendReasons} on target/classes, target/test-classes and {@code jars}; its lines by kind and name. */
    private static Map<String, String> run(List<String> jars) throws IOException, InterruptedException {
        return run(jars, false);
    }

    /** As {@link #run(List)}; {@code lwjglMayComplain}: LWJGL's own JNI library is missing, and LWJGL says so once. */
    private static Map<String, String> run(List<String> jars, boolean lwjglMayComplain) throws IOException, InterruptedException {
        List<String> classPath = new ArrayList<>();
        classPath.add(Path.of("target", "classes").toAbsolutePath().toString());
        classPath.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        classPath.addAll(jars);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, classPath),
                BackendReasons.class.getName()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, process.exitValue(), "child JVM on " + classPath + ":\n" + output);
        assertFalse(output.contains("NoClassDefFoundError") || output.contains("ClassNotFoundException: org"),
                "a missing binding leaked as a linkage error:\n" + output);
        // LWJGL prints a diagnostic for every library it fails to load: OpenCL's and CUDA's may not be tried blindly
        int complaints = output.split("\\[LWJGL\\] Failed to load", -1).length - 1;
        assertTrue(complaints <= (lwjglMayComplain ? 1 : 0), "LWJGL was asked to load a missing library:\n" + output);
        Map<String, String> lines = new HashMap<>();
        StringBuilder details = new StringBuilder();
        for (String line : output.split("\n")) {
            String[] parts = line.split("\t", 3);
            if (parts.length == 3 && parts[0].equals("reason")) {
                lines.put(parts[1], parts[2].equals("-") ? null : parts[2]);
            } else if (parts.length == 3 && parts[0].equals("detail")) {
                details.append(parts[1]).append(": ").append(parts[2]).append('\n');
            } else if (parts.length == 3 && parts[0].equals("auto")) {
                lines.put("auto-chose", parts[1]);
            }
        }
        lines.put("details", details.toString());
        lines.put("output", output);
        return lines;
    }

    /** What this JVM (every binding present) says of {@code name}: the child must say the same where it has the binding. */
    private static String here(String name) {
        return Backends.unavailableReason(name);
    }

    @Test
    void onlyLwjgl() throws Exception {
        Map<String, String> child = run(jars(LWJGL));
        String output = child.get("output");
        assertTrue(child.get("opencl").startsWith("JOCL is not on the class path"), output);
        assertTrue(child.get("opencl").contains("org.jocl:jocl"), output);
        assertTrue(child.get("cuda").startsWith("JCuda is not on the class path"), output);
        assertEquals(here("opencl-lwjgl"), child.get("opencl-lwjgl"), output);
        assertEquals(here("cuda-lwjgl"), child.get("cuda-lwjgl"), output);
        assertTrue(child.get("details").contains("opencl: JOCL is not on the class path"), output);
        if (here("opencl-lwjgl") == null) {
            assertTrue(child.get("details").contains("opencl-lwjgl: [0] "), output);
        }
        assertNotNull(child.get("auto-chose"), output);
    }

    @Test
    void onlyJoclAndJcuda() throws Exception {
        Map<String, String> child = run(jars(JOCL.or(JCUDA)));
        String output = child.get("output");
        assertTrue(child.get("opencl-lwjgl").startsWith("LWJGL is not on the class path"), output);
        assertTrue(child.get("cuda-lwjgl").startsWith("LWJGL is not on the class path"), output);
        assertTrue(child.get("opencl-lwjgl").contains("org.lwjgl:lwjgl"), output);
        assertEquals(here("opencl"), child.get("opencl"), output);
        assertEquals(here("cuda"), child.get("cuda"), output);
        assertTrue(child.get("details").contains("cuda-lwjgl: LWJGL is not on the class path"), output);
        if (here("opencl") == null) {
            // opencl on a GPU; on an OpenCL CPU device (PoCL) auto takes the faster cpu backend
            String expected = dev.deltaprop.backend.Backends.autoSkipReason("opencl") == null ? "opencl" : "cpu";
            assertEquals(expected, child.get("auto-chose"), output);
        }
    }

    /** LWJGL's classes without its natives jar: its backends say which jar to add. */
    @Test
    void lwjglWithoutItsNatives() throws Exception {
        Map<String, String> child = run(jars(LWJGL.and(jar -> !jar.contains("natives"))), true);
        String output = child.get("output");
        assertTrue(child.get("opencl-lwjgl").startsWith("LWJGL's native library could not load"), output);
        assertTrue(child.get("opencl-lwjgl").contains("natives-linux"), output);
        assertEquals(child.get("opencl-lwjgl"), child.get("cuda-lwjgl"), output);
    }

    @Test
    void noBindingAtAll() throws Exception {
        Map<String, String> child = run(List.of());
        String output = child.get("output");
        assertTrue(child.get("opencl").startsWith("JOCL is not on the class path"), output);
        assertTrue(child.get("cuda").startsWith("JCuda is not on the class path"), output);
        assertTrue(child.get("opencl-lwjgl").startsWith("LWJGL is not on the class path"), output);
        assertTrue(child.get("cuda-lwjgl").startsWith("LWJGL is not on the class path"), output);
        assertEquals("cpu", child.get("auto-chose"), output);
    }
}

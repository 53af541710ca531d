package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example program in {@code java/} still compiles against the library — except those that
 * need Apache Spark's class path, which the core library's tests do not have: {@code .ci/run} runs
 * them with {@code spark/run.sh}, and {@code ExamplesRunTest} names them.
 */
class ExamplesTest {
    private static final Set<String> SPARK_EXAMPLES = Set.of("SparkDigits.java");

    @TempDir
    Path classes;

    @Test
    void examplesCompile() throws Exception {
        Path folder = Path.of("java");
        List<String> files;
        try (Stream<Path> stream = Files.list(folder)) {
            files = stream.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !SPARK_EXAMPLES.contains(p.getFileName().toString()))
                    .map(Path::toString).sorted().toList();
        }
        assertTrue(!files.isEmpty(), "no examples in java/");
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        String classpath = System.getProperty("java.class.path");
        for (String file : files) {
            var task = compiler.getTask(messages, null, null,
                    List.of("-classpath", classpath, "-d", classes.toString(), "-Xlint:none"),
                    null, compiler.getStandardFileManager(null, null, null).getJavaFileObjects(file));
            assertEquals(Boolean.TRUE, task.call(), file + ":\n" + messages);
        }
    }
}

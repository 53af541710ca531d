package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.ProgramSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a kernel entry from the class path ({@code kernels/} in the jar, copied from the
 * repository's {@code kernels/}) and resolves its {@code #include "…"} lines, so that a driver
 * receives one self-contained text. The entry follows from the driver's language:
 * {@code kernels/mlp.cl} for OpenCL C, {@code kernels/mlp.cu} for CUDA C, plus for CUDA the
 * prebuilt image {@code kernels/mlp.fatbin} when the jar holds one.
 */
final class KernelSource {
    /** Where the kernels live on the class path. */
    static final String DIRECTORY = "kernels/";

    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([^\"]+)\"\\s*$");
    /** Deeper than any real include chain: a cycle, reported instead of overflowing the stack. */
    private static final int MAX_DEPTH = 16;

    private KernelSource() {
    }

    /** The entry file for {@code language}, e.g. {@code mlp.cl}. */
    static String entry(Driver.Language language) {
        return language == Driver.Language.CUDA_C ? "mlp.cu" : "mlp.cl";
    }

    /** The prebuilt binary for {@code language}, or {@code null} when the language has none. */
    static String binary(Driver.Language language) {
        return language == Driver.Language.CUDA_C ? "mlp.fatbin" : null;
    }

    /** The program for {@code language}, includes resolved. */
    static ProgramSource load(Driver.Language language) {
        String entry = entry(language);
        String text = resolve(entry, 0);
        String binaryName = binary(language);
        byte[] binary = binaryName == null ? null : readBytes(binaryName, false);
        return new ProgramSource(DIRECTORY + entry, text, binary);
    }

    /** {@code name}'s text with each {@code #include "x"} replaced by x's resolved text. */
    static String resolve(String name, int depth) {
        if (depth > MAX_DEPTH) {
            throw new DriverException(DIRECTORY + name + ": includes nested deeper than " + MAX_DEPTH + " (a cycle?)");
        }
        String text = new String(readBytes(name, true), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(text.length() + 256);
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            Matcher include = INCLUDE.matcher(lines[n]);
            if (include.matches()) {
                String included = include.group(1);
                // #line keeps the compiler's messages pointing at the real file and line
                out.append("#line 1 \"").append(included).append("\"\n");
                out.append(resolve(included, depth + 1)).append('\n');
                out.append("#line ").append(n + 2).append(" \"").append(name).append("\"\n");
            } else {
                out.append(lines[n]).append('\n');
            }
        }
        return out.toString();
    }

    private static byte[] readBytes(String name, boolean required) {
        String path = DIRECTORY + name;
        try (InputStream in = KernelSource.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                if (required) {
                    throw new DriverException(path + ": not on the class path (the jar is built with kernels/ as a resource)");
                }
                return null;
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DriverException(path + ": " + e.getMessage(), e);
        }
    }
}

package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.ProgramSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The fatbin that {@code native/build-cuda.sh} made from a CUDA entry with {@code nvcc}, shipped
 * in the jar beside its build record: {@code kernels/mlp.cu} → {@code kernels/mlp.fatbin} and
 * {@code kernels/mlp.fatbin.properties}.
 *
 * <p>A fatbin is machine code for one source and one set of {@code -D} macros. A CUDA driver
 * uses it only when both are the ones asked for ({@link #mismatch}), so that a stale fatbin or
 * a tuning override never runs kernels other than the source says; otherwise it compiles the
 * source at run time, or says why it cannot.
 *
 * <p>The record holds: {@code source} (the entry's name), {@code source.sha256} (of the entry's
 * text with every include resolved, UTF-8), {@code defines} ({@code NAME=value}, space-separated),
 * {@code targets} (e.g. {@code sm_80 sm_86 sm_89 sm_90 compute_90}), {@code nvcc} (its version)
 * and {@code cuda.driver.min} (the CUDA version a driver must implement to load it, e.g. 13000).
 */
public final class ShippedFatbin {

    private final String resource;
    private final byte[] image;
    private final Properties record;

    private ShippedFatbin(String resource, byte[] image, Properties record) {
        this.resource = resource;
        this.image = image;
        this.record = record;
    }

    /**
     * The fatbin shipped for the entry called {@code sourceName} ({@code kernels/mlp.cu}), read
     * from the class path, or {@code null} when the jar carries none (built without {@code nvcc}
     * and without the committed copy).
     */
    public static ShippedFatbin find(String sourceName) {
        String base = sourceName.endsWith(".cu") ? sourceName.substring(0, sourceName.length() - 3) : sourceName;
        String resource = base + ".fatbin";
        byte[] image = read(resource);
        byte[] recordBytes = read(resource + ".properties");
        if (image == null || recordBytes == null) {
            return null;
        }
        Properties record = new Properties();
        try {
            record.load(new StringReader(new String(recordBytes, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException(resource + ".properties: unreadable: " + e.getMessage(), e);
        }
        return new ShippedFatbin(resource, image, record);
    }

    /** A fatbin and its record from elsewhere than the class path (tests, tools). */
    static ShippedFatbin of(String resource, byte[] image, Properties record) {
        return new ShippedFatbin(resource, image.clone(), (Properties) record.clone());
    }

    private static byte[] read(String resource) {
        try (InputStream in = ShippedFatbin.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    /** The class-path name of the image, e.g. {@code kernels/mlp.fatbin}. */
    public String resource() {
        return resource;
    }

    /** The image's bytes (a copy). */
    public byte[] image() {
        return image.clone();
    }

    /** What the image holds. */
    public Fatbin contents() {
        return Fatbin.parse(image);
    }

    /** The version of {@code nvcc} that built it, e.g. {@code 13.0.88}. */
    public String nvccVersion() {
        return record.getProperty("nvcc", "unknown");
    }

    /** The CUDA version a driver must implement to load it ({@code 13000} for 13.0); 0 when unrecorded. */
    public int minimumDriverVersion() {
        try {
            return Integer.parseInt(record.getProperty("cuda.driver.min", "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The {@code -D} macros it was built with. */
    public Map<String, String> defines() {
        return parseDefines(record.getProperty("defines", ""));
    }

    /** The SHA-256 of the source text it was built from. */
    public String sourceSha256() {
        return record.getProperty("source.sha256", "");
    }

    /**
     * Why this fatbin is not the program asked for, or {@code null} when it is: the same source
     * text (by SHA-256) and the same macros.
     */
    public String mismatch(ProgramSource source, Map<String, String> defines) {
        String sha = sha256(source.text());
        if (!sha.equals(sourceSha256())) {
            return resource + " was built from other source text than " + source.name()
                    + " (sha256 " + abbreviate(sourceSha256()) + ", the source is " + abbreviate(sha)
                    + "): rebuild it with native/build-cuda.sh";
        }
        Map<String, String> asked = new TreeMap<>(defines);
        Map<String, String> built = defines();
        if (!asked.equals(built)) {
            return resource + " was built with " + formatDefines(built) + ", the program asks for " + formatDefines(asked);
        }
        return null;
    }

    /** SHA-256 of {@code text} in UTF-8, lower-case hex. */
    public static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this Java runtime", e);
        }
    }

    /** {@code "A=1 B=2"} → {A=1, B=2}. */
    static Map<String, String> parseDefines(String text) {
        Map<String, String> defines = new TreeMap<>();
        for (String item : text.trim().split("\\s+")) {
            if (item.isEmpty()) {
                continue;
            }
            int equals = item.indexOf('=');
            defines.put(equals < 0 ? item : item.substring(0, equals), equals < 0 ? "1" : item.substring(equals + 1));
        }
        return defines;
    }

    static String formatDefines(Map<String, String> defines) {
        if (defines.isEmpty()) {
            return "no macros";
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> define : new TreeMap<>(defines).entrySet()) {
            text.append(text.length() == 0 ? "" : " ").append("-D").append(define.getKey()).append('=').append(define.getValue());
        }
        return text.toString();
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    @Override
    public String toString() {
        return resource + " (" + Objects.toString(contents()) + ", nvcc " + nvccVersion() + ")";
    }
}

package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of valid files — truncations, byte flips, inserted and deleted runs, repeated
 * runs (a key given twice), numbers replaced by huge, negative or non-finite ones — fed to every
 * reader: model JSON, CSV, {@code .npy} and IDX (plain and gzip). Each one either loads or throws
 * the reader's own exception type with a message that starts with the file's name (and says what
 * was expected there); never another exception, an {@link OutOfMemoryError}, or a hang. A failure
 * names the seed and the mutation, so it reproduces.
 */
class ReaderFuzzTest {
    private static final long SEED = 0x5EED_1111L;
    private static final int MUTATIONS = 2000;
    private static final Duration LIMIT = Duration.ofSeconds(40);

    @TempDir
    Path folder;

    /** A reader under test: reads {@code file}, throwing {@code expected} for a bad one. */
    @FunctionalInterface
    private interface Read {
        Object read(Path file) throws IOException;
    }

    @Test
    void modelFiles() throws IOException {
        Network network = Network.builder(3).layer(4, Activation.TANH).layer(2, Activation.SOFTMAX)
                .loss(Loss.CROSS_ENTROPY).build(5);
        Network regression = Network.builder(2).layer(3, Activation.RELU).layer(1, Activation.IDENTITY).build(6);
        fuzz("model", new byte[][] {model(network), model(regression)}, ".json", ModelFormatException.class,
                ModelFiles::read, true);
    }

    @Test
    void csvFiles() throws IOException {
        byte[] csv = "x1,x2,x3,y1,y2\n0.5,-1,2e-3,1,0\n.25,3,4,0,1\n-7.5e2,1E+1,0,1,1\n".getBytes(StandardCharsets.UTF_8);
        byte[] plain = "1,2,3,4,5\n6,7,8,9,10\n".getBytes(StandardCharsets.UTF_8);
        fuzz("csv", new byte[][] {csv, plain}, ".csv", DataFormatException.class, file -> CsvReader.read(file, 3, 2),
                true);
    }

    @Test
    void npyFiles() throws IOException {
        byte[] floats = NpyWriter.bytes(new NpyArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        byte[] column = NpyWriter.bytes(new NpyArray(new float[] {1, -2, 3.5f}, 3));
        byte[] integers = NpyWriter.integers(new int[] {0, 1, 2, 1}, 4);
        fuzz("npy", new byte[][] {floats, column, integers}, ".npy", DataFormatException.class, NpyReader::read, false);
    }

    @Test
    void idxFiles() throws IOException {
        byte[] images = idx(0x08, new int[] {3, 2, 2}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        ByteBuffer floats = ByteBuffer.allocate(4 * 4);
        floats.putFloat(1f).putFloat(-2f).putFloat(0.5f).putFloat(3f);
        byte[] floatImages = idx(0x0D, new int[] {2, 2}, floats.array());
        byte[] labels = idx(0x08, new int[] {4}, new byte[] {0, 1, 2, 1});
        fuzz("idx", new byte[][] {images, floatImages, labels, gzip(images)}, ".idx", DataFormatException.class,
                file -> IdxReader.read(file, true), false);
    }

    private void fuzz(String kind, byte[][] valid, String suffix, Class<? extends IOException> expected, Read read,
                      boolean text) {
        Path file = folder.resolve("fuzz-" + kind + suffix);
        long[] slowestNanos = {0};
        int[] loaded = {0};
        assertTimeoutPreemptively(LIMIT, () -> {
            SplittableRandom random = new SplittableRandom(SEED ^ kind.hashCode());
            for (int m = 0; m < MUTATIONS; m++) {
                byte[] original = valid[m % valid.length];
                StringBuilder how = new StringBuilder();
                byte[] mutated = mutate(original, random, text, how);
                String context = kind + " seed " + SEED + ", mutation " + m + " (" + how + ")";
                Files.write(file, mutated);
                long start = System.nanoTime();
                try {
                    read.read(file);
                    loaded[0]++;
                } catch (IOException e) {
                    if (!expected.isInstance(e)) {
                        throw new AssertionError(context + ": expected " + expected.getSimpleName() + ", found " + e, e);
                    }
                    String message = String.valueOf(e.getMessage());
                    if (!message.startsWith(file.toString()) || message.length() < file.toString().length() + 8) {
                        throw new AssertionError(context + ": the message does not name the file and the place: "
                                + message, e);
                    }
                } catch (Throwable e) {
                    throw new AssertionError(context + ": expected a " + expected.getSimpleName()
                            + " or a loaded file, found " + e + "\ninput: " + preview(mutated), e);
                }
                slowestNanos[0] = Math.max(slowestNanos[0], System.nanoTime() - start);
            }
        }, kind + ": " + MUTATIONS + " mutations did not finish within " + LIMIT.toSeconds() + " s (a hang?)");
        System.out.printf("fuzz %s: %d mutations (seed %d), %d loaded, slowest %.1f ms%n", kind, MUTATIONS, SEED,
                loaded[0], slowestNanos[0] / 1e6);
        assertTrue(loaded[0] < MUTATIONS, kind + ": every mutation loaded: the mutations do not reach the checks");
    }

    /** One to three of the mutations below, described in {@code how}. */
    private static byte[] mutate(byte[] original, SplittableRandom random, boolean text, StringBuilder how) {
        byte[] bytes = original.clone();
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            switch (random.nextInt(text ? 8 : 7)) {
                case 0 -> {
                    how.append("truncate at ").append(at).append("; ");
                    bytes = Arrays.copyOf(bytes, at);
                }
                case 1 -> {
                    int flips = 1 + random.nextInt(4);
                    how.append("flip ").append(flips).append(" bytes near ").append(at).append("; ");
                    for (int f = 0; f < flips && bytes.length > 0; f++) {
                        int k = Math.min(bytes.length - 1, at + random.nextInt(8));
                        bytes[k] = (byte) (bytes[k] ^ (1 << random.nextInt(8)));
                    }
                }
                case 2 -> {
                    int count = 1 + random.nextInt(16);
                    how.append("insert ").append(count).append(" random bytes at ").append(at).append("; ");
                    byte[] noise = new byte[count];
                    for (int k = 0; k < count; k++) {
                        noise[k] = (byte) random.nextInt(256);
                    }
                    bytes = splice(bytes, at, 0, noise);
                }
                case 3 -> {
                    int count = Math.min(bytes.length - at, 1 + random.nextInt(24));
                    how.append("delete ").append(count).append(" bytes at ").append(at).append("; ");
                    bytes = splice(bytes, at, count, new byte[0]);
                }
                case 4 -> {
                    int count = Math.min(bytes.length - at, 1 + random.nextInt(40));
                    how.append("repeat ").append(count).append(" bytes at ").append(at).append("; ");
                    bytes = splice(bytes, at, 0, Arrays.copyOfRange(bytes, at, at + count));
                }
                case 5 -> {
                    // a header or extent byte set to an extreme: 0, 0x7f, 0xff
                    int k = Math.min(bytes.length - 1, Math.max(0, random.nextInt(Math.min(bytes.length, 64) + 1) - 1));
                    byte value = new byte[] {0, 0x7f, (byte) 0xff, (byte) 0x80}[random.nextInt(4)];
                    how.append("set byte ").append(k).append(" to ").append(value & 0xff).append("; ");
                    if (bytes.length > 0) {
                        bytes[k] = value;
                    }
                }
                case 6 -> {
                    // a number (digits) replaced by a huge, negative or odd one
                    String[] numbers = {"4294967296", "2147483647", "2147483648", "1000000000", "-1", "0",
                        "99999999999999999999", "1e999", "-0", "NaN", "Infinity", "3.4e38"};
                    String number = numbers[random.nextInt(numbers.length)];
                    int start = findDigit(bytes, at);
                    if (start < 0) {
                        break;
                    }
                    int end = start;
                    while (end < bytes.length && (Character.isDigit(bytes[end]) || bytes[end] == '.')) {
                        end++;
                    }
                    how.append("number at ").append(start).append(" → ").append(number).append("; ");
                    bytes = splice(bytes, start, end - start, number.getBytes(StandardCharsets.US_ASCII));
                }
                default -> {
                    // text only: a line (a JSON member, a CSV row) given twice
                    int lineStart = at;
                    while (lineStart > 0 && bytes[lineStart - 1] != '\n') {
                        lineStart--;
                    }
                    int lineEnd = at;
                    while (lineEnd < bytes.length && bytes[lineEnd] != '\n') {
                        lineEnd++;
                    }
                    lineEnd = Math.min(bytes.length, lineEnd + 1);
                    how.append("line at ").append(lineStart).append(" twice; ");
                    bytes = splice(bytes, lineStart, 0, Arrays.copyOfRange(bytes, lineStart, lineEnd));
                }
            }
        }
        return bytes;
    }

    private static int findDigit(byte[] bytes, int from) {
        for (int k = 0; k < bytes.length; k++) {
            int at = (from + k) % bytes.length;
            if (Character.isDigit(bytes[at]) && (at == 0 || !Character.isDigit(bytes[at - 1]))) {
                return at;
            }
        }
        return -1;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        return out;
    }

    private static byte[] model(Network network) throws IOException {
        StringWriter text = new StringWriter();
        ModelWriter.write(network, text);
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An IDX file: 00 00, the type, the dimension count, the big-endian extents, the data. */
    private static byte[] idx(int type, int[] extents, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * extents.length + data.length);
        out.put((byte) 0).put((byte) 0).put((byte) type).put((byte) extents.length);
        for (int extent : extents) {
            out.putInt(extent);
        }
        return out.put(data).array();
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }

    private static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1);
        return text.replaceAll("[^\\x20-\\x7e\\n]", "?") + (bytes.length > 300 ? "…" : "");
    }
}

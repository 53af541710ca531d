package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint reader under the same seeded mutations as the data and model readers
 * ({@code io.ReaderFuzzTest}), applied to its manifest: truncations, flipped characters, repeated
 * lines, numbers replaced by huge or negative ones. Each either reads or throws an
 * {@link IOException} naming the folder's files; never another exception, an OOM or a hang.
 */
class CheckpointFuzzTest {
    private static final long SEED = 0x5EED_2222L;
    private static final int MUTATIONS = 1000;

    @Test
    void mutatedManifestsReadOrFailNamingTheFile(@TempDir Path folder) throws IOException {
        Network network = Network.builder(2).layer(3, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
        TrainerConfig config = TrainerConfig.builder().epochs(1).batch(2).learningRate(0.1f)
                .optimizer(Optimizer.of(Optimizer.Kind.ADAM)).build();
        CheckpointFiles files = new CheckpointFiles(folder.resolve("run"));
        try (ReferenceBackend backend = new ReferenceBackend()) {
            new Trainer(config).checkpoints(files, 1).train(backend, network, new float[] {0, 1, 1, 0},
                    new float[] {1, 0}, 2);
        }
        Path manifest = folder.resolve("run").resolve(CheckpointFiles.MANIFEST);
        String valid = Files.readString(manifest);
        int[] loaded = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            SplittableRandom random = new SplittableRandom(SEED);
            for (int m = 0; m < MUTATIONS; m++) {
                StringBuilder how = new StringBuilder();
                String mutated = mutate(valid, random, how);
                Files.writeString(manifest, mutated, StandardCharsets.UTF_8);
                String context = "seed " + SEED + ", mutation " + m + " (" + how + ")";
                try {
                    files.read();
                    loaded[0]++;
                } catch (IOException e) {
                    String message = String.valueOf(e.getMessage());
                    if (!message.contains(folder.resolve("run").toString()) && !message.contains(CheckpointFiles.MANIFEST)) {
                        throw new AssertionError(context + ": the message names no file: " + message, e);
                    }
                } catch (Throwable e) {
                    throw new AssertionError(context + ": expected an IOException or a checkpoint, found " + e, e);
                }
            }
        });
        System.out.printf("fuzz checkpoint: %d mutations (seed %d), %d loaded%n", MUTATIONS, SEED, loaded[0]);
        assertTrue(loaded[0] < MUTATIONS, "every mutation loaded: the mutations do not reach the checks");
    }

    private static String mutate(String text, SplittableRandom random, StringBuilder how) {
        String s = text;
        int rounds = 1 + random.nextInt(3);
        String[] numbers = {"4294967296", "2147483647", "1000000000", "-1", "0", "99999999999999999999", "1e999", "-0.5"};
        for (int r = 0; r < rounds; r++) {
            int at = s.isEmpty() ? 0 : random.nextInt(s.length());
            switch (random.nextInt(4)) {
                case 0 -> {
                    how.append("truncate at ").append(at).append("; ");
                    s = s.substring(0, at);
                }
                case 1 -> {
                    how.append("flip at ").append(at).append("; ");
                    if (!s.isEmpty()) {
                        s = s.substring(0, at) + (char) (s.charAt(at) ^ (1 << random.nextInt(7))) + s.substring(at + 1);
                    }
                }
                case 2 -> {
                    int start = at;
                    while (start < s.length() && !Character.isDigit(s.charAt(start))) {
                        start++;
                    }
                    int end = start;
                    while (end < s.length() && Character.isDigit(s.charAt(end))) {
                        end++;
                    }
                    String number = numbers[random.nextInt(numbers.length)];
                    how.append("number at ").append(start).append(" → ").append(number).append("; ");
                    s = s.substring(0, start) + number + s.substring(end);
                }
                default -> {
                    int end = Math.min(s.length(), at + 1 + random.nextInt(60));
                    how.append("repeat ").append(at).append("..").append(end).append("; ");
                    s = s.substring(0, end) + s.substring(at, end) + s.substring(end);
                }
            }
        }
        return s;
    }
}

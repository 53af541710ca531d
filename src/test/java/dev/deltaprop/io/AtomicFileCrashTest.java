package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost (issue 11): a save interrupted at a random point — after the temporary file is
 * created, after any chunk of its content, after it is forced to disk, before or after the
 * rename — always leaves the old file or the new one, whole. At the moment of the interruption the
 * target is checked as a kill -9 would leave it; after it, as the failed save leaves it.
 */
class AtomicFileCrashTest {
    private static final long SEED = 20261201L;
    private static final int SAVES = 300;

    @TempDir
    Path folder;

    @AfterEach
    void noHook() {
        AtomicFile.interruption = null;
    }

    @Test
    void anInterruptedSaveLeavesTheOldOrTheNewFileWhole() throws IOException {
        SplittableRandom random = new SplittableRandom(SEED);
        Path file = folder.resolve("model.json");
        byte[] old = content(random, 1 + random.nextInt(40_000), 'o');
        Files.write(file, old);
        int interruptedBefore = 0;
        int interruptedAfter = 0;
        for (int save = 0; save < SAVES; save++) {
            byte[] fresh = content(random, random.nextInt(60_000), (char) ('a' + save % 26));
            boolean text = random.nextBoolean();
            List<String> points = new ArrayList<>();
            AtomicFile.interruption = points::add;
            write(file, fresh, text);
            int total = points.size();
            assertTrue(total >= 4, "the save passes its checkpoints: " + points);
            // restore the old file, then interrupt the same save at a random one of its points
            AtomicFile.interruption = null;
            Files.write(file, old);
            int stop = random.nextInt(total);
            int[] seen = {0};
            byte[][] atInterruption = new byte[1][];
            String context = "seed " + SEED + ", save " + save + ", interrupted at point " + stop + " of " + total;
            AtomicFile.interruption = point -> {
                if (seen[0]++ == stop) {
                    atInterruption[0] = Files.readAllBytes(file); // what a kill -9 here would leave
                    throw new IOException("simulated crash at " + point);
                }
            };
            assertThrows(IOException.class, () -> write(file, fresh, text), context);
            AtomicFile.interruption = null;
            byte[] after = Files.readAllBytes(file);
            for (byte[] state : new byte[][] {atInterruption[0], after}) {
                if (!Arrays.equals(state, old) && !Arrays.equals(state, fresh)) {
                    fail(context + ": the file is neither the old nor the new one (" + state.length + " bytes)");
                }
            }
            if (Arrays.equals(after, old)) {
                interruptedBefore++;
            } else {
                interruptedAfter++;
                old = fresh; // the rename happened: the new file is the old one of the next save
            }
            try (Stream<Path> files = Files.list(folder)) {
                assertEquals(List.of(file), files.toList(), context + ": no temporary file left");
            }
        }
        assertTrue(interruptedBefore > 0 && interruptedAfter > 0,
                "both sides of the rename were hit: " + interruptedBefore + " before, " + interruptedAfter + " after");
    }

    private static void write(Path file, byte[] content, boolean text) throws IOException {
        if (text) {
            String s = new String(content, StandardCharsets.ISO_8859_1);
            // several writes, as ModelWriter makes them
            AtomicFile.write(file, out -> {
                for (int at = 0; at < s.length(); at += 1000) {
                    out.write(s, at, Math.min(1000, s.length() - at));
                }
            });
        } else {
            AtomicFile.write(file, content);
        }
    }

    private static byte[] content(SplittableRandom random, int length, char fill) {
        byte[] bytes = new byte[length];
        for (int k = 0; k < length; k++) {
            bytes[k] = (byte) (random.nextInt(8) == 0 ? '\n' : fill);
        }
        return bytes;
    }
}

package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProgressAndValidationTest {

    /** Sample s has x = (s, 10 s) and d = (100 s), so a row identifies its sample. */
    private static float[][] numbered(int samples) {
        float[] x = new float[2 * samples];
        float[] d = new float[samples];
        for (int s = 0; s < samples; s++) {
            x[2 * s] = s;
            x[2 * s + 1] = 10 * s;
            d[s] = 100 * s;
        }
        return new float[][] {x, d};
    }

    @Test
    void heldOutSplitsEverySampleOnceKeepingRowsTogether() {
        for (int samples : new int[] {2, 7, 33, 257, 1031}) {
            float[][] data = numbered(samples);
            HeldOut split = HeldOut.split(data[0], data[1], samples, 0.2, 42);
            int held = (int) Math.max(1, Math.min(samples - 1, Math.round(0.2 * samples)));
            assertEquals(held, split.validationSamples());
            assertEquals(samples - held, split.trainSamples());
            Set<Integer> seen = new HashSet<>();
            collect(seen, split.trainX(), split.trainD(), split.trainSamples());
            collect(seen, split.validationX(), split.validationD(), split.validationSamples());
            assertEquals(samples, seen.size(), "every sample in exactly one part");
            HeldOut again = HeldOut.split(data[0], data[1], samples, 0.2, 42);
            assertArrayEquals(split.validationX(), again.validationX(), "the same seed holds out the same samples");
        }
    }

    private static void collect(Set<Integer> seen, float[] x, float[] d, int samples) {
        for (int r = 0; r < samples; r++) {
            int s = (int) x[2 * r];
            assertEquals(10f * s, x[2 * r + 1]);
            assertEquals(100f * s, d[r]);
            assertTrue(seen.add(s), "sample " + s + " twice");
        }
    }

    @Test
    void heldOutRejectsBadArgumentsByName() {
        float[][] data = numbered(10);
        for (double fraction : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HeldOut.split(data[0], data[1], 10, fraction, 1));
            assertTrue(e.getMessage().startsWith("fraction: expected"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HeldOut.split(data[0], data[1], 1, 0.5, 1))
                .getMessage().startsWith("samples:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HeldOut.split(data[0], data[1], 3, 0.5, 1))
                .getMessage().startsWith("x, d:"));
    }

    /** y = 2 x_1 − x_2 + 0.5 by a single identity layer, so the loss is known by hand. */
    private static Network line() {
        return new Network(List.of(new Layer(2, 1, Activation.IDENTITY, new float[] {2f, -1f}, new float[] {0.5f})));
    }

    @Test
    void validationLossIsTheMeanHalfSquaredErrorOfTheHeldOutSamples() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            backend.load(line());
            // y = (0.5, 2.5, -0.5); errors against d = (1.5, 2.5, 1.5) are (-1, 0, -2)
            float[] x = {0, 0, 1, 0, 0, 1};
            float[] d = {1.5f, 2.5f, 1.5f};
            ValidationLoss validation = new ValidationLoss(backend, x, d, 3);
            assertEquals((0.5 * 1 + 0 + 0.5 * 4) / 3, validation.measure(), 1e-12);
            assertTrue(Double.isNaN(validation.last()));
            validation.epochEnded(new EpochSummary(1, 1, 0, 3, 1));
            assertEquals(List.of(validation.measure()), validation.losses());
        }
    }

    @Test
    void validationLossRejectsNonFiniteData() {
        try (ReferenceBackend backend = new ReferenceBackend()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ValidationLoss(backend, new float[] {0, Float.NaN}, new float[] {1}, 1));
            assertEquals("x: expected finite values, found NaN at index 1", e.getMessage());
        }
    }

    /** Trains a little, with a held-out split; the listeners see every epoch in order. */
    @Test
    void plainLinesNameEveryEpochWithTheHeldOutLoss() {
        float[][] data = numbered(40);
        for (int k = 0; k < data[0].length; k++) {
            data[0][k] /= 400f;
        }
        for (int k = 0; k < data[1].length; k++) {
            data[1][k] /= 4000f;
        }
        HeldOut split = HeldOut.split(data[0], data[1], 40, 0.25, 3);
        StringWriter text = new StringWriter();
        try (ReferenceBackend backend = new ReferenceBackend()) {
            ValidationLoss validation = new ValidationLoss(backend, split);
            TrainerConfig config = TrainerConfig.builder().epochs(4).batch(8).learningRate(0.1f).build();
            try (ConsoleProgress progress = ConsoleProgress.lines(new PrintWriter(text), validation)) {
                assertFalse(progress.isBar());
                new Trainer(config).addListener(validation).addListener(progress)
                        .train(backend, line(), split.trainX(), split.trainD(), split.trainSamples());
            }
            String[] lines = text.toString().split("\n");
            assertEquals(4, lines.length, text.toString());
            for (int e = 0; e < 4; e++) {
                assertTrue(lines[e].startsWith("epoch " + (e + 1) + "/4  loss "), lines[e]);
                assertTrue(lines[e].endsWith(String.format(java.util.Locale.ROOT, "  validation %.6e",
                        validation.losses().get(e))), lines[e]);
            }
        }
    }

    @Test
    void barReachesTheEndAndShowsLossAndRate() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        float[][] data = numbered(30);
        for (int k = 0; k < data[0].length; k++) {
            data[0][k] /= 300f;
        }
        for (int k = 0; k < data[1].length; k++) {
            data[1][k] /= 3000f;
        }
        try (ReferenceBackend backend = new ReferenceBackend();
                ConsoleProgress progress = ConsoleProgress.bar(new PrintStream(terminal, true, StandardCharsets.UTF_8),
                        120, null)) {
            assertTrue(progress.isBar());
            TrainerConfig config = TrainerConfig.builder().epochs(3).batch(7).learningRate(0.1f).build();
            new Trainer(config).addListener(progress).train(backend, line(), data[0], data[1], 30);
        }
        String shown = terminal.toString(StandardCharsets.UTF_8);
        // 3 epochs of ⌈30/7⌉ = 5 batches: the bar ends at 15/15 steps
        assertTrue(shown.contains("15/15"), shown);
        assertTrue(shown.contains("epoch 3 loss "), shown);
        assertTrue(shown.contains("samples/s"), shown);
        assertTrue(shown.contains("100%"), shown);
    }
}

package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The schedules' values per epoch, worked out by hand, their names, and the steps the trainer gives them to. */
class LearningRateScheduleTest {

    private static List<Float> rates(LearningRateSchedule schedule, float eta, int epochs) {
        List<Float> out = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            out.add(schedule.rate(eta, e, epochs));
        }
        return out;
    }

    private static void assertRates(double[] expected, LearningRateSchedule schedule, float eta) {
        List<Float> found = rates(schedule, eta, expected.length);
        for (int e = 0; e < expected.length; e++) {
            assertEquals(expected[e], found.get(e), 1e-7, schedule + " epoch " + (e + 1));
        }
    }

    @Test
    void constantIsTheBaseRateExactly() {
        for (float eta : new float[] {0.05f, 0.1f, 3e-4f}) {
            for (float rate : rates(LearningRateSchedule.constant(), eta, 5)) {
                assertEquals(Float.floatToIntBits(eta), Float.floatToIntBits(rate));
            }
        }
    }

    @Test
    void stepHalvesEveryKEpochs() {
        // η γ^⌊(e−1)/k⌋ with η = 0.8, k = 2, γ = 0.5
        assertRates(new double[] {0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1}, LearningRateSchedule.step(2, 0.5), 0.8f);
        // k = 3, γ = 0.1
        assertRates(new double[] {1, 1, 1, 0.1, 0.1, 0.1, 0.01}, LearningRateSchedule.step(3, 0.1), 1f);
    }

    @Test
    void cosineFallsFromTheBaseRateTowardsZero() {
        // ½ η (1 + cos(π (e−1)/E)), E = 4: cos 0 = 1, cos π/4 = 0.7071068, cos π/2 = 0, cos 3π/4 = −0.7071068
        assertRates(new double[] {1, 0.8535534, 0.5, 0.1464466}, LearningRateSchedule.cosine(), 1f);
        // E = 2, η = 0.2: 0.2 and ½ · 0.2 · (1 + cos π/2) = 0.1
        assertRates(new double[] {0.2, 0.1}, LearningRateSchedule.cosine(), 0.2f);
    }

    @Test
    void warmUpRampsLinearlyOverTheFirstEpochs() {
        // × e/w for e ≤ w, w = 4
        assertRates(new double[] {0.25, 0.5, 0.75, 1, 1, 1}, LearningRateSchedule.constant().withWarmup(4), 1f);
        // cosine of E = 4 with w = 2: epoch 1 is ½ of 1, epoch 2 all of 0.8535534
        assertRates(new double[] {0.5, 0.8535534, 0.5, 0.1464466}, LearningRateSchedule.cosine().withWarmup(2), 1f);
        // step:1:0.5 with w = 3 and η = 0.4: 0.4·1/3, 0.2·2/3, 0.1, 0.05
        assertRates(new double[] {0.4 / 3, 0.2 * 2 / 3, 0.1, 0.05}, LearningRateSchedule.step(1, 0.5).withWarmup(3), 0.4f);
        // w = 1 is no ramp at all
        assertRates(new double[] {1, 1}, LearningRateSchedule.constant().withWarmup(1), 1f);
    }

    @Test
    void namesParseBackToTheSameSchedule() {
        for (LearningRateSchedule s : List.of(LearningRateSchedule.constant(), LearningRateSchedule.cosine(),
                LearningRateSchedule.step(7, 0.25))) {
            assertEquals(s, LearningRateSchedule.parse(s.name()));
        }
        assertEquals(LearningRateSchedule.step(10, 0.5), LearningRateSchedule.parse(" Step:10:0.5 "));
        assertEquals("cosine, warm-up 3 epochs", LearningRateSchedule.cosine().withWarmup(3).toString());
    }

    @Test
    void badNamesAndValuesAreRefusedSayingWhatWasExpected() {
        assertMessage("schedule: expected constant, step:K:G (e.g. step:10:0.5) or cosine, found 'linear'",
                () -> LearningRateSchedule.parse("linear"));
        assertMessage("schedule: expected constant, step:K:G (e.g. step:10:0.5) or cosine, found 'null'",
                () -> LearningRateSchedule.parse(null));
        assertMessage("schedule: expected step:K:G with K epochs per step and the factor G (e.g. step:10:0.5), found 'step:2'",
                () -> LearningRateSchedule.parse("step:2"));
        assertMessage("schedule: in step:K:G, expected K (the epochs per step) a whole number, found 'x'",
                () -> LearningRateSchedule.parse("step:x:0.5"));
        assertMessage("schedule: in step:K:G, expected G (the factor per step) a number, found 'half'",
                () -> LearningRateSchedule.parse("step:2:half"));
        assertMessage("schedule: in step:K:G, expected K (the epochs per step) at least 1, found 0",
                () -> LearningRateSchedule.parse("step:0:0.5"));
        assertMessage("schedule: in step:K:G, expected G (the factor per step) a finite number > 0, found -1.0",
                () -> LearningRateSchedule.parse("step:2:-1"));
        assertMessage("schedule: in step:K:G, expected G (the factor per step) a finite number > 0, found NaN",
                () -> LearningRateSchedule.step(2, Double.NaN));
        assertMessage("warmupEpochs: expected at least 0 (0: no warm-up), found -1",
                () -> LearningRateSchedule.cosine().withWarmup(-1));
        assertMessage("epoch: expected at least 1, found 0", () -> LearningRateSchedule.cosine().factor(0, 3));
    }

    /** Every step of an epoch is given that epoch's rate, and the epochs follow the schedule. */
    @Test
    void theTrainerGivesEveryStepOfAnEpochItsRate() {
        TrainerTest.RecordingBackend backend = new TrainerTest.RecordingBackend();
        Network network = Network.builder(1).layer(1, Activation.IDENTITY).build(1);
        int samples = 5;
        int batch = 2; // 3 steps per epoch, the last of 1 sample
        int epochs = 5;
        LearningRateSchedule schedule = LearningRateSchedule.cosine().withWarmup(2);
        TrainerConfig config = TrainerConfig.builder().epochs(epochs).batch(batch).learningRate(0.3f)
                .schedule(schedule).build();
        new Trainer(config).train(backend, network, new float[samples], new float[samples], samples);
        assertEquals(epochs * 3, backend.learningRates.size());
        for (int e = 1; e <= epochs; e++) {
            double expected = 0.3 * 0.5 * (1 + Math.cos(Math.PI * (e - 1) / epochs)) * (e < 2 ? e / 2.0 : 1);
            for (int k = 0; k < 3; k++) {
                assertEquals(expected, backend.learningRates.get((e - 1) * 3 + k), 1e-7, "epoch " + e + " step " + (k + 1));
            }
        }
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}

package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code deltaprop demo} end to end, in-process: the sine fit, then the held-out fit on the diabetes data. */
class DemoCommandTest {
    private static final Pattern HELD_OUT = Pattern.compile(
            "(?m)^held-out mean absolute error: ([0-9.]+) progression points \\(RMS ([0-9.]+)\\) on (\\d+) unseen patients$");
    private static final Pattern MEAN_GUESS = Pattern.compile(
            "(?m)^always guessing the training mean \\(([0-9]+)\\): +([0-9.]+) progression points$");

    /** On the reference backend (the oracle): both parts run, in order, and the real fit beats the mean guess. */
    @Test
    void fitsTheSineThenBeatsTheMeanGuessOnHeldOutPatients() {
        Cli demo = Cli.run("demo", "--backend", "reference");
        assertEquals(0, demo.exitCode, demo.toString());
        String out = demo.out;
        assertTrue(out.contains("backend: using reference"), out);
        assertTrue(out.contains("verdict: good fit"), out);
        assertTrue(out.contains("epoch 4000  loss "), out);
        int part2 = out.indexOf("deltaprop demo, part 2: a real data set");
        assertTrue(part2 > out.indexOf("verdict: good fit"), "the diabetes fit comes after the sine fit\n" + out);
        assertTrue(out.contains("training on 354 patients, holding out 88"), out);

        // the loss as it falls: a few lines, not one per epoch, and the last below the first
        Matcher losses = Pattern.compile("(?m)^epoch +(\\d+)  loss ([0-9.]+)  held-out loss ([0-9.]+)").matcher(out);
        int lines = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        while (losses.find()) {
            lines++;
            double loss = Double.parseDouble(losses.group(2));
            first = lines == 1 ? loss : first;
            last = loss;
        }
        assertTrue(lines >= 3 && lines <= 10, lines + " loss lines\n" + out);
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last + "\n" + out);

        double[] errors = errors(out);
        double fit = errors[0];
        double guess = errors[1];
        assertTrue(fit > 0 && guess > 0, out);
        // a real, not a marginal, improvement: the inputs explain a good part of the progression
        assertTrue(fit < 0.85 * guess, "held-out error " + fit + " vs mean guess " + guess + "\n" + out);
        assertTrue(out.contains("meaning: for a patient it has never seen"), out);
    }

    /** The fast CPU path reaches the same held-out fit as the oracle (float rounding differs, the fit does not). */
    @Test
    void cpuBackendGivesTheOraclesFit() {
        Cli cpu = Cli.run("demo", "--backend", "cpu");
        assertEquals(0, cpu.exitCode, cpu.toString());
        assertTrue(cpu.out.contains("backend: using cpu"), cpu.out);
        assertTrue(cpu.out.contains("verdict: good fit"), cpu.out);
        Cli reference = Cli.run("demo", "--backend", "reference");
        double[] fast = errors(cpu.out);
        double oracle = errors(reference.out)[0];
        assertTrue(fast[0] < fast[1], cpu.out);
        assertTrue(Math.abs(fast[0] - oracle) <= 0.02 * oracle, "cpu " + fast[0] + " vs reference " + oracle);
        assertEquals(errors(reference.out)[1], fast[1], "the mean guess does not depend on the backend");
    }

    /** @return the held-out mean absolute error of the network and of the mean guess, in progression points */
    private static double[] errors(String out) {
        Matcher fit = HELD_OUT.matcher(out);
        Matcher guess = MEAN_GUESS.matcher(out);
        assertTrue(fit.find(), "no held-out error line\n" + out);
        assertTrue(guess.find(), "no mean-guess line\n" + out);
        assertEquals("88", fit.group(3), out);
        return new double[] {Double.parseDouble(fit.group(1)), Double.parseDouble(guess.group(2))};
    }
}

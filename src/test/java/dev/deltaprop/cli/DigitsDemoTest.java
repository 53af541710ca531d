package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Learning: the demo's digits classifier reaches 95% held-out accuracy with the demo's settings, on the oracle and on cpu. */
class DigitsDemoTest {

    @Test
    void digitsReachNinetyFivePercentHeldOutOnReferenceAndCpu() throws Exception {
        double[] accuracy = new double[2];
        String[] names = {"reference", "cpu"};
        for (int k = 0; k < 2; k++) {
            StringWriter text = new StringWriter();
            try (Backend backend = Backends.open(names[k])) {
                DigitsDemo.Outcome outcome = DigitsDemo.run(new PrintWriter(text), backend, 1);
                String out = text.toString();
                assertTrue(outcome.accuracy() >= 0.95, names[k] + ": held-out accuracy " + outcome.accuracy() + "\n" + out);
                assertTrue(outcome.mostCommonGuess() < 0.15, "ten digits about equally common: " + outcome.mostCommonGuess());
                assertTrue(out.contains("training on 1438 images, holding out 359 (seed 1) to judge the classifier; pixels in [0, 1]"), out);
                assertTrue(out.contains("actual\\predicted"), "a confusion matrix\n" + out);
                assertTrue(out.contains("always answering the most common digit of the training part ("), out);
                accuracy[k] = outcome.accuracy();
            }
        }
        // float32 against the oracle over 1,350 Adam steps: a few images may fall the other way, not more
        assertEquals(accuracy[0], accuracy[1], 5.0 / 359, "cpu against reference");
    }
}

package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import dev.deltaprop.train.HeldOut;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The held-out errors, recomputed here sample by sample from the split's own arrays. */
class HeldOutFitTest {
    @Test
    void meanGuessAndModelErrorsMatchAHandSum() {
        long seed = 31;
        SplittableRandom random = new SplittableRandom(seed);
        int samples = 257;
        float[] x = new float[samples * 3];
        float[] d = new float[samples * 2];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) random.nextDouble(-2, 2);
        }
        for (int k = 0; k < d.length; k++) {
            d[k] = (float) random.nextDouble(10, 90);
        }
        HeldOut split = HeldOut.split(x, d, samples, 0.2, seed);

        float[] trainD = split.trainD();
        double[] mean = new double[2];
        for (int s = 0; s < split.trainSamples(); s++) {
            mean[0] += trainD[2 * s] / (double) split.trainSamples();
            mean[1] += trainD[2 * s + 1] / (double) split.trainSamples();
        }
        float[] heldD = split.validationD();
        double guess = 0;
        for (int k = 0; k < heldD.length; k++) {
            guess += Math.abs(heldD[k] - mean[k % 2]) / heldD.length;
        }
        assertEquals(guess, HeldOutFit.meanGuessError(split), 1e-9 * guess, "seed " + seed);

        Network network = Network.builder(3).layer(7, Activation.TANH).layer(2, Activation.IDENTITY).build(seed);
        try (Backend backend = new ReferenceBackend()) {
            backend.load(network);
            float[] y = backend.predict(split.validationX(), split.validationSamples());
            double absolute = 0;
            double squared = 0;
            for (int k = 0; k < y.length; k++) {
                absolute += Math.abs((double) y[k] - heldD[k]) / y.length;
                squared += (y[k] - (double) heldD[k]) * (y[k] - heldD[k]) / y.length;
            }
            HeldOutFit.Errors errors = HeldOutFit.measure(backend, network, split);
            assertEquals(split.validationSamples(), errors.samples());
            assertEquals(absolute, errors.meanAbsolute(), 1e-9 * absolute, "seed " + seed);
            assertEquals(Math.sqrt(squared), errors.rms(), 1e-9 * Math.sqrt(squared), "seed " + seed);
        }
    }
}

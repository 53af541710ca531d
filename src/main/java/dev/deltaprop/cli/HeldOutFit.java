package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.HeldOut;
import java.util.Arrays;
import java.util.Locale;

/**
 * The held-out fit in the data's own units, the numbers a person judges a model by: the mean
 * absolute error {@code (1/(V·n_L)) Σ |y − d|} and the RMS error {@code sqrt((1/(V·n_L)) Σ (y − d)²)}
 * of the saved model on the held-out samples.
 */
final class HeldOutFit {
    /** Samples per predict call, as {@code predict} does. */
    private static final int CHUNK = PredictCommand.CHUNK;

    private HeldOutFit() {
    }

    /** Loads {@code network} into {@code backend} and describes its error on the held-out part of {@code split}. */
    static String describe(Backend backend, Network network, HeldOut split) {
        backend.load(network);
        float[] x = split.validationX();
        float[] d = split.validationD();
        int samples = split.validationSamples();
        int n0 = network.inputs();
        int nL = network.outputs();
        double absolute = 0;
        double squared = 0;
        for (int start = 0; start < samples; start += CHUNK) {
            int rows = Math.min(CHUNK, samples - start);
            float[] y = backend.predict(Arrays.copyOfRange(x, start * n0, (start + rows) * n0), rows);
            for (int k = 0; k < rows * nL; k++) {
                double error = (double) y[k] - d[start * nL + k];
                absolute += Math.abs(error);
                squared += error * error;
            }
        }
        long count = (long) samples * nL;
        return String.format(Locale.ROOT, "held out (%d samples), in the units of d: mean absolute error %.4g,"
                + " RMS error %.4g", samples, absolute / count, Math.sqrt(squared / count));
    }
}

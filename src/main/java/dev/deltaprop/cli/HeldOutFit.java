package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.HeldOut;
import java.util.Arrays;
import java.util.Locale;

/**
 * The held-out fit in the data's own units, the numbers a person judges a model by: the mean
 * absolute error {@code (1/(V·n_L)) Σ |y − d|} and the RMS error {@code sqrt((1/(V·n_L)) Σ (y − d)²)}
 * of the saved model on the held-out samples, and the same mean absolute error for the model that
 * knows nothing, one that always answers the training mean {@code d̄_j} (the baseline a fit must beat).
 */
final class HeldOutFit {
    /** Samples per predict call, as {@code predict} does. */
    private static final int CHUNK = PredictCommand.CHUNK;

    /**
     * @param samples       {@code V}, the held-out samples
     * @param meanAbsolute  {@code (1/(V·n_L)) Σ |y − d|}
     * @param rms           {@code sqrt((1/(V·n_L)) Σ (y − d)²)}
     */
    record Errors(int samples, double meanAbsolute, double rms) {
    }

    private HeldOutFit() {
    }

    /** Loads {@code network} into {@code backend} and describes its error on the held-out part of {@code split}. */
    static String describe(Backend backend, Network network, HeldOut split) {
        Errors errors = measure(backend, network, split);
        return String.format(Locale.ROOT, "held out (%d samples), in the units of d: mean absolute error %.4g,"
                + " RMS error %.4g", errors.samples(), errors.meanAbsolute(), errors.rms());
    }

    /** Loads {@code network} into {@code backend} and measures its error on the held-out part of {@code split}. */
    static Errors measure(Backend backend, Network network, HeldOut split) {
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
        return new Errors(samples, absolute / count, Math.sqrt(squared / count));
    }

    /**
     * The mean absolute held-out error of always answering the training mean, {@code (1/(V·n_L)) Σ |d̄_j − d_j|}.
     *
     * @return the error a model must beat to have learnt anything from the inputs
     */
    static double meanGuessError(HeldOut split) {
        double[] mean = trainingMean(split);
        int outputs = mean.length;
        float[] d = split.validationD();
        double absolute = 0;
        for (int k = 0; k < d.length; k++) {
            absolute += Math.abs(mean[k % outputs] - d[k]);
        }
        return absolute / d.length;
    }

    /** @return {@code d̄_j}, the mean of every teacher column over the training samples */
    static double[] trainingMean(HeldOut split) {
        float[] d = split.trainD();
        int outputs = d.length / split.trainSamples();
        double[] mean = new double[outputs];
        for (int k = 0; k < d.length; k++) {
            mean[k % outputs] += d[k];
        }
        for (int j = 0; j < outputs; j++) {
            mean[j] /= split.trainSamples();
        }
        return mean;
    }
}

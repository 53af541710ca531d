package dev.deltaprop.train;

import dev.deltaprop.backend.Checks;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A data set split into a training part and a held-out validation part, drawn at random from
 * a seed: {@code V = round(fraction · N)} samples (at least 1, at most {@code N − 1}) are held out,
 * the other {@code N − V} are trained on. The held-out samples never take part in a step, so their
 * loss measures how well the network generalises. Immutable; the arrays are copied out.
 */
public final class HeldOut {
    private final float[] trainX;
    private final float[] trainD;
    private final float[] validationX;
    private final float[] validationD;
    private final int trainSamples;
    private final int validationSamples;

    private HeldOut(float[] trainX, float[] trainD, int trainSamples, float[] validationX, float[] validationD,
            int validationSamples) {
        this.trainX = trainX;
        this.trainD = trainD;
        this.trainSamples = trainSamples;
        this.validationX = validationX;
        this.validationD = validationD;
        this.validationSamples = validationSamples;
    }

    /**
     * Splits {@code samples} samples.
     *
     * @param x        {@code samples × n_0} inputs, batch-major
     * @param d        {@code samples × n_L} teacher values, batch-major
     * @param samples  {@code N}, at least 2
     * @param fraction the share held out, {@code 0 < fraction < 1}
     * @param seed     which samples are held out
     * @return the two parts, each in the order the seed drew them
     * @throws IllegalArgumentException naming the argument when the sizes do not agree, the fraction is
     *                                  not in {@code (0, 1)}, or there are fewer than 2 samples
     */
    public static HeldOut split(float[] x, float[] d, int samples, double fraction, long seed) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(d, "d");
        if (samples < 2) {
            throw new IllegalArgumentException("samples: expected at least 2 to hold some out, found " + samples);
        }
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction: expected a share of the samples between 0 and 1 (exclusive),"
                    + " found " + fraction);
        }
        if (x.length % samples != 0 || d.length % samples != 0 || x.length == 0 || d.length == 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "x, d: expected a whole number of values per sample for %d samples, found %d and %d values",
                    samples, x.length, d.length));
        }
        int inputs = x.length / samples;
        int outputs = d.length / samples;
        int held = (int) Math.max(1, Math.min(samples - 1, Math.round(fraction * samples)));
        int[] order = Checks.identity(samples);
        Trainer.shuffle(order, new SplittableRandom(seed));
        int kept = samples - held;
        float[][] parts = {new float[kept * inputs], new float[kept * outputs], new float[held * inputs],
            new float[held * outputs]};
        for (int k = 0; k < samples; k++) {
            int s = order[k];
            boolean train = k < kept;
            int row = train ? k : k - kept;
            System.arraycopy(x, s * inputs, parts[train ? 0 : 2], row * inputs, inputs);
            System.arraycopy(d, s * outputs, parts[train ? 1 : 3], row * outputs, outputs);
        }
        return new HeldOut(parts[0], parts[1], kept, parts[2], parts[3], held);
    }

    /** @return a copy of the training inputs, {@code (N − V) × n_0} */
    public float[] trainX() {
        return trainX.clone();
    }

    /** @return a copy of the training teacher values, {@code (N − V) × n_L} */
    public float[] trainD() {
        return trainD.clone();
    }

    /** @return {@code N − V}, the samples trained on */
    public int trainSamples() {
        return trainSamples;
    }

    /** @return a copy of the held-out inputs, {@code V × n_0} */
    public float[] validationX() {
        return validationX.clone();
    }

    /** @return a copy of the held-out teacher values, {@code V × n_L} */
    public float[] validationD() {
        return validationD.clone();
    }

    /** @return {@code V}, the samples held out */
    public int validationSamples() {
        return validationSamples;
    }
}

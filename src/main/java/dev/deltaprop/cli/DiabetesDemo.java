package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.HeldOut;
import dev.deltaprop.train.Standardization;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingListener;
import dev.deltaprop.train.TrainingResult;
import dev.deltaprop.train.ValidationLoss;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The second half of {@code deltaprop demo}: a held-out fit on the real data set shipped in
 * {@code data/diabetes.csv} (442 patients, ten baseline measurements, the disease progression one
 * year later; see {@code data/README.md}). 20% of the patients are held out with a fixed seed; the
 * network trains on the rest, standardised per column ({@code x' = (x − μ)/σ}, μ and σ of the
 * training part), and the scaling is then folded into the weights, as {@code train --standardize}
 * does, so the final model is judged on the raw measurements in progression points.
 */
final class DiabetesDemo {
    /** Where {@code pom.xml} puts {@code data/diabetes.csv} in the jar, so the demo runs from any directory. */
    static final String RESOURCE = "/data/diabetes.csv";
    static final int INPUTS = 10;
    static final int HIDDEN = 8;
    static final double HELD_OUT = 0.2;
    static final long SPLIT_SEED = 2024;
    static final int EPOCHS = 100;
    /** Loss lines printed besides the first and the last epoch. */
    private static final int REPORTS = 5;

    private DiabetesDemo() {
    }

    /**
     * Trains on the training part with {@code backend}, printing the loss as it falls, and then the held-out
     * error of the folded model in progression points next to that of always guessing the training mean.
     *
     * @return the held-out errors and the mean guess's error, for the tests
     */
    static Outcome run(PrintWriter out, Backend backend, long seed) throws IOException {
        DataTable table = read();
        HeldOut split = HeldOut.split(table.x(), table.d(), table.samples(), HELD_OUT, SPLIT_SEED);
        Standardization scaling = Standardization.fit(split.trainX(), split.trainD(), split.trainSamples());
        Network network = Network.builder(INPUTS).layer(HIDDEN, Activation.TANH).layer(1, Activation.IDENTITY)
                .build(seed);
        TrainerConfig config = TrainerConfig.builder().epochs(EPOCHS).batch(16).learningRate(0.01f).seed(seed).build();
        out.println();
        out.printf(Locale.ROOT, "deltaprop demo, part 2: a real data set - disease progression of %d diabetes patients"
                + " (data/README.md)%n", table.samples());
        out.printf(Locale.ROOT, "predict the progression score one year on from %d baseline measurements; training on"
                + " %d patients, holding out %d (seed %d) to judge the fit%n", INPUTS, split.trainSamples(),
                split.validationSamples(), SPLIT_SEED);
        out.printf(Locale.ROOT, "network %s on standardized columns (mean 0, deviation 1 of the training part);"
                + " %s%n", network, config);
        out.flush();

        ValidationLoss heldOut = new ValidationLoss(backend, scaling.inputs(split.validationX()),
                scaling.teachers(split.validationD()), split.validationSamples());
        Trainer trainer = new Trainer(config).addListener(heldOut).addListener(new TrainingListener() {
            @Override
            public void epochEnded(EpochSummary summary) {
                int e = summary.epoch();
                if (e == 1 || e % Math.max(1, EPOCHS / REPORTS) == 0) {
                    // heldOut ran first (listeners run in order), so its last value is this epoch's
                    out.printf(Locale.ROOT, "epoch %4d  loss %.4f  held-out loss %.4f  (standardized units)%n", e,
                            summary.loss(), heldOut.last());
                    out.flush();
                }
            }
        });
        TrainingResult result = trainer.train(backend, network, scaling.inputs(split.trainX()),
                scaling.teachers(split.trainD()), split.trainSamples());
        Network trained = scaling.fold(result.network());
        HeldOutFit.Errors fit = HeldOutFit.measure(backend, trained, split);
        double guess = HeldOutFit.meanGuessError(split);
        double mean = HeldOutFit.trainingMean(split)[0];

        out.println();
        out.printf(Locale.ROOT, "held-out mean absolute error: %.1f progression points (RMS %.1f) on %d unseen patients%n",
                fit.meanAbsolute(), fit.rms(), fit.samples());
        out.printf(Locale.ROOT, "always guessing the training mean (%.0f):  %.1f progression points%n", mean, guess);
        double better = 1 - fit.meanAbsolute() / guess;
        out.println(better > 0
                ? String.format(Locale.ROOT, "meaning: for a patient it has never seen, the network's forecast of the"
                        + " progression score (25 .. 346) is off by about %.0f points, %.0f%% less than a guess that"
                        + " ignores the measurements", fit.meanAbsolute(), 100 * better)
                : String.format(Locale.ROOT, "meaning: the network does no better than guessing %.0f for everyone;"
                        + " it has not learnt from the measurements", mean));
        out.flush();
        return new Outcome(fit, guess);
    }

    /** The held-out errors of the trained model and of the mean guess, in progression points. */
    record Outcome(HeldOutFit.Errors fit, double meanGuessError) {
    }

    private static DataTable read() throws IOException {
        InputStream in = DiabetesDemo.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IOException(RESOURCE + ": expected the shipped data set on the class path (the jar that"
                    + " mvn package builds has it), found none");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return CsvReader.read(reader, "data/diabetes.csv", INPUTS, 1);
        }
    }
}

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.HeldOut;
import dev.deltaprop.train.Standardization;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingResult;
import dev.deltaprop.train.ValidationLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training from a CSV file: the diabetes data shipped in {@code data/} (442 patients, ten
 * baseline measurements, the disease progression one year later), 20% held out. Reports the
 * held-out error in the target's own units, progression points, next to the error of always
 * guessing the training mean, and saves a model that reads the raw CSV columns.
 *
 * <p>The measurements have very different scales (age ~50, cholesterol ~190, a ratio ~4), so the
 * network is trained on standardised values {@code x' = (x − μ)/σ}, {@code d' = (d − μ_d)/σ_d},
 * with μ and σ from the training part only. {@code Standardization.fold} then moves the scaling
 * into the first and last layers' weights, so the saved model needs no separate scaler — the
 * same as {@code deltaprop train --standardize}.
 *
 * <pre>
 * java -cp target/deltaprop.jar java/DiabetesFromCsv.java [data/diabetes.csv] [--quick]
 * java -jar target/deltaprop.jar predict --model diabetes.json --data data/diabetes.csv
 * </pre>
 */
public class DiabetesFromCsv {
    public static void main(String[] args) throws Exception {
        List<String> options = new ArrayList<>(Arrays.asList(args));
        boolean quick = options.remove("--quick");
        Path csv = Path.of(options.isEmpty() ? "data/diabetes.csv" : options.get(0));

        DataTable table = CsvReader.read(csv, 10, 1);        // header line skipped, every number checked
        HeldOut split = HeldOut.split(table.x(), table.d(), table.samples(), 0.2, 2024);
        System.out.printf("%s: %d patients, training on %d, holding out %d%n", csv, table.samples(),
                split.trainSamples(), split.validationSamples());

        // μ and σ of the training part only: the held-out patients stay unseen
        Standardization scaling = Standardization.fit(split.trainX(), split.trainD(), split.trainSamples());
        float[] x = scaling.inputs(split.trainX());
        float[] d = scaling.teachers(split.trainD());

        Network network = Network.builder(10).layer(8, Activation.TANH).layer(1, Activation.IDENTITY).build(11);
        TrainerConfig config = TrainerConfig.builder().epochs(quick ? 40 : 100).batch(16).learningRate(0.01f)
                .seed(5).build();
        Network trained;
        try (Backend backend = Backends.open("cpu")) {
            ValidationLoss heldOut = new ValidationLoss(backend, scaling.inputs(split.validationX()),
                    scaling.teachers(split.validationD()), split.validationSamples());
            TrainingResult result = new Trainer(config).addListener(heldOut)
                    .train(backend, network, x, d, split.trainSamples());
            System.out.printf("loss in standardised units: training %.4f, held out %.4f%n", result.finalLoss(),
                    heldOut.last());
            trained = scaling.fold(result.network());

            // the held-out fit in progression points, by the folded model on the raw measurements
            backend.load(trained);
            float[] y = backend.predict(split.validationX(), split.validationSamples());
            float[] truth = split.validationD();
            float[] train = split.trainD();
            double meanGuess = Arrays.stream(toDoubles(train)).average().orElseThrow();
            double absolute = 0;
            double squared = 0;
            double baseline = 0;
            for (int s = 0; s < y.length; s++) {
                absolute += Math.abs(y[s] - truth[s]);
                squared += (y[s] - truth[s]) * (y[s] - truth[s]);
                baseline += Math.abs(meanGuess - truth[s]);
            }
            int n = y.length;
            System.out.printf("held-out mean absolute error: %.1f progression points (RMS %.1f);"
                    + " always guessing the training mean %.1f: %.1f points%n", absolute / n, Math.sqrt(squared / n),
                    meanGuess, baseline / n);
            System.out.printf("first held-out patient: predicted %.0f, measured %.0f%n", y[0], truth[0]);
        }
        Path saved = Path.of("diabetes.json");
        ModelFiles.save(trained, saved);
        System.out.println("saved " + saved + " (reads the raw CSV columns: the scaling is in its weights)");
    }

    private static double[] toDoubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            doubles[k] = values[k];
        }
        return doubles;
    }
}

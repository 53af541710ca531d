import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.CsvReader;
import dev.deltaprop.io.DataTable;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.HeldOut;
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
 * with μ and σ from the training part only. The scaling is then folded into the weights, so the
 * saved model needs no separate scaler: for the first layer
 * {@code u_j = b_j + Σ_i w_ij (x_i − μ_i)/σ_i = (b_j − Σ_i w_ij μ_i/σ_i) + Σ_i (w_ij/σ_i) x_i},
 * and for the identity output {@code y = σ_d y' + μ_d}.
 *
 * <pre>
 * java -cp target/deltaprop.jar java/DiabetesFromCsv.java [data/diabetes.csv] [--quick]
 * java -jar target/deltaprop.jar predict --model diabetes.json --data data/diabetes.csv
 * </pre>
 */
public class DiabetesFromCsv {
    static final int INPUTS = 10;

    public static void main(String[] args) throws Exception {
        List<String> options = new ArrayList<>(Arrays.asList(args));
        boolean quick = options.remove("--quick");
        Path csv = Path.of(options.isEmpty() ? "data/diabetes.csv" : options.get(0));

        DataTable table = CsvReader.read(csv, INPUTS, 1);    // header line skipped, every number checked
        HeldOut split = HeldOut.split(table.x(), table.d(), table.samples(), 0.2, 2024);
        System.out.printf("%s: %d patients, training on %d, holding out %d%n", csv, table.samples(),
                split.trainSamples(), split.validationSamples());

        float[] x = split.trainX();
        float[] d = split.trainD();
        double[][] xScale = standardise(x, split.trainSamples(), INPUTS);
        double[][] dScale = standardise(d, split.trainSamples(), 1);
        float[] heldX = split.validationX();
        apply(heldX, INPUTS, xScale);                        // the training part's μ and σ, never the held-out's
        float[] heldD = split.validationD();
        apply(heldD, 1, dScale);

        Network network = Network.builder(INPUTS).layer(8, Activation.TANH).layer(1, Activation.IDENTITY).build(11);
        TrainerConfig config = TrainerConfig.builder().epochs(quick ? 40 : 100).batch(16).learningRate(0.01f)
                .seed(5).build();
        Network trained;
        try (Backend backend = Backends.open("cpu")) {
            ValidationLoss heldOut = new ValidationLoss(backend, heldX, heldD, split.validationSamples());
            TrainingResult result = new Trainer(config).addListener(heldOut)
                    .train(backend, network, x, d, split.trainSamples());
            List<Double> losses = heldOut.losses();
            int best = losses.indexOf(losses.stream().min(Double::compare).orElseThrow()) + 1;
            System.out.printf("loss (standardised units): training %.4f, held out %.4f (lowest %.4f at epoch %d)%n",
                    result.finalLoss(), heldOut.last(), losses.get(best - 1), best);
            trained = fold(result.network(), xScale, dScale);
        }

        // the held-out fit in progression points, with the folded model on the raw measurements
        try (Backend backend = Backends.open("cpu")) {
            backend.load(trained);
            float[] y = backend.predict(split.validationX(), split.validationSamples());
            float[] truth = split.validationD();
            double meanGuess = dScale[0][0];
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

    /** Standardises each of {@code width} columns in place; returns {μ, σ} per column. */
    static double[][] standardise(float[] values, int rows, int width) {
        double[][] scale = new double[2][width];
        for (int c = 0; c < width; c++) {
            double sum = 0;
            double squares = 0;
            for (int r = 0; r < rows; r++) {
                sum += values[r * width + c];
            }
            double mean = sum / rows;
            for (int r = 0; r < rows; r++) {
                double deviation = values[r * width + c] - mean;
                squares += deviation * deviation;
            }
            scale[0][c] = mean;
            scale[1][c] = Math.max(Math.sqrt(squares / rows), 1e-12);   // a constant column stays finite
        }
        apply(values, width, scale);
        return scale;
    }

    static void apply(float[] values, int width, double[][] scale) {
        for (int k = 0; k < values.length; k++) {
            int c = k % width;
            values[k] = (float) ((values[k] - scale[0][c]) / scale[1][c]);
        }
    }

    /** The same function as {@code network} on standardised values, as a network on raw values. */
    static Network fold(Network network, double[][] xScale, double[][] dScale) {
        List<Layer> layers = new ArrayList<>(network.layers());
        Layer first = layers.get(0);
        int n1 = first.outputs();
        float[] w = new float[INPUTS * n1];
        float[] b = first.bias();
        for (int j = 0; j < n1; j++) {
            double bias = b[j];
            for (int i = 0; i < INPUTS; i++) {
                w[i * n1 + j] = (float) (first.weight(i, j) / xScale[1][i]);
                bias -= first.weight(i, j) * xScale[0][i] / xScale[1][i];
            }
            b[j] = (float) bias;
        }
        layers.set(0, new Layer(INPUTS, n1, first.activation(), w, b));

        int lastIndex = layers.size() - 1;
        Layer last = layers.get(lastIndex);
        float[] wl = last.weights();
        float[] bl = last.bias();
        for (int k = 0; k < wl.length; k++) {
            wl[k] = (float) (wl[k] * dScale[1][0]);
        }
        bl[0] = (float) (bl[0] * dScale[1][0] + dScale[0][0]);
        layers.set(lastIndex, new Layer(last.inputs(), last.outputs(), last.activation(), wl, bl));
        return network.withLayers(layers);
    }
}

package dev.deltaprop.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The side by side of docs/perf.md (a measurement program, not a test): the same data, the same
 * hidden layer, trained in one local Spark session by deltaprop-on-Spark (both sync modes) and by
 * MLlib's {@code MultilayerPerceptronClassifier} (full-batch L-BFGS), with the held-out accuracy
 * and the wall time of each {@code fit}.
 *
 * <pre>
 * bash spark/run.sh dev.deltaprop.spark.SideBySide [--master local[2]] [--data digits|synthetic]
 *      [--rows N] [--epochs E] [--hidden H] [--mlp-iterations I] [--only deltaprop|mlp]
 *      [--syncs gradients,average]
 * </pre>
 *
 * <p>{@code digits}: the shipped 1,797 digits, a seeded 80/20 split. {@code synthetic}: {@code N}
 * rows (default 200,000) of 32 standard-normal features labelled by a fixed random teacher
 * network 32-64-10 (tanh; the class is its largest output), 80/20. Both parts are written to
 * Parquet files and read back; each method trains on 2 partitions of the training rows, cached and
 * counted before the clock starts.
 */
public final class SideBySide {
    private static final long SEED = 5;

    private SideBySide() {
    }

    public static void main(String[] args) throws IOException {
        String master = "local[2]";
        String data = "digits";
        int rows = 200_000;
        int epochs = 0;
        int hidden = 32;
        int mlpIterations = 0;
        String only = "";
        String syncs = "gradients,average";
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--master": master = value; break;
                case "--data": data = value; break;
                case "--rows": rows = Integer.parseInt(value); break;
                case "--epochs": epochs = Integer.parseInt(value); break;
                case "--hidden": hidden = Integer.parseInt(value); break;
                case "--mlp-iterations": mlpIterations = Integer.parseInt(value); break;
                case "--only": only = value; break;
                case "--syncs": syncs = value; break;
                default: throw new IllegalArgumentException(args[i] + ": unknown option");
            }
        }
        boolean digits = data.equals("digits");
        if (epochs == 0) {
            epochs = digits ? 30 : 5;
        }
        if (mlpIterations == 0) {
            mlpIterations = digits ? 200 : 100;
        }
        SparkSession spark = SparkSession.builder().master(master).appName("deltaprop-side-by-side")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        try {
            List<Row> all = digits ? digits() : synthetic(rows);
            Collections.shuffle(all, new Random(SEED));
            int cut = all.size() * 4 / 5;
            // through Parquet files, as data reaches Spark in use: a data frame made from a local list
            // carries its rows inside every task (ParallelCollectionPartition), which would put the
            // whole partition into each round's task
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Path folder = Files.createTempDirectory("side-by-side");
            spark.createDataFrame(context.parallelize(all.subList(0, cut), 2), SCHEMA).write()
                    .parquet(folder.resolve("train").toString());
            spark.createDataFrame(context.parallelize(all.subList(cut, all.size()), 2), SCHEMA).write()
                    .parquet(folder.resolve("test").toString());
            Dataset<Row> train = spark.read().parquet(folder.resolve("train").toString()).repartition(2).cache();
            Dataset<Row> test = spark.read().parquet(folder.resolve("test").toString()).cache();
            System.out.printf(Locale.ROOT, "%s: %d training rows, %d held out, %d features, %d classes; %s, %d cores%n",
                    data, train.count(), test.count(), inputs(all), classes(all), master,
                    Runtime.getRuntime().availableProcessors());
            int inputs = inputs(all);
            int classes = classes(all);
            System.out.println("| method | settings | held-out accuracy | fit wall time |");
            System.out.println("| --- | --- | --- | --- |");
            if (!only.equals("mlp")) {
                for (String sync : syncs.split(",")) {
                    DeltapropClassifier deltaprop = new DeltapropClassifier().setLayers(hidden).setOptimizer("adam")
                            .setLearningRate(0.01).setBatchSize(digits ? 32 : 256).setEpochs(epochs).setSeed(SEED)
                            .setSync(sync).setAverageEvery(8).setBackend("cpu");
                    report("deltaprop " + sync, String.format(Locale.ROOT, "%d-%d-%d tanh/softmax, adam η 0.01, B %d, %d"
                            + " epochs%s", inputs, hidden, classes, deltaprop.getOrDefault(deltaprop.batchSize()), epochs,
                            sync.equals("average") ? ", k 8" : ""), deltaprop, train, test);
                }
            }
            if (!only.equals("deltaprop")) {
                MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier()
                        .setLayers(new int[] {inputs, hidden, classes}).setMaxIter(mlpIterations).setSeed(SEED)
                        .setBlockSize(128).setTol(1e-6);
                report("MLlib MultilayerPerceptronClassifier", String.format(Locale.ROOT, "%d-%d-%d sigmoid/softmax,"
                        + " l-bfgs, at most %d iterations, tol 1e-6", inputs, hidden, classes, mlpIterations), mlp, train, test);
            }
        } finally {
            spark.stop();
        }
    }

    private static <M extends Model<M>> void report(String method, String settings, Predictor<?, ?, ?> estimator,
                                                    Dataset<Row> train, Dataset<Row> test) {
        long start = System.nanoTime();
        Model<?> model = (Model<?>) estimator.fit(train);
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f%% | %.1f s |%n", method, settings, 100 * accuracy, seconds);
    }

    static final StructType SCHEMA = new StructType(new StructField[] {
            new StructField("features", SQLDataTypes.VectorType(), false, Metadata.empty()),
            new StructField("label", DataTypes.DoubleType, false, Metadata.empty())});

    private static int inputs(List<Row> rows) {
        return ((org.apache.spark.ml.linalg.Vector) rows.get(0).get(0)).size();
    }

    private static int classes(List<Row> rows) {
        return (int) rows.stream().mapToDouble(r -> r.getDouble(1)).max().orElseThrow() + 1;
    }

    private static List<Row> digits() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("deltaprop.data", "data"), "digits.csv"));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            double[] x = new double[cells.length - 1];
            for (int k = 0; k < x.length; k++) {
                x[k] = Double.parseDouble(cells[k]);
            }
            rows.add(RowFactory.create(Vectors.dense(x), Double.parseDouble(cells[cells.length - 1])));
        }
        return rows;
    }

    /** {@code n} rows of 32 N(0,1) features, the class the argmax of a fixed random 32-64-10 tanh teacher. */
    private static List<Row> synthetic(int n) {
        int inputs = 32;
        int width = 64;
        int classes = 10;
        Random random = new Random(SEED);
        double[][] w1 = new double[inputs][width];
        double[][] w2 = new double[width][classes];
        for (double[] row : w1) {
            for (int j = 0; j < width; j++) {
                row[j] = random.nextGaussian() / Math.sqrt(inputs) * 2;
            }
        }
        for (double[] row : w2) {
            for (int j = 0; j < classes; j++) {
                row[j] = random.nextGaussian() / Math.sqrt(width);
            }
        }
        List<Row> rows = new ArrayList<>(n);
        double[] h = new double[width];
        for (int s = 0; s < n; s++) {
            double[] x = new double[inputs];
            for (int i = 0; i < inputs; i++) {
                x[i] = random.nextGaussian();
            }
            for (int j = 0; j < width; j++) {
                double u = 0;
                for (int i = 0; i < inputs; i++) {
                    u += x[i] * w1[i][j];
                }
                h[j] = Math.tanh(u);
            }
            int best = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double u = 0;
                for (int j = 0; j < width; j++) {
                    u += h[j] * w2[j][c];
                }
                if (u > top) {
                    top = u;
                    best = c;
                }
            }
            rows.add(RowFactory.create(Vectors.dense(x), (double) best));
        }
        return rows;
    }
}

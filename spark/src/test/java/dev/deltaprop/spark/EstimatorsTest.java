package dev.deltaprop.spark;

import dev.deltaprop.io.ModelReader;
import dev.deltaprop.model.Network;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimators as a Spark user meets them in {@code local[2]}: in a {@code Pipeline}, saved and
 * loaded with the pipeline and on their own, predicting what they predicted before, and refusing
 * bad params before any task starts.
 */
class EstimatorsTest {
    private static final long SEED = 11;

    @TempDir
    Path folder;

    /** The digits, shuffled with {@link #SEED}: the first 80% to train on, the rest held out. */
    private static List<List<Row>> split() {
        List<Row> rows = new ArrayList<>(TestSpark.digits());
        Collections.shuffle(rows, new Random(SEED));
        int cut = rows.size() * 4 / 5;
        return List.of(rows.subList(0, cut), rows.subList(cut, rows.size()));
    }

    @Test
    void classifierInAPipelineTrainsSavesLoadsAndPredicts() throws IOException {
        List<List<Row>> split = split();
        Dataset<Row> train = TestSpark.frame(split.get(0), 2);
        Dataset<Row> test = TestSpark.frame(split.get(1), 2);
        DeltapropClassifier classifier = new DeltapropClassifier().setFeaturesCol("scaled").setLayers(32)
                .setOptimizer("adam").setLearningRate(0.01).setBatchSize(64).setEpochs(12).setSeed(SEED).setBackend("cpu")
                .setSync("average").setAverageEvery(4);
        StandardScaler scaler = new StandardScaler().setInputCol("features").setOutputCol("scaled");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {scaler, classifier});
        PipelineModel fitted = pipeline.fit(train);

        Dataset<Row> predicted = fitted.transform(test);
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predicted);
        System.out.printf("seed %d: held-out accuracy %.4f on %d digits%n", SEED, accuracy, split.get(1).size());
        assertTrue(accuracy > 0.9, "held-out accuracy " + accuracy + " (seed " + SEED + ")");
        DeltapropClassificationModel model = (DeltapropClassificationModel) fitted.stages()[1];
        assertEquals(10, model.numClasses());
        assertEquals(64, model.numFeatures());
        double[] losses = model.trainingLosses();
        assertEquals(12, losses.length);
        assertTrue(losses[11] < losses[0] / 3, "loss fell from " + losses[0] + " to " + losses[11]);
        Row first = predicted.select("probability", "prediction").head();
        double[] probability = ((Vector) first.get(0)).toArray();
        double sum = 0;
        for (double p : probability) {
            sum += p;
        }
        assertEquals(1, sum, 1e-5, "probabilities sum to 1");

        // the fitted pipeline, saved and loaded, predicts the same
        String saved = folder.resolve("pipeline").toString();
        fitted.write().save(saved);
        PipelineModel loaded = PipelineModel.load(saved);
        List<Row> before = predicted.select("prediction", "probability").collectAsList();
        List<Row> after = loaded.transform(test).select("prediction", "probability").collectAsList();
        assertEquals(before, after);

        // the model folder holds the network in deltaprop's own format, as the command line reads it
        Path stage = Files.list(folder.resolve("pipeline/stages")).filter(p -> p.getFileName().toString().startsWith("1_"))
                .findFirst().orElseThrow();
        try (Reader in = Files.newBufferedReader(stage.resolve(ModelStore.MODEL_FILE))) {
            assertEquals(model.network(), ModelReader.read(in));
        }

        // the unfitted pipeline (the estimator's params) too
        String plan = folder.resolve("plan").toString();
        pipeline.write().save(plan);
        DeltapropClassifier reloaded = (DeltapropClassifier) Pipeline.load(plan).getStages()[1];
        assertArrayEquals(new int[] {32}, reloaded.getLayers());
        assertEquals(classifier.uid(), reloaded.uid());
        for (org.apache.spark.ml.param.Param<?> param : classifier.params()) {
            assertEquals(classifier.isDefined(param), reloaded.isDefined(reloaded.getParam(param.name())), param.name());
            if (!classifier.isDefined(param)) {
                continue;
            }
            Object ours = classifier.getOrDefault(param);
            Object theirs = reloaded.getOrDefault(reloaded.getParam(param.name()));
            assertTrue(java.util.Objects.deepEquals(ours, theirs), param.name() + ": " + ours + " vs " + theirs);
        }
    }

    @Test
    void regressorFitsAndRoundTrips() throws IOException {
        // y = sin(x1) + x2/2 on [-2, 2]²: a regression the tanh net must fit far better than the mean
        Random random = new Random(SEED);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            double a = 4 * random.nextDouble() - 2;
            double b = 4 * random.nextDouble() - 2;
            rows.add(RowFactory.create(Vectors.dense(a, b), Math.sin(a) + b / 2));
        }
        Dataset<Row> frame = TestSpark.frame(rows, 2);
        DeltapropRegressor regressor = new DeltapropRegressor().setLayers(16).setOptimizer("adam").setLearningRate(0.02)
                .setBatchSize(20).setEpochs(40).setSeed(SEED).setSync("average").setAverageEvery(4).setBackend("cpu");
        DeltapropRegressionModel model = regressor.fit(frame);
        double[] losses = model.trainingLosses();
        double variance = 0;
        double mean = rows.stream().mapToDouble(r -> r.getDouble(1)).average().orElseThrow();
        for (Row r : rows) {
            variance += (r.getDouble(1) - mean) * (r.getDouble(1) - mean) / rows.size();
        }
        System.out.printf("seed %d: regression loss %.5f after 40 epochs, ½·variance %.5f%n", SEED,
                losses[losses.length - 1], variance / 2);
        assertTrue(losses[losses.length - 1] < 0.02 * variance / 2, "loss " + losses[losses.length - 1]);

        String saved = folder.resolve("regression").toString();
        model.write().save(saved);
        DeltapropRegressionModel loaded = DeltapropRegressionModel.load(saved);
        assertEquals(model.uid(), loaded.uid());
        assertEquals(model.network(), loaded.network());
        List<Row> before = model.transform(frame).select("prediction").collectAsList();
        List<Row> after = loaded.transform(frame).select("prediction").collectAsList();
        assertEquals(before, after);
        Network network = loaded.network();
        assertEquals("2-16-1", network.shape());
    }

    @Test
    void badParamsAreRefusedBeforeAnyTaskNamingTheParam() {
        Dataset<Row> frame = TestSpark.frame(split().get(1), 2);
        long jobs = TestSpark.session().sparkContext().statusTracker().getJobIdsForGroup(null).length;
        String[][] cases = {
            {"sync", "sync: expected gradients or average, found 'sometimes'"},
            {"layers", "layers[1]: expected a width of at least 1, found 0"},
            {"optimizer", "optimizer: unknown optimizer 'adagrad'"},
            {"batchSize", "batchSize: expected at least 1 sample, found 0"},
        };
        for (String[] c : cases) {
            DeltapropClassifier classifier = new DeltapropClassifier().setEpochs(1);
            switch (c[0]) {
                case "sync": classifier.setSync("sometimes"); break;
                case "layers": classifier.setLayers(8, 0); break;
                case "optimizer": classifier.setOptimizer("adagrad"); break;
                default: classifier.setBatchSize(0); break;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> classifier.fit(frame));
            assertTrue(e.getMessage().startsWith(c[1]), c[0] + ": " + e.getMessage());
        }
        assertEquals(jobs, TestSpark.session().sparkContext().statusTracker().getJobIdsForGroup(null).length,
                "no Spark job ran");
    }
}

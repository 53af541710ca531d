package dev.deltaprop.spark;

import dev.deltaprop.io.ModelReader;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stages saved by an earlier build still load, with their uids and params, and their models predict
 * what they predicted when they were saved. {@code saved-883ab72/} (test resources) was written by
 * the code of commit 883ab72, before the estimators and models were folded onto shared code: a
 * {@code DeltapropClassifier} and a {@code DeltapropRegressor} with every param set away from its
 * default, the models they fitted on 36 rows of 3 features, and {@code predictions.csv}, what those
 * models predicted for 5 probes then. Never write these files again with newer code: they are the
 * format a user's saved models have.
 */
class SavedModelsTest {
    private static final String FOLDER = "saved-883ab72";

    private static String saved(String name) {
        try {
            return Path.of(SavedModelsTest.class.getResource("/" + FOLDER + "/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rows of {@code predictions.csv} for {@code model}: x1, x2, x3, prediction, y1, y2, y3 (empty: NaN). */
    private static List<double[]> predictions(String model) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(saved("predictions.csv")))) {
            String[] cells = line.split(",", -1);
            if (!cells[0].equals(model)) {
                continue;
            }
            double[] row = new double[cells.length - 1];
            for (int k = 0; k < row.length; k++) {
                row[k] = cells[k + 1].isEmpty() ? Double.NaN : Double.parseDouble(cells[k + 1]);
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<Row> probes(List<double[]> predictions) {
        List<Row> rows = new ArrayList<>();
        for (double[] p : predictions) {
            rows.add(RowFactory.create(Vectors.dense(p[0], p[1], p[2]), 0.0));
        }
        return rows;
    }

    /** The network in the model's folder, read by the core library. */
    private static dev.deltaprop.model.Network networkFile(String name) throws IOException {
        try (Reader in = Files.newBufferedReader(Path.of(saved(name), ModelStore.MODEL_FILE))) {
            return ModelReader.read(in);
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
                what + ": expected " + expected + ", found " + actual);
    }

    @Test
    void savedClassifierLoadsWithItsParams() {
        TestSpark.session();
        DeltapropClassifier classifier = DeltapropClassifier.load(saved("classifier"));
        assertEquals("deltapropClassifier_f54c7816a4aa", classifier.uid());
        assertArrayEquals(new int[] {5}, classifier.getLayers());
        assertEquals("sigmoid", classifier.getOrDefault(classifier.activation()));
        assertEquals("momentum", classifier.getOrDefault(classifier.optimizer()));
        assertEquals(0.5, classifier.getOrDefault(classifier.learningRate()));
        assertEquals(6, classifier.getOrDefault(classifier.batchSize()));
        assertEquals(30, classifier.getOrDefault(classifier.epochs()));
        assertEquals(7L, classifier.getOrDefault(classifier.seed()));
        assertEquals("step:1:0.5", classifier.getOrDefault(classifier.schedule()));
        assertEquals("cpu", classifier.getOrDefault(classifier.backend()));
        assertEquals("gradients", classifier.getOrDefault(classifier.sync()));
        assertEquals(3, classifier.getOrDefault(classifier.averageEvery()));
        assertEquals("", classifier.getOrDefault(classifier.checkpointDir()));
        assertEquals(2, classifier.getOrDefault(classifier.checkpointEvery()));
        assertEquals(2, classifier.getNumTasks());
        assertEquals("predicted", classifier.getPredictionCol());
        assertEquals("p", classifier.getProbabilityCol());
        assertEquals("features", classifier.getFeaturesCol());
        assertParamsAsDeclared(classifier, new DeltapropClassifier());
    }

    @Test
    void savedRegressorLoadsWithItsParams() {
        TestSpark.session();
        DeltapropRegressor regressor = DeltapropRegressor.load(saved("regressor"));
        assertEquals("deltapropRegressor_932f37dfbb06", regressor.uid());
        assertArrayEquals(new int[] {4, 3}, regressor.getLayers());
        assertEquals("relu", regressor.getOrDefault(regressor.activation()));
        assertEquals("tanh", regressor.getOrDefault(regressor.outputActivation()));
        assertEquals("adamw", regressor.getOrDefault(regressor.optimizer()));
        assertEquals(0.05, regressor.getOrDefault(regressor.learningRate()));
        assertEquals(9, regressor.getOrDefault(regressor.batchSize()));
        assertEquals(20, regressor.getOrDefault(regressor.epochs()));
        assertEquals(13L, regressor.getOrDefault(regressor.seed()));
        assertEquals("cosine", regressor.getOrDefault(regressor.schedule()));
        assertEquals("average", regressor.getOrDefault(regressor.sync()));
        assertEquals(2, regressor.getOrDefault(regressor.averageEvery()));
        assertEquals(1, regressor.getOrDefault(regressor.checkpointEvery()));
        assertEquals(2, regressor.getNumTasks());
        assertEquals("estimate", regressor.getPredictionCol());
        assertParamsAsDeclared(regressor, new DeltapropRegressor());
    }

    /** The loaded stage has the params a fresh one declares, no more, no fewer, with the same defaults. */
    private static void assertParamsAsDeclared(org.apache.spark.ml.param.Params loaded,
            org.apache.spark.ml.param.Params fresh) {
        List<String> names = new ArrayList<>();
        for (Param<?> param : fresh.params()) {
            names.add(param.name());
            Param<Object> ours = loaded.getParam(param.name());
            assertEquals(fresh.hasDefault(param), loaded.hasDefault(ours), param.name());
            if (fresh.hasDefault(param)) {
                assertTrue(java.util.Objects.deepEquals(fresh.getDefault(param).get(), loaded.getDefault(ours).get()),
                        param.name() + " default");
            }
        }
        List<String> theirs = new ArrayList<>();
        for (Param<?> param : loaded.params()) {
            theirs.add(param.name());
        }
        assertEquals(names, theirs);
    }

    @Test
    void savedClassificationModelLoadsAndPredictsAsBefore() throws IOException {
        TestSpark.session();
        DeltapropClassificationModel model = DeltapropClassificationModel.load(saved("classification-model"));
        assertEquals("deltapropClassifier_f54c7816a4aa", model.uid());
        assertEquals(3, model.numClasses());
        assertEquals(3, model.numFeatures());
        assertEquals("predicted", model.getPredictionCol());
        assertEquals("p", model.getProbabilityCol());
        assertEquals(0, model.trainingLosses().length);
        assertEquals(networkFile("classification-model"), model.network());
        List<double[]> expected = predictions("classification");
        List<Row> found = model.transform(TestSpark.frame(probes(expected), 1)).select("predicted", "p").collectAsList();
        assertEquals(expected.size(), found.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[3], found.get(i).getDouble(0), "probe " + i + " class");
            double[] probability = ((Vector) found.get(i).get(1)).toArray();
            for (int k = 0; k < 3; k++) {
                assertClose(expected.get(i)[4 + k], probability[k], "probe " + i + " y" + (k + 1));
            }
        }
    }

    @Test
    void savedRegressionModelLoadsAndPredictsAsBefore() throws IOException {
        TestSpark.session();
        DeltapropRegressionModel model = DeltapropRegressionModel.load(saved("regression-model"));
        assertEquals("deltapropRegressor_932f37dfbb06", model.uid());
        assertEquals(3, model.numFeatures());
        assertEquals("estimate", model.getPredictionCol());
        assertEquals(0, model.trainingLosses().length);
        assertEquals(networkFile("regression-model"), model.network());
        assertEquals("3-4-3-1", model.network().shape());
        List<double[]> expected = predictions("regression");
        List<Row> found = model.transform(TestSpark.frame(probes(expected), 1)).select("estimate").collectAsList();
        assertEquals(expected.size(), found.size());
        for (int i = 0; i < expected.size(); i++) {
            assertClose(expected.get(i)[3], found.get(i).getDouble(0), "probe " + i);
        }
    }
}

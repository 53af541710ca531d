package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import org.junit.jupiter.api.Test;

/** Classification and regression metrics against values worked out by hand in the comments. */
class EvaluationTest {

    // actual 0 0 1 1 2 2, predicted 0 1 1 1 0 1:
    //   C = [[1 1 0], [0 2 0], [1 1 0]]; accuracy 3/6;
    //   precision 1/2, 2/4, — (class 2 never predicted); recall 1/2, 2/2, 0/2
    private static final int[] ACTUAL = {0, 0, 1, 1, 2, 2};
    private static final int[] PREDICTED = {0, 1, 1, 1, 0, 1};

    @Test
    void confusionAccuracyPrecisionAndRecallByHand() {
        Classification c = Classification.of(ACTUAL, PREDICTED, 3);
        assertArrayEquals(new long[] {1, 1, 0}, c.confusion()[0]);
        assertArrayEquals(new long[] {0, 2, 0}, c.confusion()[1]);
        assertArrayEquals(new long[] {1, 1, 0}, c.confusion()[2]);
        assertEquals(6, c.samples());
        assertEquals(3, c.correct());
        assertEquals(0.5, c.accuracy());
        assertEquals(0.5, c.precision(0));
        assertEquals(0.5, c.precision(1));
        assertEquals(0.5, c.recall(0));
        assertEquals(1.0, c.recall(1));
        assertEquals(0.0, c.recall(2));
        assertEquals(2, c.support(2));
    }

    @Test
    void aClassNeverPredictedHasNoPrecisionAndOneNeverSeenNoRecall() {
        Classification c = Classification.of(ACTUAL, PREDICTED, 4);
        assertTrue(Double.isNaN(c.precision(2)), "class 2 is never predicted");
        assertTrue(Double.isNaN(c.precision(3)), "class 3 is never predicted");
        assertTrue(Double.isNaN(c.recall(3)), "class 3 never occurs");
        assertEquals(0.0, c.recall(2), "class 2 occurs twice and is never found");
        String table = c.perClassTable();
        assertTrue(table.contains("    2        n/a  0.0000        2"), table);
        assertTrue(table.contains("    3        n/a     n/a        0"), table);
    }

    @Test
    void confusionTablePrintsRowsAsActualClasses() {
        assertEquals("actual\\predicted 0 1 2\n"
                + "               0 1 1 0\n"
                + "               1 0 2 0\n"
                + "               2 1 1 0", Classification.of(ACTUAL, PREDICTED, 3).confusionTable());
    }

    @Test
    void argmaxTakesTheFirstOfEqualValuesAndOneOutputIsThresholdedAtOneHalf() {
        assertArrayEquals(new int[] {2, 0, 1}, Evaluation.classes(new float[] {0.1f, 0.2f, 0.7f, 0.4f, 0.4f, 0.2f,
            0f, 3f, -1f}, 3));
        assertArrayEquals(new int[] {0, 1, 1, 0}, Evaluation.classes(new float[] {0.2f, 0.5f, 0.7f, 0.49f}, 1));
    }

    @Test
    void aSingleSigmoidOutputIsATwoClassProblem() {
        // predicted 0 1 1 0 against 0 1 1 1: accuracy 3/4; class 1: precision 2/2, recall 2/3; class 0: 1/2, 1/1
        Classification c = Evaluation.classify(new float[] {0.2f, 0.5f, 0.7f, 0.49f}, new float[] {0, 1, 1, 1}, 1);
        assertEquals(2, c.classes());
        assertEquals(0.75, c.accuracy());
        assertEquals(1.0, c.precision(1));
        assertEquals(2.0 / 3, c.recall(1));
        assertEquals(0.5, c.precision(0));
        assertEquals(1.0, c.recall(0));
    }

    @Test
    void softmaxRowsAgainstOneHotTeachers() {
        Network net = Network.builder(2).layer(3, Activation.SOFTMAX).build(1);
        float[] y = {0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f, 0.3f, 0.4f, 0.3f};
        float[] d = {1, 0, 0, 0, 1, 0, 0, 1, 0};
        Evaluation e = Evaluation.of(net, y, d);
        assertEquals(Evaluation.Kind.CLASSES, e.kind());
        Classification c = e.classifications().get(0);
        assertEquals(3, c.classes());
        assertEquals(2.0 / 3, c.accuracy());
        assertEquals(1, c.count(1, 2));
        assertTrue(e.toString().startsWith("accuracy 0.6667 (2 of 3)\n"), e.toString());
    }

    @Test
    void severalSigmoidOutputsAreJudgedOneByOne() {
        Network net = Network.builder(2).layer(2, Activation.SIGMOID).loss(Loss.CROSS_ENTROPY).build(1);
        // output 0: predicted 1 0, actual 1 1; output 1: predicted 0 1, actual 0 1
        float[] y = {0.9f, 0.1f, 0.3f, 0.6f};
        float[] d = {1, 0, 1, 1};
        Evaluation e = Evaluation.of(net, y, d);
        assertEquals(Evaluation.Kind.BINARY_PER_OUTPUT, e.kind());
        assertEquals(0.5, e.classifications().get(0).accuracy());
        assertEquals(1.0, e.classifications().get(1).accuracy());
        assertTrue(e.toString().contains("output 1 (class 1 when y ≥ 0.5)\naccuracy 1.0000 (2 of 2)"), e.toString());
    }

    @Test
    void regressionPerOutputAndOverallByHand() {
        // output 0: y 1 3 5, d 1 2 3 → errors 0 1 2: MAE 1, RMSE √(5/3), d̄ 2, SS_tot 2, R² 1 − 5/2 = −1.5
        // output 1: y 2 4 9, d 2 4 6 → errors 0 0 3: MAE 1, RMSE √3, d̄ 4, SS_tot 8, R² 1 − 9/8 = −0.125
        float[] y = {1, 2, 3, 4, 5, 9};
        float[] d = {1, 2, 2, 4, 3, 6};
        Regression r = Regression.of(y, d, 2);
        assertEquals(1.0, r.meanAbsoluteError(0), 1e-15);
        assertEquals(Math.sqrt(5.0 / 3), r.rootMeanSquaredError(0), 1e-15);
        assertEquals(-1.5, r.r2(0), 1e-15);
        assertEquals(1.0, r.meanAbsoluteError(1), 1e-15);
        assertEquals(Math.sqrt(3), r.rootMeanSquaredError(1), 1e-15);
        assertEquals(-0.125, r.r2(1), 1e-15);
        assertEquals(1.0, r.meanAbsoluteError(), 1e-15);
        assertEquals(Math.sqrt(14.0 / 6), r.rootMeanSquaredError(), 1e-15);
        assertEquals(-0.8125, r.r2(), 1e-15);
        Network net = Network.builder(1).layer(2, Activation.IDENTITY).build(1);
        Evaluation e = Evaluation.of(net, y, d);
        assertEquals(Evaluation.Kind.REGRESSION, e.kind());
        assertTrue(e.toString().contains("output 1: MAE 1.00000  RMSE 1.73205  R² -0.125000"), e.toString());
    }

    @Test
    void aPerfectFitHasRSquaredOneAndConstantTeachersHaveNone() {
        Regression perfect = Regression.of(new float[] {1, 2, 3}, new float[] {1, 2, 3}, 1);
        assertEquals(1.0, perfect.r2());
        assertEquals(0.0, perfect.rootMeanSquaredError());
        Regression constant = Regression.of(new float[] {1, 2, 3}, new float[] {2, 2, 2}, 1);
        assertTrue(Double.isNaN(constant.r2()), "Σ (d − d̄)² = 0");
        assertEquals(2.0 / 3, constant.meanAbsoluteError(), 1e-15);
        assertTrue(constant.toString().endsWith("R² n/a"), constant.toString());
    }

    @Test
    void badInputIsRefusedNamingTheArray() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Evaluation.classify(new float[] {0.1f, Float.NaN, 0.3f, 0.4f}, new float[] {1, 0, 0, 1}, 2));
        assertEquals("y[1] (sample 0, output 1): expected a finite number, found NaN", nan.getMessage());
        IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
                () -> Regression.of(new float[] {1, 2}, new float[] {1}, 1));
        assertEquals("d: expected 2 values (2 samples × 1 outputs, as y), found 1", lengths.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> Classification.of(new int[] {0, 3}, new int[] {0, 1}, 3));
        assertEquals("actual[1]: expected a class in 0..2, found 3", range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Classification.of(new int[0], new int[0], 2));
        assertThrows(IllegalArgumentException.class,
                () -> Evaluation.of(Evaluation.Kind.BINARY_PER_OUTPUT, new float[] {1}, new float[] {1}, 1));
    }
}

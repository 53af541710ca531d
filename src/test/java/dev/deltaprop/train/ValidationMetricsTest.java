package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The held-out (or training) loss of a classifier is its cross entropy, and its accuracy is measured beside it. */
class ValidationMetricsTest {
    /** u = x (identity weights, no bias) under softmax: the class is the larger input. */
    private static final Network SOFTMAX = new Network(List.of(new Layer(2, 2, Activation.SOFTMAX,
            new float[] {1, 0, 0, 1}, new float[] {0, 0})));

    @Test
    void crossEntropyAndAccuracyOfASoftmaxClassifier() {
        float[] x = {2, 0, 0, 1, 3, 1, 0, 0.5f};
        float[] d = {1, 0, 0, 1, 0, 1, 1, 0}; // right, right, wrong, wrong
        try (ReferenceBackend backend = new ReferenceBackend()) {
            backend.load(SOFTMAX);
            ValidationLoss metrics = new ValidationLoss(backend, x, d, 4);
            double expected = 0;
            for (int s = 0; s < 4; s++) {
                double a = x[2 * s];
                double b = x[2 * s + 1];
                double logSum = Math.log(Math.exp(a) + Math.exp(b));
                expected += d[2 * s] == 1 ? logSum - a : logSum - b; // −log softmax(u)_class
            }
            assertEquals(expected / 4, metrics.measure(), 1e-6);
            assertEquals(0.5, metrics.measureAccuracy(), 0.0);
            metrics.epochEnded(new EpochSummary(1, 1, 0, 4, 1));
            assertEquals(List.of(0.5), metrics.accuracies());

            StringWriter text = new StringWriter();
            ConsoleProgress lines = ConsoleProgress.lines(new PrintWriter(text), metrics).withTrainingAccuracy(metrics);
            lines.epochEnded(new EpochSummary(1, 1, 0.25, 4, 1_000_000_000L));
            assertTrue(text.toString().contains("  accuracy 0.5000  validation "), text.toString());
            assertTrue(text.toString().contains("  validation accuracy 0.5000"), text.toString());
        }
    }

    @Test
    void aRegressionHasNoAccuracy() {
        Network identity = new Network(List.of(new Layer(1, 1, Activation.IDENTITY, new float[] {1}, new float[] {0})));
        try (ReferenceBackend backend = new ReferenceBackend()) {
            backend.load(identity);
            ValidationLoss metrics = new ValidationLoss(backend, new float[] {1, 2}, new float[] {0, 2}, 2);
            assertEquals(0.25, metrics.measure(), 1e-12); // ½ (1 − 0)² / 2
            assertTrue(Double.isNaN(metrics.measureAccuracy()));
        }
    }
}

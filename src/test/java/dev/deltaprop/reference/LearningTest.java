package dev.deltaprop.reference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingResult;
import org.junit.jupiter.api.Test;

/**
 * A net that cannot fit XOR or a sine curve is wrong whatever its gradients say: both must reach
 * a loss threshold within a bounded number of epochs.
 */
class LearningTest {

    @Test
    void xorWithTanh() {
        float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
        float[] d = {0, 1, 1, 0};
        Network network = Network.builder(2).layer(4, Activation.TANH).layer(1, Activation.IDENTITY).build(3);
        TrainerConfig config = TrainerConfig.builder().epochs(2000).batch(1).learningRate(0.1f).seed(3).build();
        TrainingResult result = new Trainer(config).train(new ReferenceBackend(), network, x, d, 4);
        assertTrue(result.finalLoss() < 1e-3, "XOR loss after 2000 epochs: " + result.finalLoss());

        ReferenceBackend check = new ReferenceBackend();
        check.load(result.network());
        float[] y = check.predict(x, 4);
        for (int s = 0; s < 4; s++) {
            assertTrue(Math.abs(y[s] - d[s]) < 0.1, "XOR sample " + s + ": y = " + y[s] + ", d = " + d[s]);
        }
    }

    @Test
    void sineFit() {
        int samples = 64;
        float[] x = new float[samples];
        float[] d = new float[samples];
        for (int s = 0; s < samples; s++) {
            x[s] = (float) (-Math.PI + 2 * Math.PI * s / (samples - 1));
            d[s] = (float) Math.sin(x[s]);
        }
        Network network = Network.builder(1).layer(16, Activation.TANH).layer(1, Activation.IDENTITY).build(5);
        TrainerConfig config = TrainerConfig.builder().epochs(1500).batch(4).learningRate(0.05f).seed(5).build();
        TrainingResult result = new Trainer(config).train(new ReferenceBackend(), network, x, d, samples);
        double first = result.epochs().get(0).loss();
        assertTrue(result.finalLoss() < 2e-3, "sine loss after 1500 epochs: " + result.finalLoss());
        assertTrue(result.finalLoss() < first / 20, "the loss must fall: " + first + " → " + result.finalLoss());
    }
}

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingResult;
import java.nio.file.Path;

/**
 * Trains a 2-4-1 tanh network on XOR with the library API and saves it.
 *
 * <pre>
 * mvn -q -DskipTests package
 * java -cp target/deltaprop.jar java/TrainXor.java
 * </pre>
 */
public class TrainXor {
    public static void main(String[] args) throws Exception {
        // four samples, batch-major: x is 4 × 2, d is 4 × 1
        float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
        float[] d = {0, 1, 1, 0};
        Network network = Network.builder(2).layer(4, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
        TrainerConfig config = TrainerConfig.builder().epochs(500).batch(1).learningRate(0.1f).seed(1).build();

        Backends.Selection selection = Backends.select("auto");
        selection.report().forEach(line -> System.out.println("backend: " + line));
        try (Backend backend = selection.backend()) {
            TrainingResult result = new Trainer(config)
                    .addListener(new dev.deltaprop.train.TrainingListener() {
                        @Override
                        public void epochEnded(dev.deltaprop.train.EpochSummary summary) {
                            if (summary.epoch() % 100 == 0) {
                                System.out.println(summary);
                            }
                        }
                    })
                    .train(backend, network, x, d, 4);
            float[] y = backend.predict(x, 4);
            for (int s = 0; s < 4; s++) {
                System.out.printf("%s xor %s = %.3f%n", (int) x[2 * s], (int) x[2 * s + 1], y[s]);
            }
            ModelFiles.save(result.network(), Path.of("xor.json"));
            System.out.println("saved xor.json");
        }
    }
}

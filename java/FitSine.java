import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingResult;
import java.util.Arrays;

/**
 * A regression trained from code: a 1-16-1 tanh network learns y = sin(x) on [−π, π].
 *
 * <p>The network is built with {@code Network.builder}, trained by minibatch SGD
 * ({@code w ← w − (η/B) Σ_b ∂E_b/∂w} with {@code E = ½ (y − d)²}) on the pure-Java {@code cpu}
 * backend, and checked on points it never saw.
 *
 * <pre>
 * mvn -q -DskipTests package
 * java -cp target/deltaprop.jar java/FitSine.java [--quick]
 * </pre>
 */
public class FitSine {
    public static void main(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        int samples = 256;
        // batch-major: sample s has input x[s] (n_0 = 1) and teacher d[s] (n_L = 1)
        float[] x = new float[samples];
        float[] d = new float[samples];
        for (int s = 0; s < samples; s++) {
            x[s] = (float) (-Math.PI + 2 * Math.PI * s / (samples - 1));
            d[s] = (float) Math.sin(x[s]);
        }

        Network network = Network.builder(1)
                .layer(16, Activation.TANH)      // hidden: z¹ = tanh(x w¹ + b¹)
                .layer(1, Activation.IDENTITY)   // output: y = z¹ w² + b²
                .build(42);                      // seeded initial weights
        TrainerConfig config = TrainerConfig.builder()
                .epochs(quick ? 100 : 400).batch(4).learningRate(0.02f).seed(7).build();

        try (Backend backend = Backends.open("cpu")) {
            TrainingResult result = new Trainer(config).train(backend, network, x, d, samples);
            System.out.printf("trained %s on %s: loss %.3e after %d epochs (first epoch %.3e)%n", network.shape(),
                    backend.name(), result.finalLoss(), result.epochs().size(), result.epochs().get(0).loss());

            // points between the training points: how well the fit generalises
            int probes = 101;
            float[] probe = new float[probes];
            for (int k = 0; k < probes; k++) {
                probe[k] = (float) (-3.1 + 6.2 * k / (probes - 1));
            }
            float[] y = backend.predict(probe, probes);
            double worst = 0;
            for (int k = 0; k < probes; k++) {
                worst = Math.max(worst, Math.abs(y[k] - Math.sin(probe[k])));
            }
            System.out.printf("sin(1.0) = %.4f, the network says %.4f%n", Math.sin(1.0),
                    backend.predict(new float[] {1f}, 1)[0]);
            System.out.printf("largest error on %d unseen points in [-3.1, 3.1]: %.4f%n", probes, worst);
        }
    }
}

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.cpu.Predictor;
import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained model inside an application: load the model file once, make a {@code Predictor}
 * (one per thread), and call it in the application's own loop. {@code predict(x, y)} computes
 * {@code y = f^L(… f^1(x W^1 + b^1) …)} for one sample on the calling thread and allocates
 * nothing, so it fits a request handler or a control loop.
 *
 * <p>With a model file argument it loads that model (its inputs are drawn at random in
 * [−1, 1]); without one it first trains a small sine model and saves it, as a training job would.
 *
 * <pre>
 * java -cp target/deltaprop.jar java/EmbedModel.java [model.json] [--quick]
 * </pre>
 */
public class EmbedModel {
    public static void main(String[] args) throws Exception {
        List<String> options = new ArrayList<>(Arrays.asList(args));
        boolean quick = options.remove("--quick");
        Path file = options.isEmpty() ? trainOne(quick) : Path.of(options.get(0));

        // --- the application: load once, then predict in its loop ---
        Network network = ModelFiles.load(file);
        Predictor predictor = Predictor.of(network);
        System.out.println("loaded " + file + ": " + network + " on " + predictor.device());
        float[] x = new float[predictor.inputs()];
        float[] y = new float[predictor.outputs()];     // reused: the loop allocates nothing

        int requests = quick ? 20_000 : 200_000;
        long[] nanos = new long[requests];
        java.util.SplittableRandom sensor = new java.util.SplittableRandom(3);
        double checksum = 0;
        for (int r = 0; r < requests; r++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (2 * sensor.nextDouble() - 1);   // a new reading arrives
            }
            long start = System.nanoTime();
            predictor.predict(x, y);
            nanos[r] = System.nanoTime() - start;
            checksum += y[0];                                 // the application uses the answer
        }
        // the first calls include JIT compilation: report the steady state, the second half
        long[] steady = Arrays.copyOfRange(nanos, requests / 2, requests);
        Arrays.sort(steady);
        System.out.printf("%d predictions, steady state: median %.2f µs, 99th percentile %.2f µs per call"
                + " (mean output %.4f)%n", requests, steady[steady.length / 2] / 1e3,
                steady[(int) (steady.length * 0.99)] / 1e3, checksum / requests);

        // the same numbers as the backends give (Predictor is the cpu backend's forward pass)
        try (Backend reference = Backends.open("reference")) {
            reference.load(network);
            float[] probe = {0.5f};
            float[] expected = reference.predict(Arrays.copyOf(probe, network.inputs()), 1);
            float[] got = new float[network.outputs()];
            predictor.predict(Arrays.copyOf(probe, network.inputs()), got);
            System.out.printf("check against the reference backend at x = 0.5: %.6f vs %.6f%n", got[0], expected[0]);
        }
    }

    /** What a training job does: fit y = sin(πx) on [−1, 1] and save the model file. */
    static Path trainOne(boolean quick) throws Exception {
        int samples = 200;
        float[] x = new float[samples];
        float[] d = new float[samples];
        for (int s = 0; s < samples; s++) {
            x[s] = -1 + 2f * s / (samples - 1);
            d[s] = (float) Math.sin(Math.PI * x[s]);
        }
        Network network = Network.builder(1).layer(12, Activation.TANH).layer(1, Activation.IDENTITY).build(5);
        TrainerConfig config = TrainerConfig.builder().epochs(quick ? 200 : 1000).batch(8).learningRate(0.05f).build();
        Path file = Files.createTempFile("sine-", ".json");
        try (Backend backend = Backends.open("cpu")) {
            ModelFiles.save(new Trainer(config).train(backend, network, x, d, samples).network(), file);
        }
        System.out.println("trained and saved " + file);
        return file;
    }
}

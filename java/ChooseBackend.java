import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.ConsoleProgress;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The same regression as {@code FitSine}, on the backend you name (cuda, opencl, cpu, …): when it
 * cannot start here the program says why and falls back to {@code auto}, which reports what it
 * chose and what it skipped. A progress bar shows the run on a terminal (plain lines otherwise),
 * through the same listener API any program can use.
 *
 * <pre>
 * java -cp target/deltaprop.jar java/ChooseBackend.java opencl [--quick]
 * </pre>
 */
public class ChooseBackend {
    public static void main(String[] args) {
        List<String> options = new ArrayList<>(Arrays.asList(args));
        boolean quick = options.remove("--quick");
        String wanted = options.isEmpty() ? "auto" : options.get(0);

        Backends.Selection selection;
        try {
            selection = Backends.select(wanted);
        } catch (BackendUnavailableException e) {
            // never a silent switch: say what was asked for, why it failed, and what runs instead
            System.out.println(wanted + " cannot start here: " + e.getMessage());
            System.out.println("falling back to auto");
            selection = Backends.select("auto");
        }
        selection.report().forEach(line -> System.out.println("backend: " + line));

        int samples = 4096;
        float[] x = new float[samples];
        float[] d = new float[samples];
        for (int s = 0; s < samples; s++) {
            x[s] = (float) (-Math.PI + 2 * Math.PI * s / (samples - 1));
            d[s] = (float) Math.sin(x[s]);
        }
        Network network = Network.builder(1).layer(32, Activation.TANH).layer(1, Activation.IDENTITY).build(42);
        TrainerConfig config = TrainerConfig.builder().epochs(quick ? 20 : 200).batch(64).learningRate(0.05f).build();

        try (Backend backend = selection.backend();
                ConsoleProgress progress = ConsoleProgress.auto(new PrintWriter(System.out, true), null)) {
            System.out.println("device: " + backend.device());
            long start = System.nanoTime();
            TrainingResult result = new Trainer(config).addListener(progress).train(backend, network, x, d, samples);
            double seconds = (System.nanoTime() - start) / 1e9;
            progress.close();
            System.out.printf("%s: %d epochs in %.2f s (%.0f samples/s), final loss %.3e%n", backend.name(),
                    result.epochs().size(), seconds, result.epochs().size() * (double) samples / seconds,
                    result.finalLoss());
        }
    }
}

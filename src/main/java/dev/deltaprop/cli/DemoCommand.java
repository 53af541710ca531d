package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.Trainer;
import dev.deltaprop.train.TrainerConfig;
import dev.deltaprop.train.TrainingListener;
import dev.deltaprop.train.TrainingResult;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deltaprop demo}, on the backend {@code --backend} names ({@code auto}: the best that starts
 * here, and the choice is reported). First it fits {@code y = sin(x)} on {@code [−π, π]} with a
 * 1-24-1 tanh network, printing the loss as it falls, then the fit: a table of points, the largest
 * error over a fine grid, and a plot a person can judge at a glance. Then {@link DiabetesDemo}: a
 * held-out fit on the real data set shipped in {@code data/}, judged in its own units. Last
 * {@link DigitsDemo}: a softmax classifier trained by Adam on the shipped handwritten digits, judged
 * by its held-out accuracy and confusion matrix.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a 1-24-1 tanh network to fit sin(x) on [-pi, pi] and shows how well it fits,",
            "then a 10-8-1 network on the shipped diabetes data, judged on 20% of the patients held out,",
            "then a 64-32-10 softmax classifier trained by Adam on the shipped handwritten digits, judged on 20%"
                    + " of the images held out."})
final class DemoCommand implements Callable<Integer> {
    static final int SAMPLES = 200;
    /** A fit this close everywhere is one a person sees as the same curve in the plot. */
    static final double GOOD_FIT = 0.05;

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "NAME", description = "Backend (default auto).")
    String backend;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4000", description = "Passes over the sine's samples (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the weights and the shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TrainerConfig config = TrainerConfig.builder().epochs(epochs).batch(8).learningRate(0.05f).seed(seed).build();
        Network network = Network.builder(1).layer(24, Activation.TANH).layer(1, Activation.IDENTITY).build(seed);
        float[] x = new float[SAMPLES];
        float[] d = new float[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            x[s] = (float) (-Math.PI + 2 * Math.PI * s / (SAMPLES - 1));
            d[s] = (float) Math.sin(x[s]);
        }
        out.printf(Locale.ROOT, "deltaprop demo: fit y = sin(x) on [-pi, pi] from %d samples%n", SAMPLES);
        out.printf(Locale.ROOT, "network %s; %s%n", network, config);
        Backends.Selection selection = Backends.select(backend);
        for (String line : selection.report()) {
            out.println("backend: " + line);
        }
        out.flush();

        long start = System.nanoTime();
        TrainingResult result;
        try (Backend chosen = selection.backend()) {
            Trainer trainer = new Trainer(config).addListener(new TrainingListener() {
                @Override
                public void epochEnded(EpochSummary summary) {
                    int e = summary.epoch();
                    if (e == 1 || e % Math.max(1, epochs / 16) == 0 || e == epochs) {
                        out.printf(Locale.ROOT, "epoch %4d  loss %.3e%n", e, summary.loss());
                        out.flush();
                    }
                }
            });
            result = trainer.train(chosen, network, x, d, SAMPLES);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "trained in %.1f s (%.0f samples/s)%n", seconds,
                    (double) SAMPLES * epochs / seconds);
            describeFit(out, chosen);
            DiabetesDemo.run(out, chosen, seed);
            DigitsDemo.run(out, chosen, seed);
        }
        out.flush();
        return 0;
    }

    /** The fit in words: a few points, the worst error on a fine grid, and a plot. */
    private static void describeFit(PrintWriter out, Backend trained) {
        int grid = 1001;
        float[] gx = new float[grid];
        for (int k = 0; k < grid; k++) {
            gx[k] = (float) (-Math.PI + 2 * Math.PI * k / (grid - 1));
        }
        float[] gy = trained.predict(gx, grid);
        double worst = 0;
        int worstAt = 0;
        for (int k = 0; k < grid; k++) {
            double error = Math.abs(gy[k] - Math.sin(gx[k]));
            if (error > worst || Double.isNaN(error)) {
                worst = error;
                worstAt = k;
            }
        }
        out.println();
        out.println("       x     sin(x)    network     error");
        for (int k = 0; k < grid; k += 125) {
            out.printf(Locale.ROOT, "  %+6.3f   %+7.4f   %+7.4f   %+7.4f%n", gx[k], Math.sin(gx[k]), gy[k],
                    gy[k] - Math.sin(gx[k]));
        }
        out.println();
        plot(out, gx, gy);
        out.println();
        out.printf(Locale.ROOT, "largest error on %d points of [-pi, pi]: %.4f at x = %+.3f (the curve spans -1 .. 1)%n",
                grid, worst, gx[worstAt]);
        out.println(worst < GOOD_FIT
                ? "verdict: good fit - the network's curve (o) lies on sin(x) (.) everywhere on the plot"
                : "verdict: rough fit - try more epochs (--epochs), the curves (o vs .) visibly differ");
    }

    /** sin(x) as '.', the network as 'o' (the network drawn last, so where they agree only 'o' shows). */
    private static void plot(PrintWriter out, float[] gx, float[] gy) {
        int rows = 17;
        int columns = 61;
        char[][] canvas = new char[rows][columns];
        for (char[] row : canvas) {
            java.util.Arrays.fill(row, ' ');
        }
        for (int c = 0; c < columns; c++) {
            int k = c * (gx.length - 1) / (columns - 1);
            canvas[row(Math.sin(gx[k]), rows)][c] = '.';
        }
        for (int c = 0; c < columns; c++) {
            int k = c * (gx.length - 1) / (columns - 1);
            canvas[row(gy[k], rows)][c] = 'o';
        }
        for (int r = 0; r < rows; r++) {
            String label = r == 0 ? " +1 |" : r == rows / 2 ? "  0 |" : r == rows - 1 ? " -1 |" : "    |";
            out.println(label + new String(canvas[r]).stripTrailing());
        }
        out.println("    +" + "-".repeat(columns));
        out.println("     -pi" + " ".repeat(columns / 2 - 5) + "0" + " ".repeat(columns / 2 - 3) + "pi");
    }

    /** Row of value y in [-1.1, 1.1] clipped to the canvas; row 0 is the top. */
    private static int row(double y, int rows) {
        double top = 1.0;
        double bottom = -1.0;
        double t = (top - (Double.isNaN(y) ? 0 : y)) / (top - bottom);
        return (int) Math.max(0, Math.min(rows - 1, Math.round(t * (rows - 1))));
    }
}

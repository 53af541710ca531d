package dev.deltaprop.train;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a training run to a person. On a terminal: one progress bar over all the steps of the
 * run (epochs × batches) with the epoch, the last batch's loss, the held-out loss when there is
 * one, samples/s and the time left (the ETA), redrawn in place by
 * <a href="https://github.com/ctongfei/progressbar">me.tongfei:progressbar</a>. Anywhere else (a
 * file, a pipe, CI): one plain line per epoch, which a log keeps readably. For a classifier, the
 * training and held-out accuracies are shown too, when a {@link ValidationLoss} measures them.
 *
 * <p>Close it when training ends, also when it fails, so that the bar leaves the terminal on a
 * fresh line: {@code try (ConsoleProgress progress = ConsoleProgress.auto(out, null)) { … }}.
 */
public final class ConsoleProgress implements TrainingListener, AutoCloseable {
    /** How often the bar's message is rebuilt: a person cannot read faster, and formatting every step costs. */
    private static final long MESSAGE_NANOS = 100_000_000L;

    private final PrintWriter lines;
    private final ProgressBarConsumer barOutput;
    private final ValidationLoss validation;
    private ValidationLoss training;
    private ProgressBar bar;
    private long lastMessage;

    private ConsoleProgress(PrintWriter lines, ProgressBarConsumer barOutput, ValidationLoss validation) {
        this.lines = lines;
        this.barOutput = barOutput;
        this.validation = validation;
    }

    /**
     * A bar on standard error when this program runs on a terminal ({@code System.console() != null}),
     * else plain lines on {@code lines}.
     *
     * @param lines      where plain lines go when there is no terminal
     * @param validation the held-out loss to show, or null; add it to the trainer before this listener
     * @return a listener to add to the {@link Trainer}, and to close when training ends
     */
    public static ConsoleProgress auto(PrintWriter lines, ValidationLoss validation) {
        return System.console() != null ? bar(System.err, validation) : lines(lines, validation);
    }

    /**
     * One line per epoch on {@code lines}: the {@link EpochSummary}, and the held-out loss if given.
     *
     * @param lines      where the lines go (flushed after each)
     * @param validation the held-out loss to show, or null
     * @return a listener that writes lines
     */
    public static ConsoleProgress lines(PrintWriter lines, ValidationLoss validation) {
        return new ConsoleProgress(Objects.requireNonNull(lines, "lines"), null, validation);
    }

    /**
     * A progress bar drawn on {@code terminal}, sized to the terminal's width.
     *
     * @param terminal   where the bar is drawn (usually {@code System.err})
     * @param validation the held-out loss to show, or null
     * @return a listener that draws a bar
     */
    public static ConsoleProgress bar(PrintStream terminal, ValidationLoss validation) {
        return new ConsoleProgress(null, new ConsoleProgressBarConsumer(Objects.requireNonNull(terminal, "terminal")),
                validation);
    }

    /**
     * A progress bar drawn on {@code terminal}, at most {@code width} characters wide (for tests and logs).
     *
     * @param terminal   where the bar is drawn
     * @param width      the most characters a line of the bar takes
     * @param validation the held-out loss to show, or null
     * @return a listener that draws a bar
     */
    public static ConsoleProgress bar(PrintStream terminal, int width, ValidationLoss validation) {
        return new ConsoleProgress(null,
                new ConsoleProgressBarConsumer(Objects.requireNonNull(terminal, "terminal"), width), validation);
    }

    /**
     * Also shows the accuracy that {@code metrics} measures on the training samples after each epoch
     * (add it to the trainer before this listener).
     *
     * @param metrics a {@link ValidationLoss} over the training samples, or null
     * @return this
     */
    public ConsoleProgress withTrainingAccuracy(ValidationLoss metrics) {
        this.training = metrics;
        return this;
    }

    /**
     * Whether this shows a bar or plain lines.
     *
     * @return true for a bar, false for plain lines
     */
    public boolean isBar() {
        return barOutput != null;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        if (barOutput != null && bar == null) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax((long) epochs * batches)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(200)
                    .setConsumer(barOutput).setUnit(" steps", 1).build();
        }
    }

    @Override
    public void batchEnded(int epoch, int batch, int batches, float loss, double samplesPerSecond) {
        if (bar == null) {
            return;
        }
        bar.stepTo((long) (epoch - 1) * batches + batch);
        long now = System.nanoTime();
        if (now - lastMessage >= MESSAGE_NANOS || batch == batches) {
            lastMessage = now;
            bar.setExtraMessage(message(epoch, loss, samplesPerSecond));
        }
    }

    @Override
    public void epochEnded(EpochSummary summary) {
        if (bar != null) {
            bar.setExtraMessage(message(summary.epoch(), summary.loss(), summary.samplesPerSecond()));
            if (summary.epoch() == summary.epochs()) {
                close();
            }
            return;
        }
        lines.println(summary + validationText());
        lines.flush();
    }

    /** Short, because the bar, the counts and the ETA share one terminal line with it. */
    private String message(int epoch, double loss, double samplesPerSecond) {
        String accuracy = training == null || Double.isNaN(training.lastAccuracy()) ? ""
                : String.format(Locale.ROOT, " acc %.3f", training.lastAccuracy());
        String held = validation == null || Double.isNaN(validation.last()) ? ""
                : String.format(Locale.ROOT, " val %.3e", validation.last());
        String heldAccuracy = validation == null || Double.isNaN(validation.lastAccuracy()) ? ""
                : String.format(Locale.ROOT, " val acc %.3f", validation.lastAccuracy());
        return String.format(Locale.ROOT, "epoch %d loss %.3e%s%s%s %.0f samples/s", epoch, loss, accuracy, held,
                heldAccuracy, samplesPerSecond);
    }

    private String validationText() {
        StringBuilder text = new StringBuilder();
        if (training != null && !Double.isNaN(training.lastAccuracy())) {
            text.append(String.format(Locale.ROOT, "  accuracy %.4f", training.lastAccuracy()));
        }
        if (validation != null && !Double.isNaN(validation.last())) {
            text.append(String.format(Locale.ROOT, "  validation %.6e", validation.last()));
            if (!Double.isNaN(validation.lastAccuracy())) {
                text.append(String.format(Locale.ROOT, "  validation accuracy %.4f", validation.lastAccuracy()));
            }
        }
        return text.toString();
    }

    /** Draws the bar a last time and ends its line; idempotent. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}

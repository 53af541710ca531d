package dev.deltaprop.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar over the (backend, workload) runs of {@code bench}, on standard error, only when
 * the program runs on a terminal: a run can take minutes (mnist on the reference oracle), and the
 * bar says which one is under way and how long the rest may take. Off a terminal it does nothing,
 * so the tables and JSON on standard output stay clean.
 */
final class BenchProgress implements AutoCloseable {
    private final ProgressBar bar;

    private BenchProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar over {@code runs} runs on a terminal, else a progress that shows nothing. */
    static BenchProgress auto(long runs) {
        if (System.console() == null) {
            return new BenchProgress(null);
        }
        return new BenchProgress(new ProgressBarBuilder().setTaskName("bench").setInitialMax(runs)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build());
    }

    /** The run of {@code workload} on {@code backend} begins. */
    void starting(String backend, String workload) {
        if (bar != null) {
            bar.setExtraMessage(workload + " on " + backend);
        }
    }

    /** The run that began last is over. */
    void done() {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}

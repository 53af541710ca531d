package dev.deltaprop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code deltaprop} command. Each subcommand is one class in this package; errors are one
 * clear line on standard error and a non-zero exit ({@code --verbose} shows the stack trace).
 */
@Command(name = "deltaprop",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Trains multilayer perceptrons by backpropagation on CUDA, OpenCL or the CPU.",
        subcommands = {
            CommandLine.HelpCommand.class,
            TrainCommand.class,
            PredictCommand.class,
            EvaluateCommand.class,
            GradcheckCommand.class,
            DevicesCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            ExportCommand.class,
        })
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Show the stack trace of an error.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        VectorRelaunch.ifNeeded(args);
        System.exit(run(args));
    }

    /**
     * The library's own logger tree ({@code System.Logger}, JUL by default) held at {@code WARNING}
     * while the command line runs: each command already prints what the library logs at
     * {@code INFO} ({@code backend: chose …}), in its own words. Held in a field because JUL keeps
     * only weak references to loggers, which would lose the level. A
     * {@code -Djava.util.logging.config.file} of the user's own is left to decide.
     */
    private static final java.util.logging.Logger LIBRARY_LOG = java.util.logging.Logger.getLogger("dev.deltaprop");

    /**
     * The one line an error gets: its message when it is one of ours (an argument, state or file
     * problem, whose message names the field and the expected value); otherwise — a bug, whose
     * message alone may be a bare number such as {@code -294967296} — its type and message, and
     * where to see more.
     */
    static String describe(Throwable exception) {
        String message = exception.getMessage();
        boolean explained = exception instanceof IllegalArgumentException || exception instanceof IllegalStateException
                || exception instanceof UnsupportedOperationException || exception instanceof java.io.IOException
                || exception instanceof java.io.UncheckedIOException
                || exception.getClass().getName().startsWith("dev.deltaprop.");
        if (explained && !(exception instanceof NumberFormatException) && message != null && !message.isBlank()) {
            return message;
        }
        return "internal error: " + exception + " (please report it; --verbose shows where it happened)";
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        if (System.getProperty("java.util.logging.config.file") == null) {
            LIBRARY_LOG.setLevel(java.util.logging.Level.WARNING);
        }
        Main main = new Main();
        CommandLine commandLine = new CommandLine(main);
        // every float option: a number float32 rounds to 0 or to infinity is refused as it was typed
        commandLine.registerConverter(Float.class, new Float32Converter());
        commandLine.registerConverter(Float.TYPE, new Float32Converter());
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            if (main.verbose) {
                exception.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("deltaprop " + cmd.getCommandName() + ": " + describe(exception));
            }
            return 1;
        });
        // a mistyped option is one line too, with where to read more, not the whole usage text
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine cmd = exception.getCommandLine();
            String name = cmd == commandLine ? "deltaprop" : "deltaprop " + cmd.getCommandName();
            cmd.getErr().println(name + ": " + exception.getMessage() + " (see: " + name + " --help)");
            return 2;
        });
        return commandLine.execute(args);
    }
}

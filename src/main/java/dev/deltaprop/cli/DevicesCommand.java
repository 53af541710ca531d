package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code deltaprop devices}: every backend, whether it can start here, and if not, why. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "Lists every backend: whether it can start here, and if not, why.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String name : Backends.NAMES) {
            if (name.equals("auto")) {
                auto(out);
                continue;
            }
            String reason = Backends.unavailableReason(name);
            out.printf(Locale.ROOT, "%-13s %s%n", name, reason == null ? "can start" : "cannot start: " + reason);
            for (String line : Backends.details(name)) {
                out.println("              " + line);
            }
        }
        out.flush();
        return 0;
    }

    /** What {@code auto} would choose: found by choosing it (and closing it again at once). */
    private static void auto(PrintWriter out) {
        try {
            Backends.Selection selection = Backends.select("auto");
            try (Backend backend = selection.backend()) {
                out.printf(Locale.ROOT, "%-13s can start: %s%n", "auto", backend.name());
            }
            for (String line : selection.report()) {
                out.println("              " + line);
            }
        } catch (BackendUnavailableException e) {
            out.printf(Locale.ROOT, "%-13s cannot start: %s%n", "auto", e.getMessage());
        }
    }
}

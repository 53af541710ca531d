package dev.deltaprop.device;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;

/**
 * The child JVM's side of {@link BindingClassPathTest}: for each backend, prints
 * {@code reason<TAB>name<TAB>why} ({@code -} when it can start) and each of its
 * {@code details}, then what {@code auto} chose; a throwable anywhere prints
 * {@code thrown<TAB>…} and exits with 3. It names no binding class, so it runs on any class path.
 */
public final class BackendReasons {
    private BackendReasons() {
    }

    public static void main(String[] args) {
        try {
            for (String name : Backends.NAMES) {
                String reason = Backends.unavailableReason(name);
                System.out.println("reason\t" + name + "\t" + (reason == null ? "-" : reason));
            }
            for (String name : Backends.NAMES) {
                for (String line : Backends.details(name)) {
                    System.out.println("detail\t" + name + "\t" + line);
                }
            }
            Backends.Selection selection = Backends.select("auto");
            try (Backend backend = selection.backend()) {
                System.out.println("auto\t" + backend.name() + "\t" + String.join("; ", selection.report()));
            }
        } catch (Throwable e) {
            System.out.println("thrown\t" + e);
            e.printStackTrace(System.out);
            System.exit(3);
        }
    }
}

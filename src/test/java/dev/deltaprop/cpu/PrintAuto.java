package dev.deltaprop.cpu;

import dev.deltaprop.backend.Backends;

/** For {@link AutoTest}: prints what {@code auto} chose and skipped, in a fresh JVM. */
public final class PrintAuto {
    private PrintAuto() {
    }

    public static void main(String[] args) {
        Backends.Selection selection = Backends.select("auto");
        selection.report().forEach(System.out::println);
        selection.backend().close();
    }
}

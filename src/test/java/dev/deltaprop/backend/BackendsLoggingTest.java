package dev.deltaprop.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.LogCapture;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * A library user sees, through {@code System.Logger}, what {@code auto} chose and why it skipped
 * the others (one {@code INFO} record, the same words as {@link Backends.Selection#report()}), and
 * a backend opened by name only at {@code DEBUG} (JUL's {@code FINE}).
 */
class BackendsLoggingTest {

    @Test
    void autosChoiceAndTheSkippedBackendsAreOneInfoRecord() {
        try (LogCapture log = LogCapture.of("dev.deltaprop.backend")) {
            Backends.Selection selection = Backends.select("auto");
            selection.backend().close();
            List<String> info = log.messages(Level.INFO);
            assertEquals(List.of("auto: " + String.join("; ", selection.report())), info);
            String message = info.get(0);
            // no GPU in CI: cuda is always skipped with its reason, and the choice comes last
            assertTrue(message.startsWith("auto: skipped cuda: "), message);
            assertTrue(message.contains("; chose " + selection.backend().name() + " ("), message);
        }
    }

    @Test
    void aBackendOpenedByNameIsDebugOnly() {
        try (LogCapture log = LogCapture.of("dev.deltaprop.backend")) {
            Backends.open("reference").close();
            assertEquals(List.of(), log.messages(Level.INFO));
            assertEquals(1, log.messages(Level.FINE).size(), log.messages(Level.FINE).toString());
            assertTrue(log.messages(Level.FINE).get(0).startsWith("using reference ("), log.messages(Level.FINE).toString());
        }
    }
}

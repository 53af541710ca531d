package dev.deltaprop.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opening backends by name. Written to stay true as faster backends arrive: what {@code auto}
 * must choose is worked out from which backends say they can start.
 */
class BackendsTest {

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.open("tpu"));
        assertEquals("backend: unknown name 'tpu', expected one of reference, cpu, opencl, cuda, opencl-lwjgl, cuda-lwjgl, auto",
                e.getMessage());
    }

    @Test
    void referenceAlwaysStarts() {
        assertNull(Backends.unavailableReason("reference"));
        try (Backend backend = Backends.open("reference")) {
            assertEquals("reference", backend.name());
        }
    }

    @Test
    void aBackendThatCannotStartSaysWhichAndWhy() {
        for (String name : Backends.NAMES) {
            if (name.equals("auto")) {
                continue;
            }
            String reason = Backends.unavailableReason(name);
            if (reason == null) {
                continue;
            }
            assertTrue(!reason.isBlank(), name);
            if (!BackendTable.STANDARD.providers().containsKey(name)) {
                assertEquals("not implemented in this version of deltaprop", reason);
            }
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.open(name));
            assertEquals(name + ": " + reason, e.getMessage());
        }
    }

    @Test
    void autoChoosesTheFirstThatCanStartAndReportsWhatItSkipped() {
        String expected = null;
        for (String candidate : Backends.AUTO_ORDER) {
            if (Backends.autoSkipReason(candidate) == null) {
                expected = candidate;
                break;
            }
        }
        // the reference is auto's last resort only while no cpu backend is built in
        if (expected == null) {
            expected = "reference";
        }
        Backends.Selection selection = Backends.select("auto");
        try (Backend backend = selection.backend()) {
            assertEquals(expected, backend.name());
        }
        List<String> report = selection.report();
        assertTrue(report.get(report.size() - 1).startsWith("chose " + expected + " ("), report.toString());
        for (String line : report.subList(0, report.size() - 1)) {
            assertTrue(line.startsWith("skipped "), line);
            String skipped = line.substring("skipped ".length(), line.indexOf(':'));
            assertEquals(Backends.autoSkipReason(skipped), line.substring(line.indexOf(": ") + 2));
        }
        int skippedCount = Backends.AUTO_ORDER.indexOf(expected) < 0 ? Backends.AUTO_ORDER.size()
                : Backends.AUTO_ORDER.indexOf(expected);
        assertEquals(skippedCount, report.size() - 1, report.toString());
    }

    @Test
    void namesAreCaseInsensitive() {
        try (Backend backend = Backends.open(" Reference ")) {
            assertEquals("reference", backend.name());
        }
    }
}

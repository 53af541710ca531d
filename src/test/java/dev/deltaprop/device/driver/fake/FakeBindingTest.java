package dev.deltaprop.device.driver.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.BackendTable;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Adding a binding is one driver class and one table row: with {@link FakeDriver} and its row,
 * {@code fake} is a backend by name, in {@code devices}, and first in {@code auto}'s order. Its
 * compiler knows none of the engine's GEMM kernels, so opening it fails with the reason, and
 * {@code auto} says so and moves on: exactly what a real binding whose kernels do not build gets.
 */
class FakeBindingTest {
    private static final BackendTable TABLE = BackendTable.STANDARD.with(
            BackendTable.Row.device("fake", 0, FakeDriver.Factory.class.getName(), "a fake binding (tests)"));

    @Test
    void oneRowMakesABackend() {
        assertTrue(TABLE.names().contains("fake"), TABLE.names().toString());
        assertEquals("fake", TABLE.autoOrder().get(0));
        assertEquals(BackendTable.STANDARD.autoOrder(), TABLE.autoOrder().subList(1, TABLE.autoOrder().size()));
        assertNull(Backends.unavailableReason(TABLE, "fake"));
        // the driver's own line first; the engine adds its own (the fused small-MLP kernel's policy)
        assertEquals("fake device in host memory", Backends.details(TABLE, "fake").get(0));
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.select(TABLE, "fake"));
        assertTrue(e.getMessage().startsWith("fake: the kernels could not be built or loaded on fake device: fakeKernel("),
                e.getMessage());
        Backends.Selection auto = Backends.select(TABLE, "auto");
        try (var backend = auto.backend()) {
            assertTrue(auto.report().get(0).startsWith("skipped fake: fake: the kernels could not be built"), auto.report().toString());
            assertTrue(!backend.name().equals("fake"), backend.name());
        }
        assertThrows(IllegalArgumentException.class, () -> Backends.select(BackendTable.STANDARD, "fake"),
                "the standard table has no fake row");
    }
}

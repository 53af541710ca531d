package dev.deltaprop.backend;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Issue 11 #11: a closed backend refuses every call, naming itself — reference kept working. */
class ClosedBackendTest {
    private static final Network NET = Network.builder(2).layer(1, Activation.IDENTITY).build(1);

    @Test
    void aClosedBackendRefusesLoadStepAndPredict() {
        for (Supplier<Backend> open : new Supplier[] {ReferenceBackend::new, () -> new CpuBackend(1)}) {
            Backend backend = open.get();
            backend.load(NET);
            backend.close();
            backend.close(); // idempotent
            for (Runnable call : new Runnable[] {() -> backend.load(NET), () -> backend.predict(new float[2], 1),
                () -> backend.step(new float[2], new float[1], 1, 0.1f), backend::network}) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call::run, backend.name());
                assertTrue(e.getMessage().equals(backend.name() + ": the backend is closed"), e.getMessage());
            }
        }
    }

    @Test
    void aClosedHostDataSetRefusesBatches() {
        HostDataset data = new HostDataset(new float[] {1, 2}, new float[] {3}, 1, 2, 1);
        data.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> data.gatherInputs(0, 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> data.order(new int[] {0}));
    }
}

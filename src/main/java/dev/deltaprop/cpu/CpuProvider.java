package dev.deltaprop.cpu;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendProvider;
import java.util.List;

/** Registers the {@code cpu} backend; pure Java, so it can always start. */
public final class CpuProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend open() {
        return new CpuBackend();
    }

    @Override
    public List<String> details() {
        String whyScalar = MicroKernels.whyScalar();
        return List.of(CpuBackend.defaultThreads() + " threads (" + CpuBackend.THREADS_PROPERTY + ")",
                whyScalar == null ? "Vector API kernel" : "scalar kernel: " + whyScalar);
    }
}

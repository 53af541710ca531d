package dev.deltaprop.reference;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendProvider;

/** Registers the {@code reference} backend; it can always start. */
public final class ReferenceProvider implements BackendProvider {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend open() {
        return new ReferenceBackend();
    }
}

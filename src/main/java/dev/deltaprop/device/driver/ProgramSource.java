package dev.deltaprop.device.driver;

import java.util.Objects;

/**
 * What a driver builds a program from: the source text of one kernel entry with every
 * {@code #include} already resolved, and, for CUDA, an optional binary image (a fatbin made by
 * {@code nvcc} at build time) that the driver tries first.
 */
public final class ProgramSource {
    private final String name;
    private final String text;
    private final byte[] binary;

    /**
     * @param name   for messages, e.g. {@code kernels/mlp.cl}
     * @param text   the source, includes resolved
     * @param binary a prebuilt image for this source, or {@code null}
     */
    public ProgramSource(String name, String text, byte[] binary) {
        this.name = Objects.requireNonNull(name, "name");
        this.text = Objects.requireNonNull(text, "text");
        this.binary = binary == null ? null : binary.clone();
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
    }

    /** The prebuilt image, or {@code null} when there is none. */
    public byte[] binary() {
        return binary == null ? null : binary.clone();
    }

    @Override
    public String toString() {
        return name;
    }
}

package dev.deltaprop.model;

/**
 * The error a network is trained to minimise.
 */
public enum Loss {
    /**
     * {@code E = ½ Σ_j (y_j − d_j)²}; its derivative with respect to {@code y_j} is
     * {@code y_j − d_j}, so the output error signal is {@code δ^L_j = (y_j − d_j) · f'(u^L_j)}.
     */
    SQUARED_ERROR("squared_error");

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    /** The name used in model files. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * The loss named {@code name}.
     *
     * @throws IllegalArgumentException naming the valid names when there is no such loss
     */
    public static Loss parse(String name) {
        for (Loss l : values()) {
            if (l.id.equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + name + "': expected squared_error");
    }
}

package dev.deltaprop.model;

/**
 * The error a network is trained to minimise.
 */
public enum Loss {
    /**
     * {@code E = ½ Σ_j (y_j − d_j)²}; its derivative with respect to {@code y_j} is
     * {@code y_j − d_j}, so the output error signal is {@code δ^L_j = (y_j − d_j) · f'(u^L_j)}.
     */
    SQUARED_ERROR("squared_error"),
    /**
     * Cross entropy, for classification (DESIGN §1b). With a {@link Activation#SOFTMAX} output,
     * {@code E = −Σ_j d_j log y_j}, {@code y = softmax(u^L)}; with a {@link Activation#SIGMOID}
     * output (binary, per output), {@code E = Σ_j [softplus(u_j) − d_j u_j]}, the stable form of
     * {@code −d log y − (1−d) log(1−y)}. In both pairings {@code δ^L = y − d}. Any other output
     * activation is refused by {@link Network}.
     */
    CROSS_ENTROPY("cross_entropy");

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
        String key = name == null ? null : name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        for (Loss l : values()) {
            if (l.id.equals(key)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + name + "': expected squared_error or cross_entropy");
    }
}

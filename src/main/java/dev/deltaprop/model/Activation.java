package dev.deltaprop.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The activation {@code f} of a layer, {@code z^l_j = f(u^l_j)}, and its derivative {@code f'(u)}.
 *
 * <p>Every backend computes the same functions; {@link #code()} is the number the kernels use
 * for the same activation (see {@code kernels/activation.h}), so the two lists never drift apart.
 * The derivative takes both {@code u} and {@code z = f(u)}: sigmoid and tanh are cheapest from
 * {@code z}, the others need {@code u}.
 */
public enum Activation {
    /** {@code f(u) = u}, {@code f'(u) = 1}. */
    IDENTITY("identity", 0) {
        @Override public double f(double u) { return u; }
        @Override public double derivative(double u, double z) { return 1.0; }
    },
    /** {@code f(u) = 1 / (1 + e^{-u})}, {@code f'(u) = z (1 − z)}. */
    SIGMOID("sigmoid", 1) {
        @Override public double f(double u) {
            // two branches so that e^{|u|} never overflows to produce ∞/∞
            if (u >= 0) {
                return 1.0 / (1.0 + Math.exp(-u));
            }
            double e = Math.exp(u);
            return e / (1.0 + e);
        }
        @Override public double derivative(double u, double z) { return z * (1.0 - z); }
    },
    /** {@code f(u) = tanh u}, {@code f'(u) = 1 − z²}. */
    TANH("tanh", 2) {
        @Override public double f(double u) { return Math.tanh(u); }
        @Override public double derivative(double u, double z) { return 1.0 - z * z; }
    },
    /** {@code f(u) = max(0, u)}, {@code f'(u) = 1} for {@code u > 0}, else 0 (so {@code f'(0) = 0}). */
    RELU("relu", 3) {
        @Override public double f(double u) { return u > 0 ? u : 0.0; }
        @Override public double derivative(double u, double z) { return u > 0 ? 1.0 : 0.0; }
    },
    /** {@code f(u) = u} for {@code u > 0}, else {@code 0.01 u}; {@code f'(0) = 0.01}. */
    LEAKY_RELU("leaky_relu", 4) {
        @Override public double f(double u) { return u > 0 ? u : LEAKY_SLOPE * u; }
        @Override public double derivative(double u, double z) { return u > 0 ? 1.0 : LEAKY_SLOPE; }
    },
    /** {@code f(u) = log(1 + e^u)}, {@code f'(u) = 1 / (1 + e^{-u})}. */
    SOFTPLUS("softplus", 5) {
        @Override public double f(double u) {
            // log(1 + e^u) = max(u, 0) + log1p(e^{-|u|}): exact for large |u|, no overflow
            return Math.max(u, 0.0) + Math.log1p(Math.exp(-Math.abs(u)));
        }
        @Override public double derivative(double u, double z) { return SIGMOID.f(u); }
    },
    /**
     * {@code z_j = e^{u_j − max u} / Σ_k e^{u_k − max u}} over the units of one sample: an
     * output-only activation, paired with {@link Loss#CROSS_ENTROPY} (so {@code δ^L = y − d}
     * and its Jacobian is never needed). It is not elementwise: {@link #f(double)} and
     * {@link #derivative(double, double)} refuse; use {@link #softmax(double[], int, int, double[])}.
     */
    SOFTMAX("softmax", 6) {
        @Override public double f(double u) {
            throw new UnsupportedOperationException("softmax is computed over a whole sample: use Activation.softmax");
        }
        @Override public double derivative(double u, double z) {
            throw new UnsupportedOperationException("softmax has no elementwise derivative: with cross entropy δ^L = y − d");
        }
        @Override public boolean elementwise() { return false; }
    };

    /** The slope of {@link #LEAKY_RELU} below zero. */
    public static final double LEAKY_SLOPE = 0.01;

    private final String id;
    private final int code;

    Activation(String id, int code) {
        this.id = id;
        this.code = code;
    }

    /** {@code f(u)}; for {@link #SOFTMAX}, which is not elementwise, an {@link UnsupportedOperationException}. */
    public abstract double f(double u);

    /**
     * {@code f'(u)}, given {@code u} and {@code z = f(u)} (whichever the formula is cheaper from).
     */
    public abstract double derivative(double u, double z);

    /**
     * Whether {@code z_j} depends on {@code u_j} alone. Only {@link #SOFTMAX} is not: it is
     * output-only and computed per sample.
     */
    public boolean elementwise() {
        return true;
    }

    /** The activations that act unit by unit (all but {@link #SOFTMAX}), in declaration order. */
    public static java.util.List<Activation> elementwiseValues() {
        return Arrays.stream(values()).filter(Activation::elementwise).collect(Collectors.toUnmodifiableList());
    }

    /**
     * {@code z_j = e^{u_j − m} / Σ_k e^{u_k − m}} with {@code m = max_k u_k}, for the {@code n}
     * units at {@code u[offset..offset+n)}, written to {@code z} at the same place. Subtracting
     * the maximum keeps every exponent ≤ 0, so no logit, however large, overflows.
     */
    public static void softmax(double[] u, int offset, int n, double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, u[offset + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            double e = Math.exp(u[offset + j] - max);
            z[offset + j] = e;
            sum += e;
        }
        for (int j = 0; j < n; j++) {
            z[offset + j] /= sum;
        }
    }

    /** The name used in model files and on the command line, e.g. {@code leaky_relu}. */
    public String id() {
        return id;
    }

    /** The number the kernels use for this activation ({@code ACT_*} in {@code kernels/}). */
    public int code() {
        return code;
    }

    @Override
    public String toString() {
        return id;
    }

    /**
     * The activation named {@code name} ({@code tanh}, {@code leaky_relu}, …; case and
     * {@code -}/{@code _} do not matter).
     *
     * @throws IllegalArgumentException naming the valid names when there is no such activation
     */
    public static Activation parse(String name) {
        if (name != null) {
            String key = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (Activation a : values()) {
                if (a.id.equals(key)) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "': expected one of " + names());
    }

    /** The valid names, comma-separated, for messages. */
    public static String names() {
        return Arrays.stream(values()).map(Activation::id).collect(Collectors.joining(", "));
    }
}

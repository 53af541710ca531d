package dev.deltaprop.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How a step turns the batch-mean gradient {@code g} into a change of the parameters, with the
 * semantics of PyTorch's {@code torch.optim} (DESIGN §1b). It acts on every parameter alike,
 * weights and biases; {@code t} counts steps from 1, and the state ({@code v}, or {@code m} and
 * {@code s}) lives in the backend beside the weights. {@code η} is not part of it: a step is
 * given its learning rate, so that a schedule can change it.
 *
 * <table>
 * <caption>The rules</caption>
 * <tr><th>kind</th><th>step</th></tr>
 * <tr><td>{@code sgd}</td><td>{@code w ← w − η g}</td></tr>
 * <tr><td>{@code momentum}</td><td>{@code v ← μ v + g}, {@code w ← w − η v}</td></tr>
 * <tr><td>{@code nesterov}</td><td>{@code v ← μ v + g}, {@code w ← w − η (g + μ v)}</td></tr>
 * <tr><td>{@code adam}</td><td>{@code m ← β₁ m + (1−β₁) g}, {@code s ← β₂ s + (1−β₂) g²},
 *     {@code w ← w − η m̂ / (√ŝ + ε)}, {@code m̂ = m/(1−β₁ᵗ)}, {@code ŝ = s/(1−β₂ᵗ)}</td></tr>
 * <tr><td>{@code adamw}</td><td>{@code w ← w − η λ w}, then {@code adam} without the L2 term</td></tr>
 * </table>
 *
 * <p>Weight decay {@code λ} adds {@code λ w} to {@code g} for {@code sgd}, {@code momentum},
 * {@code nesterov} and {@code adam} (L2), and is decoupled for {@code adamw}. Defaults:
 * {@code μ = 0.9}, {@code β₁ = 0.9}, {@code β₂ = 0.999}, {@code ε = 1e-8}, {@code λ = 0}
 * ({@code adamw}: 0.01). Immutable; every field is checked where it is set.
 */
public final class Optimizer {

    /** The rule; {@link #code()} is the number the kernels use ({@code OPT_*} in {@code kernels/}). */
    public enum Kind {
        SGD("sgd", 0, 0),
        MOMENTUM("momentum", 1, 1),
        NESTEROV("nesterov", 2, 1),
        ADAM("adam", 3, 2),
        ADAMW("adamw", 4, 2);

        private final String id;
        private final int code;
        private final int slots;

        Kind(String id, int code, int slots) {
            this.id = id;
            this.code = code;
            this.slots = slots;
        }

        /** The name on the command line and in checkpoints, e.g. {@code adamw}. */
        public String id() {
            return id;
        }

        /** The number the kernels use for this rule. */
        public int code() {
            return code;
        }

        /** State arrays kept per parameter: 0 for sgd, 1 ({@code v}) for momentum and nesterov, 2 ({@code m}, {@code s}) for adam and adamw. */
        public int slots() {
            return slots;
        }

        @Override
        public String toString() {
            return id;
        }

        /**
         * The rule named {@code name} (case and {@code -}/{@code _} do not matter).
         *
         * @throws IllegalArgumentException naming the valid names when there is no such rule
         */
        public static Kind parse(String name) {
            if (name != null) {
                String key = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
                for (Kind k : values()) {
                    if (k.id.equals(key)) {
                        return k;
                    }
                }
            }
            throw new IllegalArgumentException("optimizer: unknown optimizer '" + name + "': expected one of "
                    + Arrays.stream(values()).map(Kind::id).collect(Collectors.joining(", ")));
        }
    }

    public static final float DEFAULT_MOMENTUM = 0.9f;
    public static final float DEFAULT_BETA1 = 0.9f;
    public static final float DEFAULT_BETA2 = 0.999f;
    public static final float DEFAULT_EPSILON = 1e-8f;
    /** {@code λ} for {@code adamw} when none is given (PyTorch's default); the others default to 0. */
    public static final float DEFAULT_ADAMW_WEIGHT_DECAY = 0.01f;

    private static final Optimizer SGD = builder(Kind.SGD).build();

    private final Kind kind;
    private final float momentum;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;

    private Optimizer(Builder b) {
        this.kind = b.kind;
        this.momentum = b.momentum;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.weightDecay = b.weightDecay;
    }

    /** Plain SGD, {@code w ← w − η g}, without weight decay: what a step did before optimizers existed. */
    public static Optimizer sgd() {
        return SGD;
    }

    /** {@code kind} with every default. */
    public static Optimizer of(Kind kind) {
        return builder(kind).build();
    }

    /** A builder for {@code kind}, starting from the defaults. */
    public static Builder builder(Kind kind) {
        return new Builder(kind);
    }

    public Kind kind() {
        return kind;
    }

    /** {@code μ}, in {@code [0, 1)}; used by momentum and nesterov. */
    public float momentum() {
        return momentum;
    }

    /** {@code β₁}, in {@code [0, 1)}; used by adam and adamw. */
    public float beta1() {
        return beta1;
    }

    /** {@code β₂}, in {@code [0, 1)}; used by adam and adamw. */
    public float beta2() {
        return beta2;
    }

    /** {@code ε > 0}; used by adam and adamw. */
    public float epsilon() {
        return epsilon;
    }

    /** {@code λ ≥ 0}: L2 for sgd, momentum, nesterov and adam; decoupled for adamw. */
    public float weightDecay() {
        return weightDecay;
    }

    /** This optimizer as a builder, to change a field. */
    public Builder toBuilder() {
        return new Builder(kind).momentum(momentum).beta1(beta1).beta2(beta2).epsilon(epsilon).weightDecay(weightDecay);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Optimizer)) {
            return false;
        }
        Optimizer other = (Optimizer) o;
        return kind == other.kind && Float.compare(momentum, other.momentum) == 0 && Float.compare(beta1, other.beta1) == 0
                && Float.compare(beta2, other.beta2) == 0 && Float.compare(epsilon, other.epsilon) == 0
                && Float.compare(weightDecay, other.weightDecay) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, momentum, beta1, beta2, epsilon, weightDecay);
    }

    /** The rule and the hyper-parameters it uses, e.g. {@code adam (β₁ 0.9, β₂ 0.999, ε 1.0E-8, λ 0.0)}. */
    @Override
    public String toString() {
        switch (kind) {
            case SGD:
                return weightDecay == 0 ? "sgd" : "sgd (λ " + weightDecay + ")";
            case MOMENTUM:
            case NESTEROV:
                return kind + " (μ " + momentum + ", λ " + weightDecay + ")";
            default:
                return kind + " (β₁ " + beta1 + ", β₂ " + beta2 + ", ε " + epsilon + ", λ " + weightDecay + ")";
        }
    }

    /** Collects the hyper-parameters; each setter checks its value at once. */
    public static final class Builder {
        private final Kind kind;
        private float momentum = DEFAULT_MOMENTUM;
        private float beta1 = DEFAULT_BETA1;
        private float beta2 = DEFAULT_BETA2;
        private float epsilon = DEFAULT_EPSILON;
        private float weightDecay;

        private Builder(Kind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            this.weightDecay = kind == Kind.ADAMW ? DEFAULT_ADAMW_WEIGHT_DECAY : 0f;
        }

        /** @throws IllegalArgumentException unless {@code 0 ≤ μ < 1} */
        public Builder momentum(float momentum) {
            this.momentum = unitInterval("momentum", momentum);
            return this;
        }

        /** @throws IllegalArgumentException unless {@code 0 ≤ β₁ < 1} */
        public Builder beta1(float beta1) {
            this.beta1 = unitInterval("beta1", beta1);
            return this;
        }

        /** @throws IllegalArgumentException unless {@code 0 ≤ β₂ < 1} */
        public Builder beta2(float beta2) {
            this.beta2 = unitInterval("beta2", beta2);
            return this;
        }

        /** @throws IllegalArgumentException unless {@code ε} is finite and {@code > 0} */
        public Builder epsilon(float epsilon) {
            if (!Float.isFinite(epsilon) || !(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon: expected a finite number > 0, found " + epsilon);
            }
            this.epsilon = epsilon;
            return this;
        }

        /** @throws IllegalArgumentException unless {@code λ} is finite and {@code ≥ 0} */
        public Builder weightDecay(float weightDecay) {
            if (!Float.isFinite(weightDecay) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("weightDecay: expected a finite number ≥ 0, found " + weightDecay);
            }
            this.weightDecay = weightDecay;
            return this;
        }

        public Optimizer build() {
            return new Optimizer(this);
        }

        private static float unitInterval(String field, float value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException(field + ": expected a number in [0, 1), found " + value);
            }
            return value;
        }
    }
}

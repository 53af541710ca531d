package dev.deltaprop.train;

import java.util.Locale;
import java.util.Objects;

/**
 * The learning rate of each epoch, {@code η_e} for {@code e = 1..E}, from the base rate {@code η}
 * (DESIGN §1b). It is constant within an epoch: every step of epoch {@code e} is given {@code η_e}.
 *
 * <table>
 * <caption>The shapes</caption>
 * <tr><th>name</th><th>{@code η_e}</th></tr>
 * <tr><td>{@code constant}</td><td>{@code η}</td></tr>
 * <tr><td>{@code step:k:γ}</td><td>{@code η γ^⌊(e−1)/k⌋}: {@code η} for the first {@code k} epochs, then
 *     {@code γ} times less every {@code k} epochs</td></tr>
 * <tr><td>{@code cosine}</td><td>{@code ½ η (1 + cos(π (e−1)/E))}: {@code η} in epoch 1, falling to nearly 0
 *     in epoch {@code E}</td></tr>
 * </table>
 *
 * <p>With a warm-up of {@code w ≥ 1} epochs the rate of epoch {@code e ≤ w} is multiplied by {@code e/w}
 * (a linear ramp reaching the shape's rate in epoch {@code w}); {@code w = 0} is no warm-up. The
 * factor is computed in double and the product rounded once to float, so {@code constant} without
 * warm-up gives {@code η} exactly. {@code E} is the run's number of epochs ({@link TrainerConfig#epochs()}),
 * so a resumed run that changes the total changes what is left of a cosine. Immutable.
 */
public final class LearningRateSchedule {
    private enum Shape { CONSTANT, STEP, COSINE }

    private static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Shape.CONSTANT, 0, 1, 0);

    private final Shape shape;
    private final int stepEpochs;
    private final double gamma;
    private final int warmupEpochs;

    private LearningRateSchedule(Shape shape, int stepEpochs, double gamma, int warmupEpochs) {
        this.shape = shape;
        this.stepEpochs = stepEpochs;
        this.gamma = gamma;
        this.warmupEpochs = warmupEpochs;
    }

    /** {@code η_e = η}: what training did before schedules existed. */
    public static LearningRateSchedule constant() {
        return CONSTANT;
    }

    /**
     * {@code η_e = η γ^⌊(e−1)/k⌋}.
     *
     * @param k     epochs per step, at least 1
     * @param gamma {@code γ}, finite and {@code > 0}
     * @return the schedule
     * @throws IllegalArgumentException naming {@code k} or {@code gamma} when out of range
     */
    public static LearningRateSchedule step(int k, double gamma) {
        if (k < 1) {
            throw new IllegalArgumentException("schedule: in step:K:G, expected K (the epochs per step) at least 1, found " + k);
        }
        if (!Double.isFinite(gamma) || !(gamma > 0)) {
            throw new IllegalArgumentException("schedule: in step:K:G, expected G (the factor per step) a finite"
                    + " number > 0, found " + gamma);
        }
        return new LearningRateSchedule(Shape.STEP, k, gamma, 0);
    }

    /** {@code η_e = ½ η (1 + cos(π (e−1)/E))}. */
    public static LearningRateSchedule cosine() {
        return new LearningRateSchedule(Shape.COSINE, 0, 1, 0);
    }

    /**
     * This shape with a linear warm-up: epoch {@code e ≤ w} gets {@code e/w} of its rate.
     *
     * @param epochs {@code w}, at least 0 (0: none)
     * @return the schedule with the warm-up
     * @throws IllegalArgumentException naming the warm-up when negative
     */
    public LearningRateSchedule withWarmup(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("warmupEpochs: expected at least 0 (0: no warm-up), found " + epochs);
        }
        return new LearningRateSchedule(shape, stepEpochs, gamma, epochs);
    }

    /**
     * The schedule named by {@code text} as the command line writes it: {@code constant},
     * {@code step:K:G} (e.g. {@code step:10:0.5}) or {@code cosine}, without warm-up.
     *
     * @param text the name
     * @return the schedule
     * @throws IllegalArgumentException saying what was expected when {@code text} is not one of them
     */
    public static LearningRateSchedule parse(String text) {
        String key = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (key.equals("constant")) {
            return constant();
        }
        if (key.equals("cosine")) {
            return cosine();
        }
        if (key.startsWith("step:") || key.equals("step")) {
            String[] parts = key.split(":", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("schedule: expected step:K:G with K epochs per step and the factor G"
                        + " (e.g. step:10:0.5), found '" + text + "'");
            }
            int k;
            double g;
            try {
                k = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("schedule: in step:K:G, expected K (the epochs per step) a whole"
                        + " number, found '" + parts[1] + "'");
            }
            try {
                g = Double.parseDouble(parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("schedule: in step:K:G, expected G (the factor per step) a number,"
                        + " found '" + parts[2] + "'");
            }
            return step(k, g);
        }
        throw new IllegalArgumentException("schedule: expected constant, step:K:G (e.g. step:10:0.5) or cosine, found '"
                + text + "'");
    }

    /** {@code w}, the warm-up epochs (0: none). */
    public int warmupEpochs() {
        return warmupEpochs;
    }

    /**
     * {@code η_e / η}, the factor of epoch {@code e}, warm-up included, in double.
     *
     * @param epoch  {@code e}, 1-based
     * @param epochs {@code E}, the run's epochs, at least {@code 1}
     * @return the factor, {@code > 0}
     * @throws IllegalArgumentException naming the argument when {@code e < 1} or {@code E < 1}
     */
    public double factor(int epoch, int epochs) {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch: expected at least 1, found " + epoch);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs: expected at least 1, found " + epochs);
        }
        double factor = switch (shape) {
            case CONSTANT -> 1;
            case STEP -> Math.pow(gamma, (epoch - 1) / stepEpochs);
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / epochs));
        };
        if (epoch < warmupEpochs) {
            factor *= (double) epoch / warmupEpochs;
        }
        return factor;
    }

    /**
     * {@code η_e}: the rate every step of epoch {@code e} is given.
     *
     * @param learningRate {@code η}, the base rate
     * @param epoch        {@code e}, 1-based
     * @param epochs       {@code E}
     * @return {@code η · factor(e, E)} rounded to float
     */
    public float rate(float learningRate, int epoch, int epochs) {
        return (float) (learningRate * factor(epoch, epochs));
    }

    /** True for {@code constant} without warm-up, the schedule of every run before schedules existed. */
    public boolean isConstant() {
        return shape == Shape.CONSTANT && warmupEpochs == 0;
    }

    /** The name {@link #parse} reads (without the warm-up). */
    public String name() {
        return switch (shape) {
            case CONSTANT -> "constant";
            case STEP -> "step:" + stepEpochs + ":" + gamma;
            case COSINE -> "cosine";
        };
    }

    /** The name, and the warm-up when there is one: {@code cosine, warm-up 3 epochs}. */
    @Override
    public String toString() {
        return warmupEpochs == 0 ? name() : name() + ", warm-up " + warmupEpochs + " epochs";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearningRateSchedule s && s.shape == shape && s.stepEpochs == stepEpochs
                && Double.compare(s.gamma, gamma) == 0 && s.warmupEpochs == warmupEpochs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(shape, stepEpochs, gamma, warmupEpochs);
    }
}

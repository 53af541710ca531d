package dev.deltaprop.train;

import dev.deltaprop.model.Optimizer;
import java.util.Locale;
import java.util.Objects;

/**
 * The hyper-parameters of a training run: epochs, minibatch size {@code B}, learning rate
 * {@code η} and its {@link LearningRateSchedule}, the {@link Optimizer}, and how samples are
 * ordered. Immutable; made by {@link #builder()}, which checks
 * every field when {@link Builder#build()} is called.
 */
public final class TrainerConfig {
    private final int epochs;
    private final int batch;
    private final float learningRate;
    private final boolean shuffle;
    private final long seed;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;

    private TrainerConfig(Builder builder) {
        this.epochs = builder.epochs;
        this.batch = builder.batch;
        this.learningRate = builder.learningRate;
        this.shuffle = builder.shuffle;
        this.seed = builder.seed;
        this.optimizer = builder.optimizer;
        this.schedule = builder.schedule;
    }

    /**
     * A builder with the defaults: 100 epochs, {@code B = 32}, {@code η = 0.05} constant, plain sgd,
     * shuffled with seed 1.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Passes over the whole data set, at least 1. */
    public int epochs() {
        return epochs;
    }

    /** {@code B}, samples per step, at least 1; the last batch of an epoch may be smaller. */
    public int batch() {
        return batch;
    }

    /** {@code η}, finite and {@code > 0}: the base rate, which {@link #schedule()} scales per epoch. */
    public float learningRate() {
        return learningRate;
    }

    /** Whether each epoch visits the samples in a fresh random order; if not, file order. */
    public boolean shuffle() {
        return shuffle;
    }

    /** The seed of the shuffling order (unused when {@link #shuffle()} is false). */
    public long seed() {
        return seed;
    }

    /** The rule each step applies; handed to {@link dev.deltaprop.backend.Backend#load} once per run. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** How {@code η} changes from epoch to epoch. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /**
     * {@code η_e}, the learning rate every step of epoch {@code e} is given.
     *
     * @param epoch {@code e}, 1-based
     * @return {@link LearningRateSchedule#rate} of {@link #learningRate()} in epoch {@code e} of {@link #epochs()}
     */
    public float learningRate(int epoch) {
        return schedule.rate(learningRate, epoch, epochs);
    }

    /** This configuration as a builder, to change a field. */
    public Builder toBuilder() {
        return new Builder().epochs(epochs).batch(batch).learningRate(learningRate).shuffle(shuffle).seed(seed)
                .optimizer(optimizer).schedule(schedule);
    }

    /** The fields; the optimizer and the schedule only when they are not plain sgd at a constant rate. */
    @Override
    public String toString() {
        String text = String.format(Locale.ROOT, "epochs %d, batch %d, learning rate %s, %s", epochs, batch,
                learningRate, shuffle ? "shuffled with seed " + seed : "file order");
        if (!optimizer.equals(Optimizer.sgd())) {
            text += ", optimizer " + optimizer;
        }
        if (!schedule.isConstant()) {
            text += ", schedule " + schedule;
        }
        return text;
    }

    /** Collects the fields; {@link #build()} checks them. */
    public static final class Builder {
        private int epochs = 100;
        private int batch = 32;
        private float learningRate = 0.05f;
        private boolean shuffle = true;
        private long seed = 1;
        private Optimizer optimizer = Optimizer.sgd();
        private LearningRateSchedule schedule = LearningRateSchedule.constant();

        private Builder() {
        }

        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder batch(int batch) {
            this.batch = batch;
            return this;
        }

        public Builder learningRate(float learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The optimizer (default {@link Optimizer#sgd()}). */
        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            return this;
        }

        /** The learning-rate schedule (default {@link LearningRateSchedule#constant()}). */
        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the field and the expected value when
         *                                  {@code epochs < 1}, {@code batch < 1}, or {@code η} is not a finite number {@code > 0}
         */
        public TrainerConfig build() {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs: expected at least 1, found " + epochs);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch: expected at least 1 sample, found " + batch);
            }
            if (!Float.isFinite(learningRate) || !(learningRate > 0)) {
                throw new IllegalArgumentException("learningRate: expected a finite number > 0, found " + learningRate);
            }
            return new TrainerConfig(this);
        }
    }
}

package dev.deltaprop.spark;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.train.LearningRateSchedule;
import dev.deltaprop.train.TrainerConfig;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Everything a training task needs, read from an estimator's params on the driver and shipped
 * with the task (the params themselves stay on the driver).
 *
 * @param inputs           {@code n_0}, the length of the feature vectors
 * @param hidden           the hidden widths {@code n_1 … n_{L-1}}
 * @param outputs          {@code n_L}: the number of classes, or 1 for a regression
 * @param activation       {@code f} of every hidden layer
 * @param outputActivation {@code f^L} ({@code softmax} for a classifier)
 * @param optimizer        the optimizer's name ({@link Optimizer.Kind#parse})
 * @param learningRate     {@code η}
 * @param batch            {@code B}, the global batch: all tasks together
 * @param epochs           {@code E}
 * @param seed             initial weights and every shuffle
 * @param schedule         the learning-rate schedule ({@link LearningRateSchedule#parse})
 * @param backend          the backend each task opens ({@code auto}, {@code cpu}, …)
 * @param sync             {@link Sync#GRADIENTS} or {@link Sync#AVERAGE}
 * @param averageEvery     {@code k}, local steps between two averages ({@link Sync#AVERAGE})
 * @param checkpointDir    a folder every task and the driver see, or empty for none
 * @param checkpointEvery  epochs between two checkpoints
 */
record FitSettings(int inputs, int[] hidden, int outputs, String activation, String outputActivation,
        String optimizer, float learningRate, int batch, int epochs, long seed, String schedule, String backend,
        Sync sync, int averageEvery, String checkpointDir, int checkpointEvery) implements Serializable {

    /** How the tasks stay in step. */
    enum Sync {
        /** every step: the gradient sums of all tasks are added and every task applies the same step */
        GRADIENTS,
        /** every {@code k} local steps: the parameters of all tasks are averaged, weighted by their samples */
        AVERAGE;

        static Sync parse(String name) {
            switch (name) {
                case "gradients": return GRADIENTS;
                case "average": return AVERAGE;
                default: throw new IllegalArgumentException("sync: expected gradients or average, found '" + name + "'");
            }
        }
    }

    FitSettings {
        hidden = hidden.clone();
        // every check before any task starts: a refusal here names the param
        for (int k = 0; k < hidden.length; k++) {
            if (hidden[k] < 1) {
                throw new IllegalArgumentException("layers[" + k + "]: expected a width of at least 1, found " + hidden[k]);
            }
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batchSize: expected at least 1 sample, found " + batch);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs: expected at least 1, found " + epochs);
        }
        if (!Float.isFinite(learningRate) || !(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate: expected a finite number > 0, found " + learningRate);
        }
        if (averageEvery < 1) {
            throw new IllegalArgumentException("averageEvery: expected at least 1 local step, found " + averageEvery);
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpointEvery: expected at least 1 epoch, found " + checkpointEvery);
        }
        config(epochs, batch, learningRate, seed, optimizer, schedule);
        network(inputs, hidden, outputs, activation, outputActivation, seed);
        if (sync == null) {
            throw new IllegalArgumentException("sync: expected gradients or average, found null");
        }
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** The schedule, optimizer, batch, learning rate, epochs and seed as the core trainer names them. */
    TrainerConfig config() {
        return config(epochs, batch, learningRate, seed, optimizer, schedule);
    }

    private static TrainerConfig config(int epochs, int batch, float learningRate, long seed, String optimizer,
                                        String schedule) {
        return TrainerConfig.builder().epochs(epochs).batch(batch).learningRate(learningRate).seed(seed)
                .optimizer(Optimizer.of(optimizerKind(optimizer))).schedule(parseSchedule(schedule)).build();
    }

    private static LearningRateSchedule parseSchedule(String schedule) {
        try {
            return LearningRateSchedule.parse(schedule);
        } catch (IllegalArgumentException e) {
            throw named("schedule", e);
        }
    }

    private static Optimizer.Kind optimizerKind(String optimizer) {
        try {
            return Optimizer.Kind.parse(optimizer);
        } catch (IllegalArgumentException e) {
            throw named("optimizer", e);
        }
    }

    /** The initial network, the same in every task: {@code Network.builder} seeded with {@link #seed}. */
    Network network() {
        return network(inputs, hidden, outputs, activation, outputActivation, seed);
    }

    private static Network network(int inputs, int[] hidden, int outputs, String activation, String outputActivation,
                                   long seed) {
        Activation f = parseActivation("activation", activation);
        Activation output = parseActivation("outputActivation", outputActivation);
        Network.Builder builder = Network.builder(inputs);
        for (int width : hidden) {
            builder.layer(width, f);
        }
        builder.layer(outputs, output);
        if (output == Activation.SOFTMAX) {
            builder.loss(Loss.CROSS_ENTROPY);
        }
        return builder.build(seed);
    }

    private static Activation parseActivation(String field, String name) {
        try {
            return Activation.parse(name);
        } catch (IllegalArgumentException e) {
            throw named(field, e);
        }
    }

    /** {@code e} with its message starting with {@code field:} (the core's parsers may name it already). */
    private static IllegalArgumentException named(String field, IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        return message.startsWith(field + ":") ? e : new IllegalArgumentException(field + ": " + message, e);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FitSettings other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "FitSettings[" + inputs + "-" + Arrays.toString(hidden) + "-" + outputs + ", " + activation + "/"
                + outputActivation + ", " + optimizer + " η=" + learningRate + " B=" + batch + " E=" + epochs + " seed="
                + seed + " " + schedule + " " + backend + " " + sync + "/" + averageEvery + " ckpt=" + checkpointDir
                + "/" + checkpointEvery + "]";
    }
}

package dev.deltaprop.cli;

import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.train.LearningRateSchedule;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * How a network learns, as {@code train} and {@code bench} read it: the loss, the optimizer with
 * its hyper-parameters (DESIGN §1b), and the learning-rate schedule. A picocli mixin. Every value is
 * checked when it is turned into a model value, and an error names the flag; a hyper-parameter the
 * chosen optimizer does not use is refused rather than ignored.
 */
final class LearningOptions {
    @Option(names = "--loss", paramLabel = "NAME",
            description = "squared_error or cross_entropy (default: cross_entropy under a softmax output, else squared_error).")
    String loss;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd (default), momentum, nesterov, adam or adamw.")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "MU", description = "μ of momentum and nesterov, in [0, 1) (default 0.9).")
    Float momentum;

    @Option(names = "--beta1", paramLabel = "B1", description = "β₁ of adam and adamw, in [0, 1) (default 0.9).")
    Float beta1;

    @Option(names = "--beta2", paramLabel = "B2", description = "β₂ of adam and adamw, in [0, 1) (default 0.999).")
    Float beta2;

    @Option(names = "--epsilon", paramLabel = "EPS", description = "ε of adam and adamw, > 0 (default 1e-8).")
    Float epsilon;

    @Option(names = "--weight-decay", paramLabel = "LAMBDA",
            description = "λ ≥ 0: L2 for sgd, momentum, nesterov, adam; decoupled for adamw (default 0; adamw 0.01).")
    Float weightDecay;

    @Option(names = "--schedule", paramLabel = "SHAPE",
            description = "Learning rate by epoch: constant (default), step:K:G (× G every K epochs) or cosine.")
    String schedule;

    @Option(names = "--warmup-epochs", paramLabel = "W",
            description = "Ramp the learning rate up linearly over the first W epochs (× e/W; default 0: none).")
    Integer warmupEpochs;

    /** Whether any of these options was given. */
    boolean anyGiven() {
        return loss != null || optimizer != null || momentum != null || beta1 != null || beta2 != null
                || epsilon != null || weightDecay != null || schedule != null || warmupEpochs != null;
    }

    /** The loss asked for, or null to take the network's default. */
    Loss loss() {
        return loss == null ? null : flag("--loss", () -> Loss.parse(loss));
    }

    /** The optimizer with the hyper-parameters given; plain sgd when none is. */
    Optimizer optimizer() {
        Optimizer.Kind kind = optimizer == null ? Optimizer.Kind.SGD : flag("--optimizer", () -> Optimizer.Kind.parse(optimizer));
        boolean heavyBall = kind == Optimizer.Kind.MOMENTUM || kind == Optimizer.Kind.NESTEROV;
        boolean adam = kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW;
        Optimizer.Builder builder = Optimizer.builder(kind);
        set("--momentum", momentum, heavyBall, "momentum or nesterov", kind, builder::momentum);
        set("--beta1", beta1, adam, "adam or adamw", kind, builder::beta1);
        set("--beta2", beta2, adam, "adam or adamw", kind, builder::beta2);
        set("--epsilon", epsilon, adam, "adam or adamw", kind, builder::epsilon);
        set("--weight-decay", weightDecay, true, "", kind, builder::weightDecay);
        return builder.build();
    }

    /** The schedule with its warm-up; constant without warm-up when neither is given. */
    LearningRateSchedule schedule() {
        LearningRateSchedule shape = schedule == null ? LearningRateSchedule.constant()
                : flag("--schedule", () -> LearningRateSchedule.parse(schedule));
        return warmupEpochs == null ? shape : flag("--warmup-epochs", () -> shape.withWarmup(warmupEpochs));
    }

    private static void set(String flag, Float value, boolean used, String users, Optimizer.Kind kind,
            Consumer<Float> setter) {
        if (value == null) {
            return;
        }
        if (!used) {
            throw new IllegalArgumentException(flag + ": only for --optimizer " + users + ", found --optimizer " + kind);
        }
        flag(flag, () -> {
            setter.accept(value);
            return null;
        });
    }

    /** Runs {@code parse}; its error's leading field name becomes the flag, so the user sees what to change. */
    static <T> T flag(String flag, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            int colon = message.indexOf(": ");
            String reason = colon >= 0 && message.substring(0, colon).matches("[A-Za-z0-9]+") ? message.substring(colon + 2)
                    : message;
            throw new IllegalArgumentException(flag + ": " + reason, e);
        }
    }
}

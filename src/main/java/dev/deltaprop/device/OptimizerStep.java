package dev.deltaprop.device;

import dev.deltaprop.model.Optimizer;

/**
 * The numbers one optimizer step hands to {@code update_gemm_*} or {@code update_reduce}
 * ({@code kernels/optimizer.h}):
 * the rule's code, {@code η} and the hyper-parameters as floats, and Adam's bias corrections for
 * step {@code t}, computed here in double as PyTorch computes them and rounded once:
 * {@code stepSize = η / (1 − β₁ᵗ)} and {@code rootCorrection = √(1 − β₂ᵗ)}. The step count
 * lives on the host, so the device needs no {@code pow}.
 */
final class OptimizerStep {
    /** The arguments of a launch whose epilogue stores gradient sums: the kernel reads none of them. */
    static final OptimizerStep NONE = new OptimizerStep(Optimizer.sgd(), 0f, 0f, 1f);

    final int rule;
    final float learningRate;
    final float momentum;
    final float beta1;
    final float beta2;
    final float epsilon;
    final float weightDecay;
    final float stepSize;
    final float rootCorrection;

    private OptimizerStep(Optimizer optimizer, float learningRate, float stepSize, float rootCorrection) {
        this.rule = optimizer.kind().code();
        this.learningRate = learningRate;
        this.momentum = optimizer.momentum();
        this.beta1 = optimizer.beta1();
        this.beta2 = optimizer.beta2();
        this.epsilon = optimizer.epsilon();
        this.weightDecay = optimizer.weightDecay();
        this.stepSize = stepSize;
        this.rootCorrection = rootCorrection;
    }

    /**
     * Step {@code t ≥ 1} of {@code optimizer} with learning rate {@code η}. For the rules without
     * bias corrections the two corrections are η and 1 (the kernel does not read them).
     */
    static OptimizerStep of(Optimizer optimizer, float learningRate, long t) {
        return new OptimizerStep(optimizer, learningRate, stepSize(optimizer, learningRate, t), rootCorrection(optimizer, t));
    }

    /**
     * {@code η / (1 − β₁ᵗ)} of step {@code t ≥ 1} for Adam and AdamW, in double and rounded once;
     * {@code η} for the others. The engine writes it to {@link StepScalars} each step without an
     * {@code OptimizerStep} (nothing allocated).
     */
    static float stepSize(Optimizer optimizer, float learningRate, long t) {
        if (!corrected(optimizer, t)) {
            return learningRate;
        }
        return (float) (learningRate / (1 - Math.pow(optimizer.beta1(), t)));
    }

    /** {@code √(1 − β₂ᵗ)} of step {@code t ≥ 1} for Adam and AdamW, in double and rounded once; 1 for the others. */
    static float rootCorrection(Optimizer optimizer, long t) {
        if (!corrected(optimizer, t)) {
            return 1f;
        }
        return (float) Math.sqrt(1 - Math.pow(optimizer.beta2(), t));
    }

    /** Whether the rule has bias corrections; refuses {@code t < 1}. */
    private static boolean corrected(Optimizer optimizer, long t) {
        if (t < 1) {
            throw new IllegalArgumentException("t: expected a step number ≥ 1, found " + t);
        }
        Optimizer.Kind kind = optimizer.kind();
        return kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW;
    }
}

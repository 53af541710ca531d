/*
 * optimizer.h — one optimizer step on one parameter (DESIGN §1b: the semantics of PyTorch's
 * torch.optim, so results compare number for number), with g its finished batch-mean gradient:
 *
 *   OPT_SGD      0   g ← g + λ w;   w ← w − η g
 *   OPT_MOMENTUM 1   g ← g + λ w;   v ← μ v + g;   w ← w − η v
 *   OPT_NESTEROV 2   g ← g + λ w;   v ← μ v + g;   w ← w − η (g + μ v)
 *   OPT_ADAM     3   g ← g + λ w;   m ← β₁ m + (1−β₁) g;   s ← β₂ s + (1−β₂) g²;
 *                    w ← w − η m̂ / (√ŝ + ε),   m̂ = m / (1−β₁ᵗ),   ŝ = s / (1−β₂ᵗ)
 *   OPT_ADAMW    4   w ← w − η λ w (decoupled decay, from the w before the step); then adam
 *                    without the λ term
 *
 * The codes are Optimizer.Kind.code() on the Java side (DeviceKernelsTest checks both lists).
 * State lives beside the parameter in device memory, at the parameter's own index: state0 is v
 * (momentum, nesterov) or m (adam, adamw), state1 is s (adam, adamw); a rule never touches a
 * slot it does not have, so those pointers may point anywhere. The step count t lives on the
 * host, which forms the bias corrections as PyTorch does, in double before rounding:
 * step_size = η / (1−β₁ᵗ) and root_correction = √(1−β₂ᵗ), so that
 * w ← w − step_size · m / (√s / root_correction + ε) — the same number as the table's, with no
 * pow on the device. Zero state is the state before the first step (v ← g, as PyTorch's).
 *
 * The numbers that change from step to step — η, step_size, root_correction — are not kernel
 * arguments but three floats of a small device buffer (STEP_SCALARS, at STEP_ETA, STEP_SIZE,
 * STEP_ROOT) that the host writes before a step's launches: a step captured as a CUDA graph then
 * replays with the values of the step it runs (a learning-rate schedule, Adam's t), not those of
 * the step it was captured in. The rule and the hyper-parameters that stay fixed are arguments.
 *
 * This is the epilogue of every pass that ends with a finished gradient: update_gemm_* (update.h)
 * unsplit, update_reduce (split_k.h) once a split update's partial sums are added or after a
 * data-parallel exchange, and the fused small-MLP step (fused_mlp.h): the rule is written once.
 *
 * The rule is a kernel argument (uniform across a launch, so one well-predicted branch per
 * parameter, and one program for every optimizer). Building with -DOPTIMIZER_RULE=n fixes it
 * at compile time instead (the argument is then ignored): the "variant per optimizer" of
 * issue 10, kept so the two can be measured against each other (docs/perf-opencl.md).
 */
#ifndef DELTAPROP_OPTIMIZER_H
#define DELTAPROP_OPTIMIZER_H

#define OPT_SGD 0
#define OPT_MOMENTUM 1
#define OPT_NESTEROV 2
#define OPT_ADAM 3
#define OPT_ADAMW 4

/* The hyper-parameters of one step, the same for every parameter of a launch. */
typedef struct {
    int rule;               /* OPT_* */
    float learning_rate;    /* η */
    float momentum;         /* μ */
    float beta1;            /* β₁ */
    float beta2;            /* β₂ */
    float epsilon;          /* ε */
    float weight_decay;     /* λ */
    float step_size;        /* η / (1 − β₁ᵗ) */
    float root_correction;  /* √(1 − β₂ᵗ) */
} optimizer_args;

/* Where the per-step numbers sit in the step-scalar buffer (OptimizerStep.SCALARS on the host). */
#define STEP_ETA 0
#define STEP_SIZE 1
#define STEP_ROOT 2
#define STEP_SCALARS 3

/* The arguments of one launch: the fixed numbers as passed, the per-step ones from the buffer. */
DEVICE_FN optimizer_args optimizer_args_of(int rule, GLOBAL const float* RESTRICT step_scalars, float momentum,
                                           float beta1, float beta2, float epsilon, float weight_decay)
{
    optimizer_args o;
    o.rule = rule;
    o.learning_rate = step_scalars[STEP_ETA];
    o.momentum = momentum;
    o.beta1 = beta1;
    o.beta2 = beta2;
    o.epsilon = epsilon;
    o.weight_decay = weight_decay;
    o.step_size = step_scalars[STEP_SIZE];
    o.root_correction = step_scalars[STEP_ROOT];
    return o;
}

#ifdef OPTIMIZER_RULE
#define OPTIMIZER_RULE_OF(o) OPTIMIZER_RULE
#else
#define OPTIMIZER_RULE_OF(o) ((o).rule)
#endif

/* The new value of parameter w with gradient g; updates its state at state0[at], state1[at]. */
DEVICE_FN float optimizer_step(const optimizer_args o, float w, float g, GLOBAL float* RESTRICT state0,
                               GLOBAL float* RESTRICT state1, long at)
{
    const int rule = OPTIMIZER_RULE_OF(o);
    if (rule == OPT_ADAMW) {
        w -= o.learning_rate * o.weight_decay * w;
    } else {
        g += o.weight_decay * w;
    }
    switch (rule) {
    case OPT_MOMENTUM:
    case OPT_NESTEROV: {
        const float v = o.momentum * state0[at] + g;
        state0[at] = v;
        return w - o.learning_rate * (rule == OPT_NESTEROV ? g + o.momentum * v : v);
    }
    case OPT_ADAM:
    case OPT_ADAMW: {
        const float m = o.beta1 * state0[at] + (1.0f - o.beta1) * g;
        const float s = o.beta2 * state1[at] + (1.0f - o.beta2) * g * g;
        state0[at] = m;
        state1[at] = s;
        return w - o.step_size * m / (sqrt(s) / o.root_correction + o.epsilon);
    }
    default:
        return w - o.learning_rate * g;
    }
}

#endif

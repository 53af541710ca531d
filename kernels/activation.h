/*
 * activation.h — f(u) and f'(u) for every activation, by the number Activation.code() gives it
 * on the Java side (the two lists must agree; DeviceKernelsTest checks every code).
 *
 *   ACT_IDENTITY   0  f = u                         f' = 1
 *   ACT_SIGMOID    1  f = 1 / (1 + e^-u)            f' = z (1 - z), from u when z > 0.75
 *   ACT_TANH       2  f = tanh u                    f' = 1 - z^2, from u when |z| > 0.75
 *   ACT_RELU       3  f = max(0, u)                 f' = 1 if u > 0 else 0   (f'(0) = 0)
 *   ACT_LEAKY_RELU 4  f = u if u > 0 else 0.01 u    f' = 1 if u > 0 else 0.01 (f'(0) = 0.01)
 *   ACT_SOFTPLUS   5  f = log(1 + e^u)              f' = 1 / (1 + e^-u)
 *   ACT_SOFTMAX    6  y_j = e^{u_j - m} / Σ_k e^{u_k - m}, m = max_k u_k, over a whole sample row
 *                     (output layer only; with cross entropy δ = y - d, so no f' is ever taken)
 *
 * Softmax is not elementwise: the forward GEMM's tile does not own a whole row, so forward_gemm
 * writes z = u for it (activate() is the identity for ACT_SOFTMAX) and a row pass, softmax_row(),
 * normalises each sample afterwards (delta_output_softmax while training, forward_softmax in
 * predict).
 *
 * f' takes both u and z = f(u), because forward keeps both. Sigmoid's and tanh's are cheapest
 * from z, and exact enough there while z is away from ±1; but in float32 z (1 - z) and 1 - z^2
 * cancel to rounding noise, and then to 0, as z nears ±1 (z rounds to 1 from |u| ≈ 9 for tanh,
 * 17 for sigmoid), where the true f' is small but not noise. So past |z| = 0.75 they are taken
 * from u, with one exp: σ' = e^-|u| / (1 + e^-|u|)^2, tanh' = 4 e^-2|u| / (1 + e^-2|u|)^2, which
 * keep float's relative precision at every u. It matters where a rule normalises the gradient:
 * Adam steps about η·sign(g) for any |g| ≫ ε, so a saturated unit's g that is rounding noise
 * moves its weights by η. On the raw 0–16 pixels of data/digits.csv with tanh, one Adam step
 * with f' from z left the weights 6e-3 (relative) off the float64 reference; from u, 1e-7.
 * (From u everywhere costs an exp per element: on PoCL that made delta_hidden of bench's tiny
 * tanh workload 3.4× slower; the branch keeps it within about 1.4×.)
 *
 * The activation is a kernel argument (uniform across a launch), so one program serves every
 * layer and the switch costs one predictable branch.
 */
#ifndef DELTAPROP_ACTIVATION_H
#define DELTAPROP_ACTIVATION_H

#define ACT_IDENTITY 0
#define ACT_SIGMOID 1
#define ACT_TANH 2
#define ACT_RELU 3
#define ACT_LEAKY_RELU 4
#define ACT_SOFTPLUS 5
#define ACT_SOFTMAX 6

#define LEAKY_SLOPE 0.01f

/* 1 / (1 + e^-u) in two branches, so that e^|u| never overflows into inf/inf. */
DEVICE_FN float sigmoid(float u)
{
    if (u >= 0.0f) {
        return 1.0f / (1.0f + exp(-u));
    }
    float e = exp(u);
    return e / (1.0f + e);
}

/* log(1 + e^u) = max(u, 0) + log1p(e^-|u|): exact for large |u|, never overflows */
DEVICE_FN float softplus(float u)
{
    return fmax(u, 0.0f) + log1p(exp(-fabs(u)));
}

/* ACT_SOFTMAX (and any unknown code) is the identity here: softmax_row() normalises the row. */
DEVICE_FN float activate(int activation, float u)
{
    switch (activation) {
    case ACT_SIGMOID:
        return sigmoid(u);
    case ACT_TANH:
        return tanh(u);
    case ACT_RELU:
        return u > 0.0f ? u : 0.0f;
    case ACT_LEAKY_RELU:
        return u > 0.0f ? u : LEAKY_SLOPE * u;
    case ACT_SOFTPLUS:
        return softplus(u);
    default:
        return u;
    }
}

DEVICE_FN float derivative(int activation, float u, float z)
{
    switch (activation) {
    case ACT_SIGMOID:
        /* z near 0 is exact (sigmoid() computes it as e / (1 + e)); near 1, 1 − z cancels */
        if (z <= 0.75f) {
            return z * (1.0f - z);
        } else {
            const float e = exp(-fabs(u));
            const float s = 1.0f + e;
            return e / (s * s);
        }
    case ACT_TANH:
        /* 1 − z² is exact enough until |z| nears 1, where it cancels: then from u */
        if (fabs(z) <= 0.75f) {
            return 1.0f - z * z;
        } else {
            const float e = exp(-2.0f * fabs(u));
            const float s = 1.0f + e;
            return 4.0f * e / (s * s);
        }
    case ACT_RELU:
        return u > 0.0f ? 1.0f : 0.0f;
    case ACT_LEAKY_RELU:
        return u > 0.0f ? 1.0f : LEAKY_SLOPE;
    case ACT_SOFTPLUS:
        return sigmoid(u);
    default:
        return 1.0f;
    }
}

/*
 * One sample of a softmax layer: y[j] = e^{u_j - m} / Σ_k e^{u_k - m} for j < n, with
 * m = max_k u_k, so every exponent is ≤ 0 and no logit, however large, overflows (the largest
 * term is e^0 = 1, so the sum is in [1, n]). Writes m to *max and returns log Σ_k e^{u_k - m},
 * from which the cross entropy follows without ever taking log y (DESIGN §1b):
 * -log y_j = (m - u_j) + log Σ_k e^{u_k - m}, a sum of two non-negative finite numbers.
 */
DEVICE_FN float softmax_row(GLOBAL const float* RESTRICT u, GLOBAL float* RESTRICT y, int n, float* max)
{
    float m = u[0];
    for (int j = 1; j < n; ++j) {
        m = fmax(m, u[j]);
    }
    float sum = 0.0f;
    for (int j = 0; j < n; ++j) {
        const float e = exp(u[j] - m);
        y[j] = e;
        sum += e;
    }
    const float inverse = 1.0f / sum;
    for (int j = 0; j < n; ++j) {
        y[j] *= inverse;
    }
    *max = m;
    return log(sum);
}

#endif

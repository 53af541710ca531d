package dev.deltaprop.cpu;

import dev.deltaprop.model.Optimizer;

/**
 * One step of an {@link Optimizer} (DESIGN §1b) in float, as the update GEMM's epilogue applies
 * it: for each parameter {@code w} of a finished tile, {@code g = sum / B} from the accumulator,
 * weight decay, the rule, and the new {@code w} and state written back, so the gradient is never
 * stored (the state arrays are laid out like the parameters they belong to).
 *
 * <table>
 * <caption>Per parameter, with {@code g' = g + λ w} for all but adamw</caption>
 * <tr><th>rule</th><th>state</th><th>step</th></tr>
 * <tr><td>sgd</td><td>—</td><td>{@code w ← w − η g'}</td></tr>
 * <tr><td>momentum</td><td>{@code v}</td><td>{@code v ← μ v + g'}, {@code w ← w − η v}</td></tr>
 * <tr><td>nesterov</td><td>{@code v}</td><td>{@code v ← μ v + g'}, {@code w ← w − η (g' + μ v)}</td></tr>
 * <tr><td>adam</td><td>{@code m, s}</td><td>{@code m ← β₁ m + (1−β₁) g'}, {@code s ← β₂ s + (1−β₂) g'²},
 *     {@code w ← w − (η/(1−β₁ᵗ)) m / (√s / √(1−β₂ᵗ) + ε)}</td></tr>
 * <tr><td>adamw</td><td>{@code m, s}</td><td>{@code w ← w (1 − ηλ)}, then adam with {@code g}</td></tr>
 * </table>
 *
 * <p>The bias corrections depend on {@code t} only, so they are computed once per step in double
 * ({@link #set}) and rounded to float; Adam's step size and denominator are in PyTorch's form.
 * Plain sgd without decay keeps the one multiply-subtract {@code w ← w − (η/B) sum} it has always
 * had. Set before a phase, then only read while the threads run it; it allocates nothing.
 *
 * <p>A row of weights is stepped on whole vectors ({@code VectorOptimizerRows}, the Vector API)
 * where the JVM has {@code jdk.incubator.vector}: the update GEMM hands its epilogue a finished
 * block of sums while it is in cache, and adam's square root and division per weight, scalar,
 * made that epilogue cost as much as the GEMM (docs/perf-cpu.md).
 */
final class OptimizerStep {
    /**
     * {@link #weights} on whole vectors: the same operations in the same order per parameter as the
     * scalar rule (multiply, add, square root and divide are each correctly rounded in both), so a
     * weight's new value does not depend on whether its column fell in a vector or in the tail.
     */
    interface VectorRows {
        void weights(OptimizerStep rule, float[] w, float[] first, float[] second, int offset, float[] sums,
                     int sumsOffset, int count);
    }

    /** Rows shorter than this stay scalar: a vector loop's set-up is not worth a few lanes. */
    private static final int MIN_VECTOR_COUNT = 8;
    /** The Vector API rows when {@code jdk.incubator.vector} is loaded and the cpu kernel is not forced scalar, else null. */
    private static final VectorRows VECTOR_ROWS = vectorRows();

    /** Whether rows are stepped on the Vector API here. */
    static boolean vectorised() {
        return VECTOR_ROWS != null;
    }

    private static VectorRows vectorRows() {
        if (!MicroKernels.vectorAvailable() || "scalar".equalsIgnoreCase(System.getProperty(MicroKernels.PROPERTY, "auto").trim())) {
            return null;
        }
        try {
            return (VectorRows) Class.forName("dev.deltaprop.cpu.VectorOptimizerRows").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null; // the scalar rule is exact too, only slower
        }
    }

    // package-private, read-only outside set(): VectorOptimizerRows steps with the same constants
    Optimizer.Kind kind = Optimizer.Kind.SGD;
    boolean plainSgd = true;
    int batch = 1;
    float inverseBatch = 1f;
    /** {@code η/B}: plain sgd's one factor. */
    float sgdScale;
    float learningRate;
    float weightDecay;
    float momentum;
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float oneMinusBeta2;
    float epsilon;
    /** {@code η / (1 − β₁ᵗ)}. */
    float stepSize;
    /** {@code √(1 − β₂ᵗ)}. */
    float rootCorrection2;
    /** adamw: {@code 1 − ηλ}. */
    float decayFactor;

    /** The constants of step {@code t} (from 1) of {@code optimizer} on a batch of {@code batch}. */
    void set(Optimizer optimizer, long t, float learningRate, int batch) {
        this.kind = optimizer.kind();
        this.batch = batch;
        this.inverseBatch = 1f / batch;
        this.learningRate = learningRate;
        this.sgdScale = learningRate / batch;
        this.weightDecay = optimizer.weightDecay();
        this.plainSgd = kind == Optimizer.Kind.SGD && weightDecay == 0f;
        this.momentum = optimizer.momentum();
        this.beta1 = optimizer.beta1();
        this.beta2 = optimizer.beta2();
        this.oneMinusBeta1 = (float) (1.0 - beta1);
        this.oneMinusBeta2 = (float) (1.0 - beta2);
        this.epsilon = optimizer.epsilon();
        this.stepSize = (float) (learningRate / (1.0 - Math.pow(beta1, t)));
        this.rootCorrection2 = (float) Math.sqrt(1.0 - Math.pow(beta2, t));
        this.decayFactor = (float) (1.0 - (double) learningRate * weightDecay);
    }

    /**
     * The step for {@code count} weights {@code w[offset + k]} from the batch sums
     * {@code sums[sumsOffset + k] = Σ_b z_bi δ_bj} (the GEMM's accumulator); {@code first} and
     * {@code second} are the state slots ({@code v}, or {@code m} and {@code s}; unused ones may
     * be {@code null}), indexed like {@code w}.
     */
    void weights(float[] w, float[] first, float[] second, int offset, float[] sums, int sumsOffset, int count) {
        // plain sgd too: C2 (JDK 17) left its scalar loop at 0.84 ns a weight in 256-wide rows on
        // Zen 3, the vector rows take 0.21 (docs/perf.md, "cpu on an AVX2 machine")
        if (VECTOR_ROWS != null && count >= MIN_VECTOR_COUNT) {
            VECTOR_ROWS.weights(this, w, first, second, offset, sums, sumsOffset, count);
            return;
        }
        scalarWeights(w, first, second, offset, sums, sumsOffset, count);
    }

    /** {@link #weights} one parameter at a time; also the tail of the vector rows, so both give the same bits. */
    void scalarWeights(float[] w, float[] first, float[] second, int offset, float[] sums, int sumsOffset, int count) {
        if (plainSgd) {
            float scale = sgdScale;
            for (int k = 0; k < count; k++) {
                w[offset + k] -= scale * sums[sumsOffset + k];
            }
            return;
        }
        float inverse = inverseBatch;
        switch (kind) {
            case SGD:
                for (int k = 0; k < count; k++) {
                    sgd(w, offset + k, sums[sumsOffset + k] * inverse);
                }
                break;
            case MOMENTUM:
                for (int k = 0; k < count; k++) {
                    momentum(w, first, offset + k, sums[sumsOffset + k] * inverse);
                }
                break;
            case NESTEROV:
                for (int k = 0; k < count; k++) {
                    nesterov(w, first, offset + k, sums[sumsOffset + k] * inverse);
                }
                break;
            case ADAM:
                for (int k = 0; k < count; k++) {
                    adam(w, first, second, offset + k, sums[sumsOffset + k] * inverse);
                }
                break;
            case ADAMW:
                for (int k = 0; k < count; k++) {
                    adamw(w, first, second, offset + k, sums[sumsOffset + k] * inverse);
                }
                break;
            default:
                throw new IllegalStateException("optimizer: no cpu rule for " + kind);
        }
    }

    /**
     * The step for bias {@code b[j]} from {@code sum = Σ_b δ_bj}, summed in double by the caller
     * (a column of δ often nearly cancels; a float sum would lose the step's leading digits).
     */
    void bias(float[] b, float[] first, float[] second, int j, double sum) {
        if (plainSgd) {
            b[j] = (float) (b[j] - sgdScale * sum);
            return;
        }
        float g = (float) (sum / batch);
        switch (kind) {
            case SGD:
                sgd(b, j, g);
                break;
            case MOMENTUM:
                momentum(b, first, j, g);
                break;
            case NESTEROV:
                nesterov(b, first, j, g);
                break;
            case ADAM:
                adam(b, first, second, j, g);
                break;
            case ADAMW:
                adamw(b, first, second, j, g);
                break;
            default:
                throw new IllegalStateException("optimizer: no cpu rule for " + kind);
        }
    }

    void sgd(float[] w, int k, float g) {
        float gk = g + weightDecay * w[k];
        w[k] -= learningRate * gk;
    }

    void momentum(float[] w, float[] v, int k, float g) {
        float gk = g + weightDecay * w[k];
        float vk = momentum * v[k] + gk;
        v[k] = vk;
        w[k] -= learningRate * vk;
    }

    void nesterov(float[] w, float[] v, int k, float g) {
        float gk = g + weightDecay * w[k];
        float vk = momentum * v[k] + gk;
        v[k] = vk;
        w[k] -= learningRate * (gk + momentum * vk);
    }

    void adam(float[] w, float[] m, float[] s, int k, float g) {
        float gk = g + weightDecay * w[k];
        moments(w, m, s, k, gk);
    }

    void adamw(float[] w, float[] m, float[] s, int k, float g) {
        w[k] *= decayFactor;
        moments(w, m, s, k, g);
    }

    /** Adam's moments and step from {@code g} (after any L2 term). */
    private void moments(float[] w, float[] m, float[] s, int k, float g) {
        float mk = beta1 * m[k] + oneMinusBeta1 * g;
        float sk = beta2 * s[k] + oneMinusBeta2 * (g * g);
        m[k] = mk;
        s[k] = sk;
        float denominator = (float) Math.sqrt(sk) / rootCorrection2 + epsilon;
        w[k] -= stepSize * mk / denominator;
    }
}

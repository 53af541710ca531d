package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;

/**
 * The output δ and loss of DESIGN §1b over a run {@code [offset, offset + count)} of one sample's
 * outputs, in float with the loss in double: what the last forward layer's epilogue computes on
 * each finished tile (the tile is still in L1), and what the separate δ phase computes per sample
 * where a tile cannot hold a whole softmax row.
 */
final class OutputDelta {
    private OutputDelta() {
    }

    /**
     * {@code δ = ∂E/∂u} over the run and its part of the sample's {@code E}: squared error
     * {@code (y − d) ⊙ f'(u)}, {@code ½ Σ (y − d)²}; sigmoid cross entropy {@code y − d},
     * {@code Σ softplus(u) − d u}. Not softmax ({@link #softmaxCrossEntropy}: it needs the whole row).
     */
    static double run(Loss loss, Activation f, float[] y, float[] d, float[] u, float[] delta, int offset, int count) {
        return loss == Loss.SQUARED_ERROR ? squaredError(y, d, u, f, delta, offset, count)
                : sigmoidCrossEntropy(y, d, u, delta, offset, count);
    }

    /** {@code δ = (y − d) ⊙ f'(u)}; returns {@code ½ Σ_j (y_j − d_j)²} summed in increasing {@code j}. */
    static double squaredError(float[] y, float[] d, float[] u, Activation f, float[] delta, int offset, int count) {
        double sum = 0;
        for (int j = offset; j < offset + count; j++) {
            float error = y[j] - d[j];
            sum += 0.5 * error * error;
            delta[j] = error;
        }
        ActivationKernels.multiplyDerivative(f, delta, offset, u, y, offset, delta, offset, count);
        return sum;
    }

    /** {@code δ = y − d}; returns {@code Σ_j softplus(u_j) − d_j u_j}. */
    static double sigmoidCrossEntropy(float[] y, float[] d, float[] u, float[] delta, int offset, int count) {
        double sum = 0;
        for (int j = offset; j < offset + count; j++) {
            double uj = u[j];
            float dj = d[j];
            delta[j] = y[j] - dj;
            sum += Math.max(uj, 0.0) + Math.log1p(Math.exp(-Math.abs(uj))) - dj * uj;
        }
        return sum;
    }

    /**
     * {@code y = softmax(u)} over the whole row of {@code n} outputs, {@code δ = y − d}; returns
     * {@code Σ_j d_j (log Σ_k e^{u_k} − u_j)}, every exponent ≤ 0.
     */
    static double softmaxCrossEntropy(float[] u, float[] y, float[] d, float[] delta, int offset, int n) {
        double logPartition = ActivationKernels.softmax(u, offset, y, offset, n);
        double sum = 0;
        for (int j = offset; j < offset + n; j++) {
            float dj = d[j];
            delta[j] = y[j] - dj;
            sum += dj * (logPartition - u[j]);
        }
        return sum;
    }
}

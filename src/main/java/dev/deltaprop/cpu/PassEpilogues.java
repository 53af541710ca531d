package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;

/**
 * What each GEMM pass of {@link Passes} does with a finished tile while it is still in L1, each
 * holding its {@link GemmJob}: the forward layer's bias and {@code f} (and, on the output layer,
 * the output δ with the loss, {@link OutputDelta}); the δ pass's {@code ⊙ f'}; both gathering δ's
 * {@link ColumnSums}; and the update's optimizer step ({@link OptimizerStep}) with the bias step
 * from those sums. Fields are set by {@link Passes} before a phase and only read while it runs.
 */
final class PassEpilogues {
    private PassEpilogues() {
    }

    /** Bias and {@code f}; on the output layer also the output δ, the loss and δ's column sums. */
    static final class Forward implements Epilogue {
        final GemmJob job = new GemmJob();
        float[] bias, u, z;
        int nOut;
        Activation f;
        /** The output layer's δ, when {@code loss} is set ({@link #forwardOutput}). */
        Loss loss;
        float[] d, delta;
        double[] partialLoss;
        ColumnSums sums;
        int panels;

        /** Blocks but on the output layer, whose loss is kept per sample and column panel of a tile. */
        @Override
        public boolean takesBlocks() {
            return loss == null;
        }

        @Override
        public void apply(float[] tile, int stride, int row, int column, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                int out = (row + r) * nOut + column;
                int t = r * stride;
                for (int j = 0; j < cols; j++) {
                    u[out + j] = tile[t + j] + bias[column + j];
                }
                if (f != Activation.SOFTMAX) {
                    ActivationKernels.apply(f, u, out, z, out, cols);
                }
                if (loss != null) {
                    // the softmax row is whole here: forwardOutput fuses it only when nOut ≤ NR
                    partialLoss[(row + r) * panels + column / job.nr()] = f == Activation.SOFTMAX
                            ? OutputDelta.softmaxCrossEntropy(u, z, d, delta, out, cols)
                            : OutputDelta.run(loss, f, z, d, u, delta, out, cols);
                }
            }
            if (loss != null) {
                sums.add(delta, row, column, rows, cols);
            }
        }
    }

    /** {@code ⊙ f'}, and δ's column sums. */
    static final class DeltaHidden implements Epilogue {
        final GemmJob job = new GemmJob();
        float[] u, z, delta;
        int n;
        Activation f;
        ColumnSums sums;

        @Override
        public boolean takesBlocks() {
            return true;
        }

        @Override
        public void apply(float[] tile, int stride, int row, int column, int rows, int cols) {
            for (int r = 0; r < rows; r++) {
                int out = (row + r) * n + column;
                ActivationKernels.multiplyDerivative(f, tile, r * stride, u, z, out, delta, out, cols);
            }
            if (sums != null) {
                // a block holds whole MR-row panels, in increasing order: ColumnSums' one definition
                int mr = job.mr();
                for (int panel = 0; panel < rows; panel += mr) {
                    sums.add(delta, row + panel, column, Math.min(mr, rows - panel), cols);
                }
            }
        }
    }

    /** The optimizer step of each finished gradient tile, the bias step with the tiles of {@code W}'s first rows (or the sums stored). */
    static final class Update implements Epilogue {
        final GemmJob job = new GemmJob();
        float[] w, bias, delta;
        float[] weightFirst, weightSecond, biasFirst, biasSecond;
        int batch, nOut, mr;
        OptimizerStep rule;
        ColumnSums columnSums;
        /** When set, the sums are stored here from {@link #sumsAt} (weights, then bias) and nothing is stepped. */
        float[] sums;
        int sumsAt;

        @Override
        public boolean takesBlocks() {
            return true;
        }

        @Override
        public void apply(float[] tile, int stride, int row, int column, int rows, int cols) {
            int nIn = job.rows();
            for (int r = 0; r < rows; r++) {
                if (sums != null) {
                    System.arraycopy(tile, r * stride, sums, sumsAt + (row + r) * nOut + column, cols);
                } else {
                    rule.weights(w, weightFirst, weightSecond, (row + r) * nOut + column, tile, r * stride, cols);
                }
            }
            if (row != 0) {
                return;
            }
            // the tile of W's first rows steps the bias of its columns: each column exactly once
            for (int j = column; j < column + cols; j++) {
                // in double: a column of δ often nearly cancels, and a float sum of it would lose
                // the bias step's leading digits
                double sum = columnSums != null ? columnSums.sum(j, batch) : ColumnSums.of(delta, batch, nOut, mr, j);
                if (sums != null) {
                    sums[sumsAt + nIn * nOut + j] = (float) sum;
                } else {
                    rule.bias(bias, biasFirst, biasSecond, j, sum);
                }
            }
        }
    }
}

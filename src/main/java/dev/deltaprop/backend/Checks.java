package dev.deltaprop.backend;

import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.nio.FloatBuffer;

/**
 * The argument checks every backend makes before any work, so that every backend refuses the
 * same bad input with the same message (the field, the expected value, what was found).
 */
public final class Checks {
    private Checks() {
    }

    /** A batch of {@code batch} samples of {@code inputs} x-values and {@code outputs} d-values, all finite. */
    public static void batch(float[] x, float[] d, int batch, int inputs, int outputs) {
        inputs(x, batch, inputs);
        if (d == null) {
            throw new IllegalArgumentException("d: expected " + (long) batch * outputs + " numbers, found null");
        }
        if (d.length != (long) batch * outputs) {
            throw new IllegalArgumentException("d: expected " + (long) batch * outputs + " numbers (batch " + batch
                    + " × " + outputs + " outputs), found " + d.length);
        }
        finite("d", d, outputs);
    }

    /** The inputs of a batch: {@code batch ≥ 1}, {@code batch × inputs} finite numbers. */
    public static void inputs(float[] x, int batch, int inputs) {
        batchSize(batch);
        if (x == null) {
            throw new IllegalArgumentException("x: expected " + (long) batch * inputs + " numbers, found null");
        }
        if (x.length != (long) batch * inputs) {
            throw new IllegalArgumentException("x: expected " + (long) batch * inputs + " numbers (batch " + batch
                    + " × " + inputs + " inputs), found " + x.length);
        }
        finite("x", x, inputs);
    }

    /** As {@link #batch(float[], float[], int, int, int)} for buffers, from their positions. */
    public static void batch(FloatBuffer x, FloatBuffer d, int batch, int inputs, int outputs) {
        batchSize(batch);
        buffer("x", x, (long) batch * inputs, inputs);
        buffer("d", d, (long) batch * outputs, outputs);
    }

    private static void buffer(String field, FloatBuffer buffer, long expected, int width) {
        if (buffer == null) {
            throw new IllegalArgumentException(field + ": expected " + expected + " numbers, found null");
        }
        if (buffer.remaining() < expected) {
            throw new IllegalArgumentException(field + ": expected at least " + expected + " numbers remaining, found "
                    + buffer.remaining());
        }
        int start = buffer.position();
        for (int k = 0; k < expected; k++) {
            float v = buffer.get(start + k);
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(field + "[" + k / width + "][" + k % width
                        + "]: expected a finite number, found " + v);
            }
        }
    }

    /** {@code B ≥ 1}. */
    public static void batchSize(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected at least 1 sample, found " + batch);
        }
    }

    /** {@code η} finite and {@code > 0}. */
    public static void learningRate(float learningRate) {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate: expected a finite number > 0, found " + learningRate);
        }
    }

    /** Every value finite; the message names the sample and column of the first that is not. */
    public static void finite(String field, float[] values, int width) {
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new IllegalArgumentException(field + "[" + k / width + "][" + k % width
                        + "]: expected a finite number, found " + values[k]);
            }
        }
    }

    /** {@code [offset, offset + batch)} lies within {@code [0, samples)}. */
    public static void range(int offset, int batch, int samples) {
        batchSize(batch);
        if (offset < 0 || (long) offset + batch > samples) {
            throw new IllegalArgumentException("offset: expected 0 ≤ offset and offset + batch ≤ " + samples
                    + ", found offset " + offset + ", batch " + batch);
        }
    }

    /** {@code order} is a permutation of {@code 0 .. samples-1}; returns it. */
    public static int[] permutation(int[] order, int samples) {
        if (order == null || order.length != samples) {
            throw new IllegalArgumentException("order: expected a permutation of " + samples + " samples, found "
                    + (order == null ? "null" : order.length + " numbers"));
        }
        boolean[] seen = new boolean[samples];
        for (int k = 0; k < samples; k++) {
            int s = order[k];
            if (s < 0 || s >= samples || seen[s]) {
                throw new IllegalArgumentException("order[" + k + "]: expected a sample index in [0, " + samples
                        + ") not used before, found " + s);
            }
            seen[s] = true;
        }
        return order;
    }

    /**
     * Layer {@code index} of {@code shape} with trained parameters copied out of a backend; a
     * parameter that is not finite is refused naming the layer ({@code layers[1].weights[7]: …}).
     */
    public static Layer trainedLayer(Network shape, int index, float[] weights, float[] bias) {
        try {
            return shape.layer(index).withParameters(weights, bias);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layers[" + index + "]." + e.getMessage(), e);
        }
    }

    /**
     * A flat gradient of {@link GradientExchange#gradientLength()} floats, for
     * {@link GradientExchange#readGradient} and {@link GradientExchange#writeGradient}.
     *
     * @throws IllegalArgumentException naming {@code field} and the length expected
     */
    public static void gradient(String field, float[] values, int length) {
        if (values == null || values.length != length) {
            throw new IllegalArgumentException(field + ": expected " + length + " floats (the flat gradient), found "
                    + (values == null ? "null" : values.length));
        }
    }

    /** {@code values[offset .. offset + count)} lies inside {@code values}: one layer's part of a flat gradient. */
    public static void slice(String field, float[] values, int offset, int count) {
        if (values == null || offset < 0 || (long) offset + count > values.length) {
            throw new IllegalArgumentException(field + ": expected " + count + " floats from offset " + offset
                    + " (one layer's gradient), found " + (values == null ? "null" : values.length + " floats in all"));
        }
    }

    /** {@code 0, 1, …, n-1}. */
    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        return order;
    }
}

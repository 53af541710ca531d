package dev.deltaprop.io;

import java.util.Objects;

/**
 * Samples read from a data file: inputs {@code x} and teacher values {@code d}, batch-major
 * (sample {@code s}'s input is {@code x[s·inputs .. (s+1)·inputs)}). A table for prediction may
 * have no teacher values ({@code outputs = 0}). Immutable: arrays are copied in and out.
 */
public final class DataTable {
    private final float[] x;
    private final float[] d;
    private final int samples;
    private final int inputs;
    private final int outputs;

    /**
     * @throws IllegalArgumentException naming the field when a size does not match
     */
    public DataTable(float[] x, float[] d, int samples, int inputs, int outputs) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(d, "d");
        if (samples < 0 || inputs < 1 || outputs < 0) {
            throw new IllegalArgumentException("samples, inputs, outputs: expected ≥ 0, ≥ 1, ≥ 0, found " + samples
                    + ", " + inputs + ", " + outputs);
        }
        if (x.length != (long) samples * inputs) {
            throw new IllegalArgumentException("x: expected " + (long) samples * inputs + " numbers, found " + x.length);
        }
        if (d.length != (long) samples * outputs) {
            throw new IllegalArgumentException("d: expected " + (long) samples * outputs + " numbers, found " + d.length);
        }
        this.x = x.clone();
        this.d = d.clone();
        this.samples = samples;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /** A copy of the inputs, {@code samples × inputs}. */
    public float[] x() {
        return x.clone();
    }

    /** A copy of the teacher values, {@code samples × outputs}. */
    public float[] d() {
        return d.clone();
    }

    public int samples() {
        return samples;
    }

    /** {@code n_0}, x-values per sample. */
    public int inputs() {
        return inputs;
    }

    /** {@code n_L}, d-values per sample (0 for a table of inputs only). */
    public int outputs() {
        return outputs;
    }
}

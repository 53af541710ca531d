package dev.deltaprop.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A 1-D or 2-D array of numbers as a NumPy {@code .npy} file holds it: the values in C order
 * (row-major: element {@code (r, c)} at {@code r·columns + c}) and the shape. Values are kept as
 * {@code float}, whatever the file's dtype was. Immutable: the values are copied in and out.
 */
public final class NpyArray {
    private final float[] values;
    private final int[] shape;

    /**
     * @param values the elements in C order, {@code rows · columns} of them
     * @param shape  {@code (rows)} or {@code (rows, columns)}, each {@code ≥ 0}
     * @throws IllegalArgumentException naming the argument when the shape has not 1 or 2
     *                                  dimensions, has a negative one, or does not match {@code values.length}
     */
    public NpyArray(float[] values, int... shape) {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(shape, "shape");
        if (shape.length < 1 || shape.length > 2) {
            throw new IllegalArgumentException("shape: expected 1 or 2 dimensions, found " + shape.length);
        }
        long count = 1;
        for (int extent : shape) {
            if (extent < 0) {
                throw new IllegalArgumentException("shape: expected extents ≥ 0, found " + Arrays.toString(shape));
            }
            count *= extent;
        }
        if (count != values.length) {
            throw new IllegalArgumentException("values: expected " + count + " numbers for shape "
                    + describe(shape) + ", found " + values.length);
        }
        this.values = values.clone();
        this.shape = shape.clone();
    }

    /** @return a copy of the elements, in C order */
    public float[] values() {
        return values.clone();
    }

    /** @return a copy of the shape, 1 or 2 extents */
    public int[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions, 1 or 2 */
    public int dimensions() {
        return shape.length;
    }

    /** @return the first extent: samples, when rows are samples */
    public int rows() {
        return shape[0];
    }

    /** @return the second extent, or 1 for a 1-D array (a column) */
    public int columns() {
        return shape.length == 2 ? shape[1] : 1;
    }

    /** @return the shape as Python writes it: {@code (5,)} or {@code (5, 3)} */
    public String shapeText() {
        return describe(shape);
    }

    static String describe(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder text = new StringBuilder("(");
        for (int k = 0; k < shape.length; k++) {
            text.append(k == 0 ? "" : ", ").append(shape[k]);
        }
        return text.append(')').toString();
    }

    @Override
    public String toString() {
        return "float32 array of shape " + shapeText();
    }
}

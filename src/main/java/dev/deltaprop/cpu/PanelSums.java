package dev.deltaprop.cpu;

/**
 * One panel's column sums for {@link ColumnSums}: for each column {@code j < cols}, the rows
 * {@code x_r = delta[from + r·n + j]}, {@code r < rows}, summed in float in increasing {@code r} with
 * Knuth's TwoSum, the sum in {@code s[at + j]} and the rounding errors it dropped, summed, in
 * {@code c[at + j]}:
 *
 * <pre>
 *   t = s + x;  b = t − s;  e = (s − (t − b)) + (x − b);  s = t;  c = c + e      (s = c = +0 first)
 * </pre>
 *
 * <p>{@code e} is exactly what {@code s + x} rounded away, so {@code s + c} carries the panel's sum
 * to about {@code rows · 2⁻⁴⁸} of {@code Σ|x|}: what summing in double gave, without a lane
 * conversion (on JDK 17 one float-to-double {@code convertShape} anywhere in the JVM made the tanh
 * kernels box; docs/perf.md). Plain float adds and subtracts, in one order: the scalar
 * {@link #SCALAR} and {@code VectorPanelSums} on the Vector API ({@code src/main/vector}, loaded by
 * name where the JVM has the module, as {@link Derivatives} is) give the same bits.
 */
interface PanelSums {

    /** {@code s[at + j]} and {@code c[at + j]}, {@code j < cols}, as the class comment defines them. */
    void sum(float[] delta, int from, int n, int rows, int cols, float[] s, float[] c, int at);

    /** What {@code t = s + x} rounded away, exactly (TwoSum's {@code e}, {@code b = t − s}). */
    static float lost(float s, float x, float t) {
        float b = t - s;
        return (s - (t - b)) + (x - b);
    }

    /**
     * The panel's sum {@code s + c} in double, where {@code s} is finite; else {@code s} (an
     * infinite or NaN {@code x} makes {@code c} NaN, where summing in double gave the infinity).
     */
    static double combine(float s, float c) {
        return Float.isFinite(s) ? (double) s + (double) c : s;
    }

    /** The scalar loops, for JVMs without {@code jdk.incubator.vector}, and the vector one's last columns. */
    PanelSums SCALAR = (delta, from, n, rows, cols, s, c, at) -> {
        java.util.Arrays.fill(s, at, at + cols, 0f);
        java.util.Arrays.fill(c, at, at + cols, 0f);
        // row by row, each column in its own slot: δ read along its rows, not n floats apart per step
        for (int r = 0, row = from; r < rows; r++, row += n) {
            for (int j = 0; j < cols; j++) {
                float x = delta[row + j];
                float t = s[at + j] + x;
                c[at + j] += lost(s[at + j], x, t);
                s[at + j] = t;
            }
        }
    };

    /** The vector implementation where {@code jdk.incubator.vector} is loaded, else {@link #SCALAR}. */
    PanelSums CHOSEN = MicroKernels.vectorAvailable() ? vector() : SCALAR;

    /** {@code VectorPanelSums}, loaded by name, so that this interface links without the module. */
    static PanelSums vector() {
        return MicroKernels.loadVector("dev.deltaprop.cpu.VectorPanelSums", PanelSums.class, "panel sums");
    }
}

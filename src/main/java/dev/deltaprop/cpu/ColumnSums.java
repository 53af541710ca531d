package dev.deltaprop.cpu;

/**
 * The bias gradient's sums {@code S_b^l_j = Σ_b δ^l_bj} of one layer, gathered while δ is produced
 * (in the δ GEMM's epilogue, or the output δ's) from each tile still in L1, so that no pass over
 * δ's columns follows; the update's epilogue reads them.
 *
 * <p>One definition whatever the split: δ's rows in panels of {@code MR} (the micro-kernel's tile
 * height, so that a tile holds whole panels), each panel's sum in double from 0 in increasing row,
 * and the panels' sums added in increasing panel order. When a phase splits δ by columns, the one
 * thread owning a column meets its panels in order and adds each at once ({@link #accumulate});
 * when it splits by rows, panels finish in any order on any thread, so each is kept and
 * {@link #sum} adds them in order. Either way the result is the same double, bit for bit, for any
 * thread count.
 */
final class ColumnSums {
    private double[] values = new double[0];
    private int n;
    private int mr = 1;
    private boolean accumulate;

    /** Room for {@code batch × n} with panels of {@code mr} rows; called before the phase that fills it. */
    void prepare(int batch, int n, int mr, boolean accumulate) {
        int panels = (batch + mr - 1) / mr;
        // accumulate: the running sums, then (past one panel) a panel's own sums beside them
        int size = accumulate ? (panels > 1 ? 2 * n : n) : panels * n;
        if (values.length < size) {
            values = new double[Math.max(size, panels * n)]; // the largest either way: grown once per batch size
        }
        this.n = n;
        this.mr = mr;
        this.accumulate = accumulate;
    }

    /**
     * Adds the tile {@code delta[(row + r)·n + column + j]}, {@code r < rows}, {@code j < cols}
     * ({@code row} a multiple of {@code MR}, {@code rows ≤ MR}: one panel). The rows are walked in
     * order, each column summed into its own slot: per column the same additions in the same order
     * as a column walk, without reading {@code δ} {@code n} floats apart per step ({@code mnist}'s
     * last δ pass, 256×512 values for 2.6 MFLOP, spent most of its time in that walk).
     */
    void add(float[] delta, int row, int column, int rows, int cols) {
        int panel = row / mr;
        // the panel's sums: in place where nothing is summed yet, else in a slot of their own
        // (accumulate: values[n + j], free there, and column j's alone, as is its thread)
        int at = !accumulate ? panel * n : panel == 0 ? 0 : n;
        java.util.Arrays.fill(values, at + column, at + column + cols, 0.0);
        for (int r = 0, from = row * n + column; r < rows; r++, from += n) {
            for (int j = 0; j < cols; j++) {
                values[at + column + j] += delta[from + j];
            }
        }
        if (accumulate && panel > 0) {
            for (int j = column; j < column + cols; j++) {
                values[j] += values[n + j];
            }
        }
    }

    /** {@code S_b_j} once the phase that filled it has ended. */
    double sum(int j, int batch) {
        if (accumulate) {
            return values[j];
        }
        double sum = 0;
        for (int panel = 0, panels = (batch + mr - 1) / mr; panel < panels; panel++) {
            sum += values[panel * n + j];
        }
        return sum;
    }

    /** The same sum straight from {@code delta} ({@code batch × n}), for a δ no pass of this step produced. */
    static double of(float[] delta, int batch, int n, int mr, int j) {
        double sum = 0;
        for (int row = 0; row < batch; row += mr) {
            double panelSum = 0;
            for (int r = row, end = Math.min(batch, row + mr); r < end; r++) {
                panelSum += delta[r * n + j];
            }
            sum += panelSum;
        }
        return sum;
    }
}

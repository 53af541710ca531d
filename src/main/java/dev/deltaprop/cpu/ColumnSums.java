package dev.deltaprop.cpu;

/**
 * The bias gradient's sums {@code S_b^l_j = Σ_b δ^l_bj} of one layer, gathered while δ is produced
 * (in the δ GEMM's epilogue, or the output δ's) from each tile still in L1, so that no pass over
 * δ's columns follows; the update's epilogue reads them.
 *
 * <p>One definition whatever the split: δ's rows in panels of {@code MR} (the micro-kernel's tile
 * height, so that a tile holds whole panels), each panel's sum in float with its rounding errors
 * kept ({@link PanelSums}: TwoSum in increasing row, as accurate as a sum in double), taken to
 * double once per panel, and the panels' sums added in double in increasing panel order. When a
 * phase splits δ by columns, the one thread owning a column meets its panels in order and adds
 * each at once ({@link #accumulate}); when it splits by rows, panels finish in any order on any
 * thread, so each is kept and {@link #sum} adds them in order. Either way the result is the same
 * double, bit for bit, for any thread count (not for another tile height: its panels differ).
 */
final class ColumnSums {
    private static final PanelSums PANEL_SUMS = PanelSums.CHOSEN;
    private double[] values = new double[0];
    /** A panel's float sums and their lost bits ({@link PanelSums}), in the slots of the {@link #values} they make. */
    private float[] floatSums = new float[0];
    private float[] lost = new float[0];
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
            floatSums = new float[values.length];
            lost = new float[values.length];
        }
        this.n = n;
        this.mr = mr;
        this.accumulate = accumulate;
    }

    /**
     * Adds the tile {@code delta[(row + r)·n + column + j]}, {@code r < rows}, {@code j < cols}
     * ({@code row} a multiple of {@code MR}, {@code rows ≤ MR}: one panel). {@link PanelSums} walks
     * the rows in order, each column in its own lanes: per column the same additions in the same
     * order as a column walk, without reading {@code δ} {@code n} floats apart per step
     * ({@code mnist}'s last δ pass, 256×512 values for 2.6 MFLOP, spent most of its time in that
     * walk), and {@code L} columns a vector where the Vector API is loaded.
     */
    void add(float[] delta, int row, int column, int rows, int cols) {
        int panel = row / mr;
        // the panel's sums: in place where nothing is summed yet, else in a slot of their own
        // (accumulate: values[n + j], free there, and column j's alone, as is its thread)
        int at = (!accumulate ? panel * n : panel == 0 ? 0 : n) + column;
        PANEL_SUMS.sum(delta, row * n + column, n, rows, cols, floatSums, lost, at);
        if (accumulate && panel > 0) {
            for (int j = 0; j < cols; j++) {
                values[column + j] += PanelSums.combine(floatSums[at + j], lost[at + j]);
            }
        } else {
            for (int j = 0; j < cols; j++) {
                values[at + j] = PanelSums.combine(floatSums[at + j], lost[at + j]);
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
            float panelSum = 0;
            float panelLost = 0;
            for (int r = row, end = Math.min(batch, row + mr); r < end; r++) {
                float x = delta[r * n + j];
                float t = panelSum + x;
                panelLost += PanelSums.lost(panelSum, x, t);
                panelSum = t;
            }
            sum += PanelSums.combine(panelSum, panelLost);
        }
        return sum;
    }
}

package dev.deltaprop.train;

import java.util.Locale;
import java.util.Objects;

/**
 * The regression metrics of {@code N} samples with {@code n_L} outputs, per output {@code j} and
 * overall, accumulated in double:
 *
 * <ul>
 * <li>{@code MAE_j = (1/N) Σ_s |y_sj − d_sj|};</li>
 * <li>{@code RMSE_j = √((1/N) Σ_s (y_sj − d_sj)²)};</li>
 * <li>{@code R²_j = 1 − Σ_s (y_sj − d_sj)² / Σ_s (d_sj − d̄_j)²}, {@code d̄_j = (1/N) Σ_s d_sj}:
 *     1 for a perfect fit, 0 for always predicting the mean, negative for worse than that.</li>
 * </ul>
 *
 * <p>Overall, MAE and RMSE are taken over all {@code N · n_L} values alike, and R² is the mean of
 * the {@code R²_j} (scikit-learn's {@code r2_score} default, {@code uniform_average}). When the
 * teachers of output {@code j} are all equal, {@code Σ (d − d̄)² = 0} and {@code R²_j} is
 * undefined: it is reported as {@code NaN} (and so is the overall R²), printed as {@code n/a}.
 * Immutable.
 */
public final class Regression {
    private final long samples;
    private final double[] absoluteSum;
    private final double[] squaredSum;
    private final double[] r2;

    private Regression(long samples, double[] absoluteSum, double[] squaredSum, double[] r2) {
        this.samples = samples;
        this.absoluteSum = absoluteSum;
        this.squaredSum = squaredSum;
        this.r2 = r2;
    }

    /**
     * @param y       {@code N × n_L} outputs, batch-major
     * @param d       {@code N × n_L} teachers, batch-major
     * @param outputs {@code n_L}, at least 1
     * @throws IllegalArgumentException naming the array when the sizes disagree, there are no samples,
     *                                  or a value is NaN or infinite
     */
    public static Regression of(float[] y, float[] d, int outputs) {
        int samples = Evaluation.requireShape(y, d, outputs);
        Evaluation.requireFinite("y", y, outputs);
        Evaluation.requireFinite("d", d, outputs);
        double[] absoluteSum = new double[outputs];
        double[] squaredSum = new double[outputs];
        double[] mean = new double[outputs];
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < outputs; j++) {
                double e = (double) y[s * outputs + j] - d[s * outputs + j];
                absoluteSum[j] += Math.abs(e);
                squaredSum[j] += e * e;
                mean[j] += d[s * outputs + j];
            }
        }
        double[] total = new double[outputs];
        for (int j = 0; j < outputs; j++) {
            mean[j] /= samples;
        }
        // the total sum of squares in a second pass around the mean: Σ d² − N d̄² cancels badly
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < outputs; j++) {
                double c = d[s * outputs + j] - mean[j];
                total[j] += c * c;
            }
        }
        double[] r2 = new double[outputs];
        for (int j = 0; j < outputs; j++) {
            r2[j] = total[j] == 0 ? Double.NaN : 1 - squaredSum[j] / total[j];
        }
        return new Regression(samples, absoluteSum, squaredSum, r2);
    }

    /** @return {@code N} */
    public long samples() {
        return samples;
    }

    /** @return {@code n_L} */
    public int outputs() {
        return r2.length;
    }

    /** @return {@code MAE_j} */
    public double meanAbsoluteError(int j) {
        return absoluteSum[j] / samples;
    }

    /** @return {@code RMSE_j} */
    public double rootMeanSquaredError(int j) {
        return Math.sqrt(squaredSum[j] / samples);
    }

    /** @return {@code R²_j}, or {@code NaN} when the teachers of output {@code j} are all equal */
    public double r2(int j) {
        return r2[j];
    }

    /** @return {@code (1/(N n_L)) Σ_s Σ_j |y_sj − d_sj|} */
    public double meanAbsoluteError() {
        double sum = 0;
        for (double a : absoluteSum) {
            sum += a;
        }
        return sum / ((double) samples * outputs());
    }

    /** @return {@code √((1/(N n_L)) Σ_s Σ_j (y_sj − d_sj)²)} */
    public double rootMeanSquaredError() {
        double sum = 0;
        for (double a : squaredSum) {
            sum += a;
        }
        return Math.sqrt(sum / ((double) samples * outputs()));
    }

    /** @return {@code (1/n_L) Σ_j R²_j}; {@code NaN} when any {@code R²_j} is */
    public double r2() {
        double sum = 0;
        for (double r : r2) {
            sum += r;
        }
        return sum / outputs();
    }

    /** The overall figures, then one line per output when there are several, as {@code evaluate} prints them. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "samples %d, outputs %d\n", samples, outputs()));
        s.append(String.format(Locale.ROOT, "MAE %.6g  RMSE %.6g  R² %s", meanAbsoluteError(), rootMeanSquaredError(),
                number(r2())));
        if (outputs() > 1) {
            for (int j = 0; j < outputs(); j++) {
                s.append(String.format(Locale.ROOT, "\noutput %d: MAE %.6g  RMSE %.6g  R² %s", j, meanAbsoluteError(j),
                        rootMeanSquaredError(j), number(r2(j))));
            }
        }
        return s.toString();
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.6f", value);
    }
}

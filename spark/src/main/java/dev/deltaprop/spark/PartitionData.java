package dev.deltaprop.spark;

import dev.deltaprop.train.Checkpoint;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

import java.util.Iterator;

/**
 * A partition's rows as the backend takes them: {@code x} ({@code n × n_0}) and {@code d}
 * ({@code n × n_L}), batch-major float32; a class label {@code c} becomes the one-hot row
 * {@code d_c = 1}. Rows come as {@code (features, label)}. Built once per fit and cached by Spark
 * on the executor that holds the partition, where every round's task finds it; the
 * {@code fingerprint} is {@link Checkpoint#fingerprint} of {@code x} and {@code d}.
 */
final class PartitionData implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    final float[] x;
    final float[] d;
    final int samples;
    final int inputs;
    final int outputs;
    final long fingerprint;
    /** The epoch order last drawn, for the rounds of that epoch (not sent anywhere). */
    private transient int orderEpoch;
    private transient long orderSeed;
    private transient int[] order;

    private PartitionData(int partition, float[] x, float[] d, int samples, int inputs, int outputs, long fingerprint) {
        this.partition = partition;
        this.x = x;
        this.d = d;
        this.samples = samples;
        this.inputs = inputs;
        this.outputs = outputs;
        this.fingerprint = fingerprint;
    }

    /** {@link GlobalBatches#order} of this partition in {@code epoch}, drawn once per epoch. */
    synchronized int[] order(long seed, int epoch) {
        if (order == null || orderEpoch != epoch || orderSeed != seed) {
            order = GlobalBatches.order(samples, seed, epoch, partition);
            orderEpoch = epoch;
            orderSeed = seed;
        }
        return order;
    }

    /** The inputs and teachers of the samples at positions {@code [start, start + count)} of {@code order}. */
    float[][] gather(int[] order, int start, int count) {
        float[] xs = new float[count * inputs];
        float[] ds = new float[count * outputs];
        for (int b = 0; b < count; b++) {
            int row = order[start + b];
            System.arraycopy(x, row * inputs, xs, b * inputs, inputs);
            System.arraycopy(d, row * outputs, ds, b * outputs, outputs);
        }
        return new float[][] {xs, ds};
    }

    /**
     * @param classes   the number of classes (one-hot teachers), or 0 for a regression on the label
     * @param partition for messages
     * @throws IllegalArgumentException naming the row when a feature vector has the wrong length, a
     *                                  number is not finite or a label is not a class index
     */
    static PartitionData of(Iterator<Row> rows, int inputs, int classes, int partition) {
        if (classes < 0) {
            throw new IllegalArgumentException("classes: expected 0 (a regression) or more, found " + classes);
        }
        int outputs = classes > 0 ? classes : 1;
        FloatList x = new FloatList();
        FloatList d = new FloatList();
        int n = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            Vector features = (Vector) row.get(0);
            if (features == null || features.size() != inputs) {
                throw new IllegalArgumentException("featuresCol: expected a vector of " + inputs + " numbers in row " + n
                        + " of partition " + partition + ", found " + (features == null ? "null" : features.size()));
            }
            double[] values = features.toArray();
            for (int k = 0; k < inputs; k++) {
                if (!Double.isFinite(values[k])) {
                    throw new IllegalArgumentException("featuresCol: expected finite numbers, found " + values[k]
                            + " at index " + k + " of row " + n + " of partition " + partition);
                }
                x.add((float) values[k]);
            }
            if (row.isNullAt(1)) {
                throw new IllegalArgumentException("labelCol: expected a number in row " + n + " of partition " + partition
                        + ", found null");
            }
            double label = ((Number) row.get(1)).doubleValue();
            if (classes > 0) {
                if (label != Math.rint(label) || label < 0 || label >= classes) {
                    throw new IllegalArgumentException("labelCol: expected a class index 0.." + (classes - 1) + " in row "
                            + n + " of partition " + partition + ", found " + label);
                }
                for (int c = 0; c < classes; c++) {
                    d.add(c == (int) label ? 1f : 0f);
                }
            } else {
                if (!Double.isFinite(label)) {
                    throw new IllegalArgumentException("labelCol: expected a finite number in row " + n + " of partition "
                            + partition + ", found " + label);
                }
                d.add((float) label);
            }
            n++;
        }
        float[] xs = x.toArray();
        float[] ds = d.toArray();
        return new PartitionData(partition, xs, ds, n, inputs, outputs, Checkpoint.fingerprint(xs, ds));
    }

    /** A growable float array (no boxing for a partition of a million numbers). */
    private static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}

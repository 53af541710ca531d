package dev.deltaprop.spark;

import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.train.TrainerConfig;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With gradients summed every step, two tasks in {@code local[2]} train exactly what one
 * {@code cpu} backend trains on the same global batches (each the first partition's share then
 * the second's), up to float rounding: the sums are only added in another order.
 */
class ExactGradientsTest {
    static final long SEED = 7;

    /** 10 steps of 33 over 2 epochs, on 165 digits cut 82 | 83 into two partitions. */
    static FitSettings settings(String optimizer, FitSettings.Sync sync, String checkpointDir) {
        return new FitSettings(64, new int[] {17}, 10, "tanh", "softmax", optimizer, 0.02f, 33, 2, SEED, "constant",
                "cpu", sync, 2, checkpointDir, 1);
    }

    static List<Row> rows() {
        return TestSpark.digits().subList(0, 165);
    }

    @Test
    void summedGradientsEqualOneMachineOnTheSameBatches() {
        for (String optimizer : new String[] {"sgd", "adam"}) {
            FitSettings settings = settings(optimizer, FitSettings.Sync.GRADIENTS, "");
            List<Row> rows = rows();
            Network spark = DistributedFit.run(TestSpark.frame(rows, 2), "features", "label", settings, 10, 2).network();
            Network single = oneMachine(settings, rows, new int[] {82, 83});
            double error = relativeError(spark, single);
            System.out.printf("seed %d, %s: relative error %.3g after %d steps%n", SEED, optimizer, error,
                    settings.epochs() * new GlobalBatches(new int[] {82, 83}, settings.batch()).steps());
            assertTrue(error <= 1e-5, optimizer + ": relative error " + error + " (seed " + SEED + ")");
            assertTrue(relativeError(spark, settings.network()) > 1e-2, "training moved the parameters");
        }
    }

    /** The batches of {@link GlobalBatches} over {@code rows} cut into contiguous partitions of {@code sizes}, on one cpu backend. */
    static Network oneMachine(FitSettings settings, List<Row> rows, int[] sizes) {
        GlobalBatches plan = new GlobalBatches(sizes, settings.batch());
        TrainerConfig config = settings.config();
        try (CpuBackend cpu = new CpuBackend(1)) {
            cpu.load(settings.network(), config.optimizer());
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                int[][] orders = new int[sizes.length][];
                for (int p = 0; p < sizes.length; p++) {
                    orders[p] = GlobalBatches.order(sizes[p], settings.seed(), epoch, p);
                }
                for (int step = 0; step < plan.steps(); step++) {
                    int batch = plan.batch(step);
                    float[] x = new float[batch * settings.inputs()];
                    float[] d = new float[batch * settings.outputs()];
                    int b = 0;
                    int first = 0;
                    for (int p = 0; p < sizes.length; p++) {
                        for (int k = 0; k < plan.share(p, step); k++, b++) {
                            Row row = rows.get(first + orders[p][plan.start(p, step) + k]);
                            double[] features = ((Vector) row.get(0)).toArray();
                            for (int i = 0; i < features.length; i++) {
                                x[b * settings.inputs() + i] = (float) features[i];
                            }
                            d[b * settings.outputs() + (int) row.getDouble(1)] = 1f;
                        }
                        first += sizes[p];
                    }
                    assertEquals(batch, b);
                    cpu.step(x, d, batch, config.learningRate(epoch));
                }
            }
            return cpu.network();
        }
    }

    /** {@code ‖a − b‖ / ‖b‖} over every weight and bias. */
    static double relativeError(Network a, Network b) {
        double difference = 0;
        double norm = 0;
        for (int l = 0; l < b.depth(); l++) {
            Layer la = a.layer(l);
            Layer lb = b.layer(l);
            float[][] pairs = {la.weights(), lb.weights(), la.bias(), lb.bias()};
            for (int k = 0; k < pairs.length; k += 2) {
                for (int i = 0; i < pairs[k].length; i++) {
                    double e = pairs[k][i] - (double) pairs[k + 1][i];
                    difference += e * e;
                    norm += (double) pairs[k + 1][i] * pairs[k + 1][i];
                }
            }
        }
        return Double.isNaN(difference) ? Double.NaN : Math.sqrt(difference / norm);
    }
}

package dev.deltaprop.spark;

import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.io.ModelReader;
import dev.deltaprop.io.ModelWriter;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.TrainerConfig;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * The driver's side of a fit: synchronous data-parallel training in rounds of Spark jobs over the
 * cached partitions ({@link PartitionData}), one task per partition ({@link RoundTask}).
 *
 * <p>{@link FitSettings.Sync#GRADIENTS}: a round is one step {@code s}. The driver broadcasts the
 * parameters, every task returns its share's gradient sums {@code S_p}, the driver adds them in
 * partition order in double (so the result does not depend on which task finished first) and its
 * own {@code cpu} backend takes the optimizer step with {@code g = (Σ_p S_p) / B_s}: the step of one
 * machine on the concatenated batch, up to float rounding.
 *
 * <p>{@link FitSettings.Sync#AVERAGE}: a round is {@code k} steps. The driver broadcasts the
 * parameters and the optimizer's state; every task takes its {@code k} local steps from them and
 * returns where it got; the driver averages parameters and state weighted by the samples each task
 * stepped on, {@code w = Σ_p m_p w_p / Σ_p m_p} ({@code t}: the largest). Rounds end at the end of
 * each epoch.
 *
 * <p>A failed task is retried by Spark from the same broadcast and the same cached partition, so it
 * returns the same numbers; the driver writes a checkpoint every {@code checkpointEvery} epochs
 * ({@link CheckpointStore}) and a new fit with the same folder resumes from it.
 */
final class DistributedFit {
    private DistributedFit() {
    }

    /** The network trained and what the run says of itself. */
    record Result(Network network, FitOutcome outcome) {
    }

    /** {@code n_0}: the length of the first row's feature vector. */
    static int inputs(Dataset<?> dataset, String featuresCol) {
        Row first = dataset.select(col(featuresCol)).head();
        return ((Vector) first.get(0)).size();
    }

    /**
     * Trains the network that {@code stage}'s params describe on {@code dataset}: {@code n_0} from the
     * first row's features, {@code n_L = classes} (1 for a regression), then {@link #run}.
     *
     * @param classes          the number of classes of a classification (its labels become one-hot), 0 for a regression
     * @param outputActivation {@code f^L}
     * @return the trained network and its losses, as a model holds them
     */
    static NetworkHolder fit(DeltapropParams<?> stage, Dataset<?> dataset, String featuresCol, String labelCol,
                             int classes, String outputActivation) {
        FitSettings settings = stage.settings(inputs(dataset, featuresCol), Math.max(classes, 1), outputActivation);
        FitOutcome outcome = run(dataset, featuresCol, labelCol, settings, classes, stage.getNumTasks()).outcome();
        return new NetworkHolder(outcome.model(), outcome.losses());
    }

    static Result run(Dataset<?> dataset, String featuresCol, String labelCol, FitSettings settings, int classes,
                      int numTasks) {
        CheckpointStore.precheck(settings);
        if (numTasks < 0) {
            throw new IllegalArgumentException("numTasks: expected 0 (default parallelism) or more, found " + numTasks);
        }
        SparkContext context = dataset.sparkSession().sparkContext();
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(context);
        int tasks = numTasks > 0 ? numTasks : context.defaultParallelism();
        Dataset<Row> rows = dataset.select(col(featuresCol), col(labelCol).cast("double"));
        if (rows.rdd().getNumPartitions() != tasks) {
            rows = rows.repartition(tasks);
        }
        int inputs = settings.inputs();
        JavaRDD<PartitionData> data = rows.javaRDD().mapPartitionsWithIndex(
                (partition, it) -> List.of(PartitionData.of(it, inputs, classes, partition)).iterator(), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return train(spark, data, settings, context.getConf().getInt("spark.task.cpus", 1));
        } finally {
            data.unpersist(false);
        }
    }

    private static Result train(JavaSparkContext spark, JavaRDD<PartitionData> data, FitSettings settings, int taskCpus) {
        List<long[]> sizes = data.map(d -> new long[] {d.partition, d.samples, d.fingerprint}).collect();
        int[] counts = new int[sizes.size()];
        StringBuilder fingerprints = new StringBuilder();
        for (long[] size : sizes) {
            counts[(int) size[0]] = (int) size[1];
        }
        sizes.stream().sorted(Comparator.comparingLong(s -> s[0]))
                .forEach(s -> fingerprints.append(s[1]).append(':').append(s[2]).append(';'));
        GlobalBatches plan = new GlobalBatches(counts, settings.batch());
        CheckpointStore store = new CheckpointStore(settings, fingerprints.toString(), plan.samples());
        CheckpointStore.Resume resume = store.resume();
        TrainerConfig config = settings.config();
        Optimizer optimizer = config.optimizer();
        List<EpochSummary> history = new ArrayList<>(resume.history());
        try (CpuBackend driver = new CpuBackend(1)) {
            driver.load(resume.network(), optimizer, resume.state());
            for (int epoch = resume.epoch() + 1; epoch <= settings.epochs(); epoch++) {
                long begin = System.nanoTime();
                float rate = config.learningRate(epoch);
                double loss = 0;
                int every = settings.sync() == FitSettings.Sync.GRADIENTS ? 1 : settings.averageEvery();
                for (int first = 0; first < plan.steps(); first += every) {
                    int last = Math.min(first + every, plan.steps()) - 1;
                    loss += round(spark, data, settings, plan, driver, epoch, first, last, rate, taskCpus);
                }
                history.add(new EpochSummary(epoch, settings.epochs(), loss / plan.samples(), (int) plan.samples(),
                        System.nanoTime() - begin));
                if (epoch % settings.checkpointEvery() == 0 || epoch == settings.epochs()) {
                    store.write(driver.network(), driver.optimizerState(), history);
                }
            }
            double[] losses = history.stream().mapToDouble(EpochSummary::loss).toArray();
            Network trained = driver.network();
            return new Result(trained, new FitOutcome(json(trained), losses, resume.epoch(), settings.backend()));
        }
    }

    /** One round: a job of one task per partition, then the sum or the average on the driver; returns the summed loss. */
    private static double round(JavaSparkContext spark, JavaRDD<PartitionData> data, FitSettings settings,
                                GlobalBatches plan, CpuBackend driver, int epoch, int first, int last, float rate,
                                int taskCpus) {
        boolean gradients = settings.sync() == FitSettings.Sync.GRADIENTS;
        Network network = driver.network();
        OptimizerState state = gradients ? null : driver.optimizerState();
        float[] start = gradients ? Parameters.flatten(network)
                : Parameters.concat(Parameters.flatten(network), Parameters.flatten(state));
        Broadcast<float[]> shared = spark.broadcast(start);
        List<RoundTask.Part> parts;
        try {
            spark.setJobDescription("deltaprop: epoch " + epoch + ", steps " + first + ".." + last);
            parts = new ArrayList<>(data.map(new RoundTask(settings, plan, shared, gradients ? 0 : state.steps(), epoch,
                    first, last, rate, taskCpus)).collect());
        } finally {
            shared.destroy();
        }
        parts.sort(Comparator.comparingInt(RoundTask.Part::partition)); // a fixed order of addition
        double loss = 0;
        double weight = 0;
        long steps = 0;
        double[] total = new double[start.length];
        for (RoundTask.Part part : parts) {
            loss += part.loss();
            if (part.samples() == 0) {
                continue;
            }
            double scale = gradients ? 1 : part.samples();
            weight += part.samples();
            steps = Math.max(steps, part.steps());
            float[] values = part.values();
            for (int k = 0; k < total.length; k++) {
                total[k] += scale * values[k];
            }
        }
        float[] result = new float[total.length];
        if (gradients) {
            for (int k = 0; k < result.length; k++) {
                result[k] = (float) total[k];
            }
            driver.writeGradient(result);
            driver.apply(rate, plan.batch(first));
        } else if (weight > 0) {
            for (int k = 0; k < result.length; k++) {
                result[k] = (float) (total[k] / weight);
            }
            driver.load(Parameters.unflatten(network, result, 0), settings.config().optimizer(),
                    Parameters.unflatten(state, steps, result, Parameters.length(network)));
        }
        return loss;
    }

    static String json(Network network) {
        try {
            StringWriter out = new StringWriter();
            ModelWriter.write(network, out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Network parse(String json) {
        try {
            return ModelReader.read(new StringReader(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.deltaprop.spark;

import dev.deltaprop.io.ModelReader;
import dev.deltaprop.model.Network;
import org.apache.spark.SparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;

import static org.apache.spark.sql.functions.col;

/**
 * The driver's side of a fit: the rows {@code (features, label)} in {@code T} partitions, one
 * barrier stage of {@code T} tasks that train together ({@link PartitionTrainer}), and the model
 * that the first task sends back. A barrier stage starts all its tasks at once or not at all, so
 * {@code T} must not pass the cores the cluster offers; when one task fails, Spark retries the
 * whole stage, which resumes from the last checkpoint.
 */
final class DistributedFit {
    private DistributedFit() {
    }

    /** The network trained and what the first task said. */
    record Result(Network network, FitOutcome outcome) {
    }

    /** {@code n_0}: the length of the first row's feature vector. */
    static int inputs(Dataset<?> dataset, String featuresCol) {
        Row first = dataset.select(col(featuresCol)).head();
        return ((Vector) first.get(0)).size();
    }

    static Result run(Dataset<?> dataset, String featuresCol, String labelCol, FitSettings settings, int classes,
                      int numTasks) {
        SparkContext context = dataset.sparkSession().sparkContext();
        if (numTasks < 0) {
            throw new IllegalArgumentException("numTasks: expected 0 (default parallelism) or more, found " + numTasks);
        }
        int tasks = numTasks > 0 ? numTasks : context.defaultParallelism();
        Dataset<Row> rows = dataset.select(col(featuresCol), col(labelCol).cast("double"));
        RDD<Row> input = rows.rdd();
        if (input.getNumPartitions() != tasks) {
            input = rows.repartition(tasks).rdd();
        }
        int taskCpus = context.getConf().getInt("spark.task.cpus", 1);
        RDD<FitOutcome> trained = input.barrier().mapPartitions(new PartitionTrainer(settings, classes, taskCpus), false,
                ClassTag$.MODULE$.apply(FitOutcome.class));
        Object[] outcomes = (Object[]) trained.collect();
        if (outcomes.length != 1) {
            throw new IllegalStateException("expected the model from task 0 alone, found " + outcomes.length + " results");
        }
        FitOutcome outcome = (FitOutcome) outcomes[0];
        return new Result(parse(outcome.model()), outcome);
    }

    static Network parse(String json) {
        try {
            return ModelReader.read(new StringReader(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

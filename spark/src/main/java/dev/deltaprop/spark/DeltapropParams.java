package dev.deltaprop.spark;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training params of the deltaprop estimators, with their getters. Spark finds params as the
 * public no-argument methods that return a {@link Param}: these default methods are such methods.
 */
public interface DeltapropParams extends Params {

    /** The holder of this stage's param objects. */
    TrainingParams training();

    /** @return the hidden widths param */
    default IntArrayParam layers() { return training().layers; }

    /** @return the hidden activation param */
    default Param<String> activation() { return training().activation; }

    /** @return the optimizer param */
    default Param<String> optimizer() { return training().optimizer; }

    /** @return the learning-rate param */
    default DoubleParam learningRate() { return training().learningRate; }

    /** @return the global batch param */
    default IntParam batchSize() { return training().batchSize; }

    /** @return the epochs param */
    default IntParam epochs() { return training().epochs; }

    /** @return the seed param */
    default LongParam seed() { return training().seed; }

    /** @return the schedule param */
    default Param<String> schedule() { return training().schedule; }

    /** @return the backend param */
    default Param<String> backend() { return training().backend; }

    /** @return the synchronisation param */
    default Param<String> sync() { return training().sync; }

    /** @return the averaging period param */
    default IntParam averageEvery() { return training().averageEvery; }

    /** @return the checkpoint folder param */
    default Param<String> checkpointDir() { return training().checkpointDir; }

    /** @return the checkpoint period param */
    default IntParam checkpointEvery() { return training().checkpointEvery; }

    /** @return the task count param */
    default IntParam numTasks() { return training().numTasks; }

    /** @return the hidden widths */
    default int[] getLayers() { return getOrDefault(layers()); }

    /** @return the number of tasks asked for (0: default parallelism) */
    default int getNumTasks() { return (Integer) getOrDefault(numTasks()); }

    /**
     * The settings a training task gets, from these params.
     *
     * @param inputs           {@code n_0}
     * @param outputs          {@code n_L}
     * @param outputActivation {@code f^L}
     */
    default FitSettings settings(int inputs, int outputs, String outputActivation) {
        return new FitSettings(inputs, getLayers(), outputs, getOrDefault(activation()), outputActivation,
                getOrDefault(optimizer()), (float) (double) (Double) getOrDefault(learningRate()),
                (Integer) getOrDefault(batchSize()), (Integer) getOrDefault(epochs()), (Long) getOrDefault(seed()),
                getOrDefault(schedule()), getOrDefault(backend()), FitSettings.Sync.parse(getOrDefault(sync())),
                (Integer) getOrDefault(averageEvery()), getOrDefault(checkpointDir()),
                (Integer) getOrDefault(checkpointEvery()));
    }
}

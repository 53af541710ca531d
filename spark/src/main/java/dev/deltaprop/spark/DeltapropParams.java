package dev.deltaprop.spark;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training params of the deltaprop estimators, with their getters and setters: what
 * {@link DeltapropClassifier} and {@link DeltapropRegressor} share. Spark finds params as the
 * public no-argument methods that return a {@link Param}: the default methods below that return
 * one are such methods. The setters return the estimator itself, {@code S}, so that they chain
 * with Spark's own ({@code new DeltapropClassifier().setLayers(32).setFeaturesCol("scaled")}), as
 * Spark's {@code Predictor} does with its {@code Learner} type.
 *
 * @param <S> the estimator
 */
public interface DeltapropParams<S extends DeltapropParams<S>> extends Params {

    /** @return the holder of this stage's param objects */
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
     * @param widths the hidden layers' widths {@code n_1 … n_{L-1}} (none: the output layer alone, a
     *               softmax or linear regression)
     * @return this estimator
     */
    default S setLayers(int... widths) { set(layers(), widths); return self(); }

    /**
     * @param name the hidden activation
     * @return this estimator
     */
    default S setActivation(String name) { set(activation(), name); return self(); }

    /**
     * @param name sgd, momentum, nesterov, adam or adamw
     * @return this estimator
     */
    default S setOptimizer(String name) { set(optimizer(), name); return self(); }

    /**
     * @param rate {@code η}
     * @return this estimator
     */
    default S setLearningRate(double rate) { set(learningRate(), rate); return self(); }

    /**
     * @param batch the global batch {@code B}
     * @return this estimator
     */
    default S setBatchSize(int batch) { set(batchSize(), batch); return self(); }

    /**
     * @param count the epochs
     * @return this estimator
     */
    default S setEpochs(int count) { set(epochs(), count); return self(); }

    /**
     * @param value the seed of the initial weights and the shuffles
     * @return this estimator
     */
    default S setSeed(long value) { set(seed(), value); return self(); }

    /**
     * @param text constant, step:K:G or cosine
     * @return this estimator
     */
    default S setSchedule(String text) { set(schedule(), text); return self(); }

    /**
     * @param name auto, cpu, opencl, cuda, …
     * @return this estimator
     */
    default S setBackend(String name) { set(backend(), name); return self(); }

    /**
     * @param mode gradients or average
     * @return this estimator
     */
    default S setSync(String mode) { set(sync(), mode); return self(); }

    /**
     * @param steps {@code k}
     * @return this estimator
     */
    default S setAverageEvery(int steps) { set(averageEvery(), steps); return self(); }

    /**
     * @param folder checkpoints go there, and training resumes from the latest
     * @return this estimator
     */
    default S setCheckpointDir(String folder) { set(checkpointDir(), folder); return self(); }

    /**
     * @param count epochs between checkpoints
     * @return this estimator
     */
    default S setCheckpointEvery(int count) { set(checkpointEvery(), count); return self(); }

    /**
     * @param count training tasks (0: default parallelism)
     * @return this estimator
     */
    default S setNumTasks(int count) { set(numTasks(), count); return self(); }

    /** The estimator, as its own type: {@code S} is the class that implements this with itself. */
    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /**
     * The settings a training task gets, from these params.
     *
     * @param inputs           {@code n_0}
     * @param outputs          {@code n_L}
     * @param outputActivation {@code f^L}
     * @return the settings, checked: a bad param throws, naming it
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

package dev.deltaprop.spark;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training params that {@link DeltapropClassifier} and {@link DeltapropRegressor} share,
 * owned by the stage given to the constructor (a param belongs to one stage), with their defaults.
 */
final class TrainingParams {
    final IntArrayParam layers;
    final Param<String> activation;
    final Param<String> optimizer;
    final DoubleParam learningRate;
    final IntParam batchSize;
    final IntParam epochs;
    final LongParam seed;
    final Param<String> schedule;
    final Param<String> backend;
    final Param<String> sync;
    final IntParam averageEvery;
    final Param<String> checkpointDir;
    final IntParam checkpointEvery;
    final IntParam numTasks;

    TrainingParams(Params stage) {
        layers = new IntArrayParam(stage, "layers", "the hidden layers' widths n_1..n_{L-1}; n_0 is the features'"
                + " length and n_L the number of classes (1 for a regression)");
        activation = new Param<>(stage, "activation", "f of every hidden layer: identity, sigmoid, tanh, relu,"
                + " leaky_relu, softplus");
        optimizer = new Param<>(stage, "optimizer", "sgd, momentum, nesterov, adam or adamw, with their default"
                + " momentum, betas, epsilon and weight decay");
        learningRate = new DoubleParam(stage, "learningRate", "η, finite and > 0");
        batchSize = new IntParam(stage, "batchSize", "B, the global batch: the samples of one step over all tasks");
        epochs = new IntParam(stage, "epochs", "passes over the data");
        seed = new LongParam(stage, "seed", "the initial weights and every shuffle");
        schedule = new Param<>(stage, "schedule", "learning rate by epoch: constant, step:K:G or cosine");
        backend = new Param<>(stage, "backend", "what each task trains on: auto (its executor's GPU, else cpu), cpu,"
                + " opencl, cuda, …");
        sync = new Param<>(stage, "sync", "average (default): parameters and optimizer state averaged every"
                + " averageEvery local steps; gradients: the tasks' gradients summed every step (equal to one machine,"
                + " one Spark job per step)");
        averageEvery = new IntParam(stage, "averageEvery", "k, local steps between two parameter averages (sync average)");
        checkpointDir = new Param<>(stage, "checkpointDir", "a folder every task and the driver see: training writes"
                + " checkpoints there and resumes from the latest; empty for none");
        checkpointEvery = new IntParam(stage, "checkpointEvery", "epochs between two checkpoints");
        numTasks = new IntParam(stage, "numTasks", "training tasks, one per partition (the data is"
                + " repartitioned to as many); 0 for"
                + " the session's default parallelism");
        stage.setDefault(layers, new int[] {32});
        stage.setDefault(activation, "tanh");
        stage.setDefault(optimizer, "adam");
        stage.setDefault(learningRate, 0.01);
        stage.setDefault(batchSize, 32);
        stage.setDefault(epochs, 30);
        stage.setDefault(seed, 1L);
        stage.setDefault(schedule, "constant");
        stage.setDefault(backend, "auto");
        stage.setDefault(sync, "average");
        stage.setDefault(averageEvery, 8);
        stage.setDefault(checkpointDir, "");
        stage.setDefault(checkpointEvery, 1);
        stage.setDefault(numTasks, 0);
    }
}

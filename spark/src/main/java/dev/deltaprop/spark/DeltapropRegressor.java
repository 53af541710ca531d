package dev.deltaprop.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * A regression trained by deltaprop on Spark: hidden layers {@code layers} with {@code activation},
 * one output unit with {@code outputActivation} (identity by default) and the squared error
 * {@code E = ½ (y − d)²} against {@code labelCol}, trained by {@code optimizer} on global batches of
 * {@code batchSize} rows spread over {@code numTasks} tasks that train together (synchronous data
 * parallel, as the README's "deltaprop on Apache Spark" describes).
 *
 * <pre>{@code
 * DeltapropRegressionModel model = new DeltapropRegressor().setLayers(16).setEpochs(100).fit(train);
 * model.transform(test).select("prediction");
 * }</pre>
 */
public final class DeltapropRegressor
        extends Regressor<Vector, DeltapropRegressor, DeltapropRegressionModel>
        implements DeltapropParams, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private String uid;
    private final TrainingParams training;
    private final Param<String> outputActivation;

    /** With a fresh uid. */
    public DeltapropRegressor() {
        this(StageUid.random("deltapropRegressor"));
    }

    /** @param uid this stage's uid (as Spark's reader gives it) */
    public DeltapropRegressor(String uid) {
        this(StageUid.pass(uid));
    }

    private DeltapropRegressor(StageUid.Token token) {
        uid();
        training = new TrainingParams(this);
        outputActivation = new Param<>(this, "outputActivation", "f^L of the output unit: identity, sigmoid, tanh, …");
        setDefault(outputActivation, "identity");
    }

    /** @return the output activation param */
    public Param<String> outputActivation() {
        return outputActivation;
    }

    /** @param name {@code f^L}, e.g. identity or sigmoid */
    public DeltapropRegressor setOutputActivation(String name) { set(outputActivation, name); return this; }

    @Override
    public String uid() {
        if (uid == null) {
            uid = StageUid.take();
        }
        return uid;
    }

    @Override
    public TrainingParams training() {
        return training;
    }

    /** @param widths the hidden layers' widths {@code n_1 … n_{L-1}} (none: a linear model) */
    public DeltapropRegressor setLayers(int... widths) { set(layers(), widths); return this; }

    /** @param name the hidden activation */
    public DeltapropRegressor setActivation(String name) { set(activation(), name); return this; }

    /** @param name sgd, momentum, nesterov, adam or adamw */
    public DeltapropRegressor setOptimizer(String name) { set(optimizer(), name); return this; }

    /** @param rate {@code η} */
    public DeltapropRegressor setLearningRate(double rate) { set(learningRate(), rate); return this; }

    /** @param batch the global batch {@code B} */
    public DeltapropRegressor setBatchSize(int batch) { set(batchSize(), batch); return this; }

    /** @param count the epochs */
    public DeltapropRegressor setEpochs(int count) { set(epochs(), count); return this; }

    /** @param value the seed of the initial weights and the shuffles */
    public DeltapropRegressor setSeed(long value) { set(seed(), value); return this; }

    /** @param text constant, step:K:G or cosine */
    public DeltapropRegressor setSchedule(String text) { set(schedule(), text); return this; }

    /** @param name auto, cpu, opencl, cuda, … */
    public DeltapropRegressor setBackend(String name) { set(backend(), name); return this; }

    /** @param mode gradients or average */
    public DeltapropRegressor setSync(String mode) { set(sync(), mode); return this; }

    /** @param steps {@code k} */
    public DeltapropRegressor setAverageEvery(int steps) { set(averageEvery(), steps); return this; }

    /** @param folder checkpoints go there, and training resumes from the latest */
    public DeltapropRegressor setCheckpointDir(String folder) { set(checkpointDir(), folder); return this; }

    /** @param count epochs between checkpoints */
    public DeltapropRegressor setCheckpointEvery(int count) { set(checkpointEvery(), count); return this; }

    /** @param count training tasks (0: default parallelism) */
    public DeltapropRegressor setNumTasks(int count) { set(numTasks(), count); return this; }

    @Override
    public DeltapropRegressionModel train(Dataset<?> dataset) {
        settings(1, 1, getOrDefault(outputActivation)); // the params alone, before any job reads the data
        FitSettings settings = settings(DistributedFit.inputs(dataset, getFeaturesCol()), 1, getOrDefault(outputActivation));
        DistributedFit.Result result = DistributedFit.run(dataset, getFeaturesCol(), getLabelCol(), settings, 0,
                getNumTasks());
        DeltapropRegressionModel model = new DeltapropRegressionModel(uid(), result.outcome().model(),
                result.outcome().losses());
        return copyValues(model, extractParamMap()).setParent(this);
    }

    @Override
    public DeltapropRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** @return Spark's reader of saved regressors (params only: an estimator holds no model) */
    public static MLReader<DeltapropRegressor> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * @param path where {@code write().save(path)} put it
     * @return the regressor saved there
     */
    public static DeltapropRegressor load(String path) {
        return read().load(path);
    }
}

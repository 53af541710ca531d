package dev.deltaprop.spark;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * A regression trained by deltaprop on Spark: hidden layers {@code layers} with {@code activation},
 * one output unit with {@code outputActivation} (identity by default) and the squared error
 * {@code E = ½ (y − d)²} against {@code labelCol}, trained by {@code optimizer} on global batches of
 * {@code batchSize} rows spread over {@code numTasks} tasks that train together (synchronous data
 * parallel, as the README's "deltaprop on Apache Spark" describes). Its params and their setters are
 * those of {@link DeltapropParams}, and {@code outputActivation}.
 *
 * <pre>{@code
 * DeltapropRegressionModel model = new DeltapropRegressor().setLayers(16).setEpochs(100).fit(train);
 * model.transform(test).select("prediction");
 * }</pre>
 */
public final class DeltapropRegressor
        extends Regressor<Vector, DeltapropRegressor, DeltapropRegressionModel>
        implements DeltapropParams<DeltapropRegressor>, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** This stage's uid, set on first use of {@link #uid()} (see {@code StageUid}). */
    private String uid;
    /** The training params, owned by this stage. */
    private final TrainingParams training;
    /** {@code f^L}. */
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

    @Override
    public String uid() {
        uid = StageUid.orTake(uid);
        return uid;
    }

    @Override
    public TrainingParams training() {
        return training;
    }

    /** @return the output activation param */
    public Param<String> outputActivation() {
        return outputActivation;
    }

    /**
     * @param name {@code f^L}, e.g. identity or sigmoid
     * @return this estimator
     */
    public DeltapropRegressor setOutputActivation(String name) { set(outputActivation, name); return this; }

    @Override
    public DeltapropRegressionModel train(Dataset<?> dataset) {
        String output = getOrDefault(outputActivation);
        settings(1, 1, output); // the params alone, before any job reads the data
        NetworkHolder trained = DistributedFit.fit(this, dataset, getFeaturesCol(), getLabelCol(), 0, output);
        DeltapropRegressionModel model = new DeltapropRegressionModel(StageUid.pass(uid()), trained);
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

package dev.deltaprop.spark;

import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * A softmax classifier trained by deltaprop on Spark: hidden layers {@code layers} with
 * {@code activation}, an output of one unit per class with softmax and cross entropy, trained by
 * {@code optimizer} on global batches of {@code batchSize} rows spread over {@code numTasks} tasks
 * that train together (synchronous data parallel, as the README's "deltaprop on Apache Spark" describes).
 * Its params and their setters are those of {@link DeltapropParams}.
 *
 * <pre>{@code
 * DeltapropClassificationModel model = new DeltapropClassifier()
 *         .setLayers(32).setOptimizer("adam").setLearningRate(0.01).setEpochs(30).fit(train);
 * model.transform(test).select("prediction", "probability");
 * }</pre>
 *
 * <p>Labels are class indices {@code 0, 1, …} in {@code labelCol} (a {@code StringIndexer} makes
 * them); the number of classes is the label column's metadata or its largest value plus one.
 */
public final class DeltapropClassifier
        extends ProbabilisticClassifier<Vector, DeltapropClassifier, DeltapropClassificationModel>
        implements DeltapropParams<DeltapropClassifier>, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** This stage's uid, set on first use of {@link #uid()} (see {@code StageUid}). */
    private String uid;
    /** The training params, owned by this stage. */
    private final TrainingParams training;

    /** With a fresh uid. */
    public DeltapropClassifier() {
        this(StageUid.random("deltapropClassifier"));
    }

    /** @param uid this stage's uid (as Spark's reader gives it) */
    public DeltapropClassifier(String uid) {
        this(StageUid.pass(uid));
    }

    private DeltapropClassifier(StageUid.Token token) {
        uid();
        training = new TrainingParams(this);
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

    @Override
    public DeltapropClassificationModel train(Dataset<?> dataset) {
        settings(1, 2, "softmax"); // the params alone, before any job reads the data
        int classes = getNumClasses(dataset, 10_000);
        if (classes < 2) {
            throw new IllegalArgumentException("labelCol: expected at least 2 classes, found " + classes);
        }
        NetworkHolder trained = DistributedFit.fit(this, dataset, getFeaturesCol(), getLabelCol(), classes, "softmax");
        DeltapropClassificationModel model = new DeltapropClassificationModel(StageUid.pass(uid()), trained);
        return copyValues(model, extractParamMap()).setParent(this);
    }

    @Override
    public DeltapropClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** @return Spark's reader of saved classifiers (params only: an estimator holds no model) */
    public static MLReader<DeltapropClassifier> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * @param path where {@code write().save(path)} put it
     * @return the classifier saved there
     */
    public static DeltapropClassifier load(String path) {
        return read().load(path);
    }
}

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
        implements DeltapropParams, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private String uid;
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
        if (uid == null) {
            uid = StageUid.take();
        }
        return uid;
    }

    @Override
    public TrainingParams training() {
        return training;
    }

    /** @param widths the hidden layers' widths {@code n_1 … n_{L-1}} (none: a softmax regression) */
    public DeltapropClassifier setLayers(int... widths) { set(layers(), widths); return this; }

    /** @param name the hidden activation */
    public DeltapropClassifier setActivation(String name) { set(activation(), name); return this; }

    /** @param name sgd, momentum, nesterov, adam or adamw */
    public DeltapropClassifier setOptimizer(String name) { set(optimizer(), name); return this; }

    /** @param rate {@code η} */
    public DeltapropClassifier setLearningRate(double rate) { set(learningRate(), rate); return this; }

    /** @param batch the global batch {@code B} */
    public DeltapropClassifier setBatchSize(int batch) { set(batchSize(), batch); return this; }

    /** @param count the epochs */
    public DeltapropClassifier setEpochs(int count) { set(epochs(), count); return this; }

    /** @param value the seed of the initial weights and the shuffles */
    public DeltapropClassifier setSeed(long value) { set(seed(), value); return this; }

    /** @param text constant, step:K:G or cosine */
    public DeltapropClassifier setSchedule(String text) { set(schedule(), text); return this; }

    /** @param name auto, cpu, opencl, cuda, … */
    public DeltapropClassifier setBackend(String name) { set(backend(), name); return this; }

    /** @param mode gradients or average */
    public DeltapropClassifier setSync(String mode) { set(sync(), mode); return this; }

    /** @param steps {@code k} */
    public DeltapropClassifier setAverageEvery(int steps) { set(averageEvery(), steps); return this; }

    /** @param folder checkpoints go there, and training resumes from the latest */
    public DeltapropClassifier setCheckpointDir(String folder) { set(checkpointDir(), folder); return this; }

    /** @param count epochs between checkpoints */
    public DeltapropClassifier setCheckpointEvery(int count) { set(checkpointEvery(), count); return this; }

    /** @param count training tasks (0: default parallelism) */
    public DeltapropClassifier setNumTasks(int count) { set(numTasks(), count); return this; }

    @Override
    public DeltapropClassificationModel train(Dataset<?> dataset) {
        settings(1, 2, "softmax"); // the params alone, before any job reads the data
        int classes = getNumClasses(dataset, 10_000);
        if (classes < 2) {
            throw new IllegalArgumentException("labelCol: expected at least 2 classes, found " + classes);
        }
        FitSettings settings = settings(DistributedFit.inputs(dataset, getFeaturesCol()), classes, "softmax");
        DistributedFit.Result result = DistributedFit.run(dataset, getFeaturesCol(), getLabelCol(), settings, classes,
                getNumTasks());
        DeltapropClassificationModel model = new DeltapropClassificationModel(uid(), result.outcome().model(), classes,
                result.outcome().losses());
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

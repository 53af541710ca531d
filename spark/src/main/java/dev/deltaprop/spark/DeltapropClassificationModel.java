package dev.deltaprop.spark;

import dev.deltaprop.model.Network;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;

/**
 * A classifier trained by {@link DeltapropClassifier}: {@code predictionCol} is the most probable
 * class, {@code probabilityCol} the softmax output {@code y = z^L} (computed by the core library's
 * {@code cpu.Predictor} on each executor thread), and {@code rawPredictionCol} the same softmax
 * output (the network's own outputs; deltaprop keeps no separate scores). Saved with
 * {@code write().save(path)}: Spark's metadata and the network in deltaprop's model format
 * (a {@code metadata/} folder and {@code deltaprop/model.json}).
 */
public final class DeltapropClassificationModel
        extends ProbabilisticClassificationModel<Vector, DeltapropClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    /** This stage's uid, set on first use of {@link #uid()} (see {@code StageUid}). */
    private String uid;
    /** The trained network and its losses. */
    private final NetworkHolder network;

    /**
     * @param token   this model's uid, passed ({@code StageUid.pass(uid)}) just before
     * @param network one output unit per class, {@code n_L} of them
     */
    DeltapropClassificationModel(StageUid.Token token, NetworkHolder network) {
        uid();
        this.network = network;
    }

    @Override
    public String uid() {
        uid = StageUid.orTake(uid);
        return uid;
    }

    /** @return the trained network (immutable, like every {@link Network}: the model keeps using it) */
    public Network network() {
        return network.network();
    }

    /** @return the mean training loss of each epoch (empty for a loaded model) */
    public double[] trainingLosses() {
        return network.losses();
    }

    /** @return {@code n_L}: the network has one softmax output per class */
    @Override
    public int numClasses() {
        return network.network().outputs();
    }

    @Override
    public int numFeatures() {
        return network.network().inputs();
    }

    @Override
    public Vector predictRaw(Vector features) {
        float[] y = network.predict(features.toArray());
        double[] out = new double[y.length];
        for (int k = 0; k < y.length; k++) {
            out[k] = y[k];
        }
        return new DenseVector(out);
    }

    /** The raw prediction is already the softmax output: nothing to do. */
    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        return rawPrediction;
    }

    /**
     * Spark's own, declared again only because Java sees two inherited signatures of it (Scala's
     * covariant {@code Tuple3} return in the two superclasses); {@code javac} takes the raw type.
     *
     * @return what {@link ProbabilisticClassificationModel} returns
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    @Override
    public DeltapropClassificationModel copy(ParamMap extra) {
        return copyValues(new DeltapropClassificationModel(StageUid.pass(uid()), network), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return ModelStore.writer(this, network);
    }

    /** @return the reader of saved classification models */
    public static MLReader<DeltapropClassificationModel> read() {
        return ModelStore.reader(DeltapropClassificationModel.class, DeltapropClassificationModel::new);
    }

    /**
     * @param path where {@code write().save(path)} put it
     * @return the model saved there
     */
    public static DeltapropClassificationModel load(String path) {
        return read().load(path);
    }
}

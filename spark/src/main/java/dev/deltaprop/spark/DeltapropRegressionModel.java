package dev.deltaprop.spark;

import dev.deltaprop.model.Network;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;

/**
 * A regression trained by {@link DeltapropRegressor}: {@code predictionCol} is the network's one
 * output {@code y = z^L}, computed by the core library's {@code cpu.Predictor} on each executor
 * thread. Saved with {@code write().save(path)}: Spark's metadata and the network in deltaprop's
 * model format (a {@code metadata/} folder and {@code deltaprop/model.json}).
 */
public final class DeltapropRegressionModel
        extends RegressionModel<Vector, DeltapropRegressionModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    /** This stage's uid, set on first use of {@link #uid()} (see {@code StageUid}). */
    private String uid;
    /** The trained network and its losses. */
    private final NetworkHolder network;

    /**
     * @param token   this model's uid, passed ({@code StageUid.pass(uid)}) just before
     * @param network one output unit
     */
    DeltapropRegressionModel(StageUid.Token token, NetworkHolder network) {
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

    @Override
    public int numFeatures() {
        return network.network().inputs();
    }

    @Override
    public double predict(Vector features) {
        return network.predict(features.toArray())[0];
    }

    @Override
    public DeltapropRegressionModel copy(ParamMap extra) {
        return copyValues(new DeltapropRegressionModel(StageUid.pass(uid()), network), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return ModelStore.writer(this, network);
    }

    /** @return the reader of saved regression models */
    public static MLReader<DeltapropRegressionModel> read() {
        return ModelStore.reader(DeltapropRegressionModel.class, DeltapropRegressionModel::new);
    }

    /**
     * @param path where {@code write().save(path)} put it
     * @return the model saved there
     */
    public static DeltapropRegressionModel load(String path) {
        return read().load(path);
    }
}

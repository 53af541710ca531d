package dev.deltaprop.spark;

import dev.deltaprop.model.Network;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
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

    private String uid;
    private final NetworkHolder network;
    private final double[] losses;

    DeltapropRegressionModel(String uid, String json, double[] losses) {
        this(StageUid.pass(uid), json, losses);
    }

    private DeltapropRegressionModel(StageUid.Token token, String json, double[] losses) {
        uid();
        this.network = new NetworkHolder(json);
        this.losses = losses.clone();
    }

    @Override
    public String uid() {
        if (uid == null) {
            uid = StageUid.take();
        }
        return uid;
    }

    /** @return the trained network (a copy is the caller's to keep) */
    public Network network() {
        return network.network();
    }

    /** @return the mean training loss of each epoch (empty for a loaded model) */
    public double[] trainingLosses() {
        return losses.clone();
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
        DeltapropRegressionModel copy = new DeltapropRegressionModel(uid(), network.json(), losses);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        DeltapropRegressionModel model = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                ModelStore.save(model, network.json(), path, sparkSession());
            }
        };
    }

    /** @return the reader of saved regression models */
    public static MLReader<DeltapropRegressionModel> read() {
        return new MLReader<>() {
            @Override
            public DeltapropRegressionModel load(String path) {
                DefaultParamsReader.Metadata metadata = ModelStore.metadata(path, sparkSession(),
                        DeltapropRegressionModel.class);
                String json = ModelStore.network(path, sparkSession());
                DeltapropRegressionModel model = new DeltapropRegressionModel(metadata.uid(), json,
                        new double[0]);
                ModelStore.setParams(metadata, model);
                return model;
            }
        };
    }

    /**
     * @param path where {@code write().save(path)} put it
     * @return the model saved there
     */
    public static DeltapropRegressionModel load(String path) {
        return read().load(path);
    }
}

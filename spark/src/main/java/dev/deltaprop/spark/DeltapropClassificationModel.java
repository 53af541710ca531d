package dev.deltaprop.spark;

import dev.deltaprop.model.Network;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
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

    private String uid;
    private final NetworkHolder network;
    private final int classes;
    private final double[] losses;

    DeltapropClassificationModel(String uid, String json, int classes, double[] losses) {
        this(StageUid.pass(uid), json, classes, losses);
    }

    private DeltapropClassificationModel(StageUid.Token token, String json, int classes, double[] losses) {
        uid();
        this.network = new NetworkHolder(json);
        this.classes = classes;
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
    public int numClasses() {
        return classes;
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
        DeltapropClassificationModel copy = new DeltapropClassificationModel(uid(), network.json(), classes, losses);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        DeltapropClassificationModel model = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                ModelStore.save(model, network.json(), path, sparkSession());
            }
        };
    }

    /** @return the reader of saved classification models */
    public static MLReader<DeltapropClassificationModel> read() {
        return new MLReader<>() {
            @Override
            public DeltapropClassificationModel load(String path) {
                DefaultParamsReader.Metadata metadata = ModelStore.metadata(path, sparkSession(),
                        DeltapropClassificationModel.class);
                String json = ModelStore.network(path, sparkSession());
                DeltapropClassificationModel model = new DeltapropClassificationModel(metadata.uid(), json,
                        DistributedFit.parse(json).outputs(), new double[0]);
                ModelStore.setParams(metadata, model);
                return model;
            }
        };
    }

    /**
     * @param path where {@code write().save(path)} put it
     * @return the model saved there
     */
    public static DeltapropClassificationModel load(String path) {
        return read().load(path);
    }
}

package dev.deltaprop.spark;

import dev.deltaprop.cpu.Predictor;
import dev.deltaprop.model.Network;

import java.io.Serializable;

/**
 * A trained network as a model carries it to executors, with the training losses the model
 * reports: its JSON (deltaprop's model format) is what travels, and each executor thread builds
 * its own {@link Predictor} from it on first use (a predictor is not thread-safe, and Spark runs
 * several tasks of one model at once). Immutable to its users, so a model's copies share it.
 */
final class NetworkHolder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String json;
    private final double[] losses;
    private transient Network network;
    private transient ThreadLocal<Predictor> predictors;

    /**
     * @param json   the network in deltaprop's model format
     * @param losses the mean training loss of each epoch (empty for a loaded model)
     */
    NetworkHolder(String json, double[] losses) {
        this.json = json;
        this.losses = losses.clone();
    }

    String json() {
        return json;
    }

    /** @return the mean training loss of each epoch, a copy */
    double[] losses() {
        return losses.clone();
    }

    synchronized Network network() {
        if (network == null) {
            network = DistributedFit.parse(json);
        }
        return network;
    }

    /** {@code y = z^L} of one sample, on this thread's predictor. */
    float[] predict(double[] features) {
        Predictor predictor = predictor();
        if (features.length != predictor.inputs()) {
            throw new IllegalArgumentException("featuresCol: expected a vector of " + predictor.inputs()
                    + " numbers, found " + features.length);
        }
        float[] x = new float[features.length];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) features[k];
        }
        float[] y = new float[predictor.outputs()];
        predictor.predict(x, y);
        return y;
    }

    private synchronized Predictor predictor() {
        if (predictors == null) {
            Network shared = network();
            predictors = ThreadLocal.withInitial(() -> Predictor.of(shared));
        }
        return predictors.get();
    }
}

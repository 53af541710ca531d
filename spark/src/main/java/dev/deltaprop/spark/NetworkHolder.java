package dev.deltaprop.spark;

import dev.deltaprop.cpu.Predictor;
import dev.deltaprop.model.Network;

import java.io.Serializable;

/**
 * A trained network as a model carries it to executors: its JSON (deltaprop's model format) is
 * what travels, and each executor thread builds its own {@link Predictor} from it on first use
 * (a predictor is not thread-safe, and Spark runs several tasks of one model at once).
 */
final class NetworkHolder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String json;
    private transient Network network;
    private transient ThreadLocal<Predictor> predictors;

    NetworkHolder(String json) {
        this.json = json;
    }

    String json() {
        return json;
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

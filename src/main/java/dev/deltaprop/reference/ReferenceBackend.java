package dev.deltaprop.reference;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.OneThread;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The {@code reference} backend: SGD through the equations of {@link Reference}, in double,
 * with float32 parameters. Slow by design; it is the oracle and the fallback of last resort.
 * After a step, {@link #weightGradient(int)} and {@link #biasGradient(int)} hold that step's
 * {@code ∂E/∂w} and {@code ∂E/∂b}.
 */
public final class ReferenceBackend implements Backend {
    private Network network;
    private ReferenceNet net;
    /** Refuses a second thread inside a call (backends are single-threaded). */
    private final OneThread guard = new OneThread("reference");

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String device() {
        return "pure Java, double accumulation, 1 thread";
    }

    // INTERIM (foundation commit): only plain SGD until the optimizer work of issue 10 lands here
    private Optimizer optimizer = Optimizer.sgd();

    @Override
    public void load(Network network, Optimizer optimizer, OptimizerState state) {
        boolean entered = guard.enter();
        try {
            loadInside(network, optimizer, state);
        } finally {
            guard.exit(entered);
        }
    }

    private void loadInside(Network network, Optimizer optimizer, OptimizerState state) {
        java.util.Objects.requireNonNull(optimizer, "optimizer");
        if (!optimizer.equals(Optimizer.sgd()) || state != null) {
            throw new IllegalArgumentException("optimizer: expected sgd without weight decay on " + name() + " for now, found " + optimizer);
        }
        this.optimizer = optimizer;
        load(network);
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public OptimizerState optimizerState() {
        boolean entered = guard.enter();
        try {
            return optimizerStateInside();
        } finally {
            guard.exit(entered);
        }
    }

    private OptimizerState optimizerStateInside() {
        throw new UnsupportedOperationException("optimizerState: not yet implemented on " + name());
    }

    @Override
    public void load(Network network) {
        boolean entered = guard.enter();
        try {
            loadInside(network);
        } finally {
            guard.exit(entered);
        }
    }

    private void loadInside(Network network) {
        this.network = Objects.requireNonNull(network, "network");
        this.net = new ReferenceNet(network);
    }

    @Override
    public Network network() {
        boolean entered = guard.enter();
        try {
            return networkInside();
        } finally {
            guard.exit(entered);
        }
    }

    private Network networkInside() {
        return net().toNetwork(network);
    }

    @Override
    public float step(float[] x, float[] d, int batch, float learningRate) {
        boolean entered = guard.enter();
        try {
            return stepInside(x, d, batch, learningRate);
        } finally {
            guard.exit(entered);
        }
    }

    private float stepInside(float[] x, float[] d, int batch, float learningRate) {
        ReferenceNet net = net();
        Checks.batch(x, d, batch, network.inputs(), network.outputs());
        Checks.learningRate(learningRate);
        double loss = net.backpropagate(ReferenceNet.toDouble(x), ReferenceNet.toDouble(d), batch);
        net.update(learningRate);
        return (float) loss;
    }

    @Override
    public float step(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        boolean entered = guard.enter();
        try {
            return stepInside(x, d, batch, learningRate);
        } finally {
            guard.exit(entered);
        }
    }

    private float stepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        net();
        Checks.batch(x, d, batch, network.inputs(), network.outputs());
        return step(copy(x, batch * network.inputs()), copy(d, batch * network.outputs()), batch, learningRate);
    }

    @Override
    public float[] predict(float[] x, int batch) {
        boolean entered = guard.enter();
        try {
            return predictInside(x, batch);
        } finally {
            guard.exit(entered);
        }
    }

    private float[] predictInside(float[] x, int batch) {
        ReferenceNet net = net();
        Checks.inputs(x, batch, network.inputs());
        return ReferenceNet.toFloat(net.forward(ReferenceNet.toDouble(x), batch));
    }

    /** {@code ∂E/∂w^l} of the last step, {@code n_{l-1} × n_l}; {@code layer} is 0-based. */
    public double[] weightGradient(int layer) {
        return net().weightGradient[layer].clone();
    }

    /** {@code ∂E/∂w^l_0} (the bias) of the last step; {@code layer} is 0-based. */
    public double[] biasGradient(int layer) {
        return net().biasGradient[layer].clone();
    }

    private ReferenceNet net() {
        if (net == null) {
            throw new IllegalStateException("reference: no network loaded; call load(network) first");
        }
        return net;
    }

    private static float[] copy(FloatBuffer buffer, int count) {
        float[] out = new float[count];
        buffer.duplicate().get(out);
        return out;
    }

    @Override
    public void close() {
        boolean entered = guard.enter();
        try {
            closeInside();
        } finally {
            guard.exit(entered);
        }
    }

    private void closeInside() {
        net = null;
    }
}

package dev.deltaprop.reference;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.GuardedBackend;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The {@code reference} backend: the equations of {@link Reference} and the optimizer rules of
 * {@link OptimizerRules}, in double, with float32 parameters and optimizer state. Slow by design;
 * it is the oracle and the fallback of last resort. After a step, {@link #weightGradient(int)} and
 * {@link #biasGradient(int)} hold that step's batch-mean {@code ∂E/∂w} and {@code ∂E/∂b}, before
 * any weight decay.
 */
public final class ReferenceBackend extends GuardedBackend {
    private Network network;
    private ReferenceNet net;
    private boolean closed;
    private Optimizer optimizer = Optimizer.sgd();
    /** {@code t}: the steps taken since the state was fresh. */
    private long steps;

    /** An empty oracle; {@link #load} gives it a network. */
    public ReferenceBackend() {
        super("reference");
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String device() {
        return "pure Java, double accumulation, 1 thread";
    }

    @Override
    protected void loadInside(Network network, Optimizer optimizer, OptimizerState state) {
        open();
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(optimizer, "optimizer");
        if (state != null) {
            state.requireFits(network, optimizer); // before anything is replaced
        }
        // in double: the weights, their gradient and the optimizer's state, before any is allocated
        MemoryEstimate.requireHeap("reference: the network " + network.shape() + " (its weights, gradient and "
                + optimizer.kind() + " state in double)",
                MemoryEstimate.bytes(network.parameterCount(), (2 + optimizer.kind().slots()) * Double.BYTES));
        OptimizerState start = state == null ? OptimizerState.initial(network, optimizer.kind()) : state;
        ReferenceNet loaded = new ReferenceNet(network, start);
        this.network = network;
        this.optimizer = optimizer;
        this.net = loaded;
        this.steps = start.steps();
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    protected OptimizerState optimizerStateInside() {
        return net().state(optimizer.kind(), steps);
    }

    @Override
    protected Network networkInside() {
        return net().toNetwork(network);
    }

    @Override
    protected float stepInside(float[] x, float[] d, int batch, float learningRate) {
        ReferenceNet net = net();
        Checks.batch(x, d, batch, network.inputs(), network.outputs());
        Checks.learningRate(learningRate);
        double loss = net.backpropagate(ReferenceNet.toDouble(x), ReferenceNet.toDouble(d), batch);
        steps++;
        net.update(optimizer, steps, learningRate);
        return (float) loss;
    }

    @Override
    protected float stepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        net();
        Checks.batch(x, d, batch, network.inputs(), network.outputs());
        return step(copy(x, batch * network.inputs()), copy(d, batch * network.outputs()), batch, learningRate);
    }

    @Override
    protected float[] predictInside(float[] x, int batch) {
        ReferenceNet net = net();
        Checks.inputs(x, batch, network.inputs());
        return ReferenceNet.toFloat(net.forward(ReferenceNet.toDouble(x), batch));
    }

    /** {@code ∂E/∂w^l} of the last step (batch mean, before weight decay), {@code n_{l-1} × n_l}; {@code layer} is 0-based. */
    public double[] weightGradient(int layer) {
        return net().weightGradient[layer].clone();
    }

    /** {@code ∂E/∂w^l_0} (the bias) of the last step (batch mean, before weight decay); {@code layer} is 0-based. */
    public double[] biasGradient(int layer) {
        return net().biasGradient[layer].clone();
    }

    @Override
    public int[] widths() {
        net();
        return network.widths();
    }

    private ReferenceNet net() {
        open();
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
    protected void closeInside() {
        closed = true;
        net = null;
    }

    /** After {@link #close()} the backend refuses every call, as every backend does. */
    private void open() {
        if (closed) {
            throw new IllegalStateException("reference: the backend is closed");
        }
    }
}

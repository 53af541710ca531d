package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.backend.GradientExchange;
import dev.deltaprop.backend.GuardedExchange;
import dev.deltaprop.backend.PeerExchange;
import dev.deltaprop.backend.LossReading;
import dev.deltaprop.backend.Profiled;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one engine for every GPU binding: training on a device through a {@link Driver}, which it
 * owns and closes. It knows the network and the order of launches; the driver knows the device.
 *
 * <p>A training step is a fixed sequence of launches — forward {@code l = 1..L}, output δ and the
 * loss (squared error or cross entropy; with a softmax output this pass also normalises the
 * rows), hidden δ {@code l = L-1..1} (each from {@code W^{l+1}} before it changes), then the
 * updates {@code l = 1..L} with the optimizer in their epilogue — that is {@code 3L + 1}
 * launches whatever the loss and the optimizer (one more for each forward, δ or update GEMM
 * that {@code GemmPlan} splits along K; a split update steps in that reduce), with no host round trip but the batch upload
 * before it and the one-float loss read after it. Parameters and the optimizer's state (v, or m
 * and s) stay on the device until {@link #network()} or {@link #optimizerState()} asks for them;
 * the step count {@code t} is kept here and Adam's bias corrections are computed here in double
 * ({@link OptimizerStep}). {@link #predict} of a softmax output adds one row pass.
 *
 * <p>{@link #upload} keeps a data set in device memory when its inputs and teachers together take
 * at most {@value #DATASET_SHARE_PERCENT}% of the device's global memory; batches are then
 * gathered on the device in the order given to {@link Dataset#order} (two more launches per step,
 * no upload). A larger data set stays on the host and its batches are uploaded step by step; the
 * logger {@code dev.deltaprop.device} says so at {@code INFO}.
 *
 * <p>A network that fits the fused small-MLP kernel (every width ≤ {@value FusedMlp#WIDTH}, see
 * {@link FusedMlp#refusal}) trains in 2 launches per step instead of {@code 3L + 1}, with the
 * same loss, optimizer and read-outs, on GPU-class devices by default ({@link FusedMlp.Mode});
 * {@link #device()} says which path the loaded network takes, and {@code -D}{@value
 * FusedMlp#PROPERTY}{@code =true|false|auto} chooses.
 *
 * <p>A training step's launches after the batch is in place are recorded once per (net, path,
 * batch size, loss record) as a {@link LaunchPlan} and replayed ({@link StepPlans}), so that a
 * steady step allocates nothing on the Java heap ({@link TrainingStep}). On the CUDA drivers a
 * plan is captured once as a graph and replayed while it stays the step's ({@link StepGraph});
 * {@code -D}{@value StepGraph#PROPERTY}{@code =auto|true|false} chooses, and {@link #device()}
 * says which. {@link #predict}'s forward pass and the launches of the data-parallel exchange
 * ({@link DeviceExchange}) are plans too, kept per batch size ({@link KeptPlans}).
 *
 * <p>This class is the facade: it checks every argument before any device work, owns the
 * driver, and hands the work to one class per seam: {@link LoadedNet} (a load's checks, the
 * loaded net and optimizer, what a load or a close frees), {@link BatchInput} (a batch into
 * {@code X} and {@code D}), {@link TrainingStep} (a step's scalars, plan, graph and loss),
 * {@link Prediction} (the forward pass of {@link #predict}), {@link LayerPath} (the per-layer
 * GEMM launches), {@link FusedPath} (the fused small-MLP step) and {@link DeviceExchange} (the
 * gradient exchange of data-parallel training).
 */
public final class DeviceBackend extends GuardedExchange implements PeerExchange, Profiled {
    /** The share of global memory a data set may take on the device, in percent. */
    public static final int DATASET_SHARE_PERCENT = 50;

    private final String name;
    private final Driver driver;
    private final Kernels kernels;
    private final StepTimer timer;
    private final double datasetShare;
    private final BatchInput input;
    private final LayerPath layers;
    private final FusedPath fused;
    private final DeviceExchange exchange;
    /** {@link #sumPeers}' peers, kept across steps so that a step allocates nothing. */
    private final List<DeviceExchange> peerExchanges = new ArrayList<>();
    private final StepGraph graphs;
    private final TrainingStep steps;
    private final Prediction prediction;
    private final LoadedNet loaded;

    /**
     * Builds the kernels on {@code driver}'s device. On failure the driver is closed.
     *
     * @param name the backend's name, e.g. {@code opencl}
     */
    public DeviceBackend(String name, Driver driver) {
        this(name, driver, DATASET_SHARE_PERCENT / 100.0);
    }

    /** As {@link #DeviceBackend(String, Driver)}, with another data-set share (tests use 0 to force host batches). */
    DeviceBackend(String name, Driver driver, double datasetShare) {
        this(name, driver, datasetShare, null);
    }

    /**
     * As {@link #DeviceBackend(String, Driver, double)} with the kernels built for {@code tiles}
     * instead of the device's own row of {@link TileProfile} ({@code null}: its own), so that the
     * device tests run another kind of device's tiles here (the GPU row on PoCL).
     */
    DeviceBackend(String name, Driver driver, double datasetShare, TileProfile tiles) {
        super(Objects.requireNonNull(name, "name"));
        this.name = name;
        this.driver = Objects.requireNonNull(driver, "driver");
        this.datasetShare = datasetShare;
        this.timer = new StepTimer(driver);
        try {
            FusedMlp.Mode mode = FusedMlp.mode(); // a bad -Ddeltaprop.fused closes the driver too
            // so do a bad -Ddeltaprop.graphs, or =true without CUDA: refused before the kernels are built
            this.graphs = new StepGraph(driver, StepGraph.mode());
            this.kernels = tiles == null ? new Kernels(driver) : new Kernels(driver, tiles);
            this.fused = new FusedPath(driver, kernels, mode);
            this.input = new BatchInput(driver, kernels, timer); // a bad -Ddeltaprop.overlap closes the driver too
        } catch (RuntimeException | Error e) {
            driver.close();
            throw e;
        }
        this.layers = new LayerPath(kernels, timer);
        this.exchange = new DeviceExchange(driver, kernels, layers, input, timer);
        this.steps = new TrainingStep(driver, kernels, layers, fused, timer, graphs, input.buffers());
        this.prediction = new Prediction(driver, kernels, layers, timer);
        this.loaded = new LoadedNet(name, driver, fused, steps, exchange, prediction);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String device() {
        return driver.deviceName() + " (" + driver.deviceVersion() + "; " + driver.binding() + "; tiles "
                + kernels.tiles() + "; " + fused.description(loaded.current()) + "; " + graphs.description() + "; "
                + input.buffers().description() + ")";
    }

    /** The load, its checks and what it frees: {@link LoadedNet#load}. */
    @Override
    protected void loadInside(Network network, Optimizer optimizer, OptimizerState state) {
        loaded.load(network, optimizer, state);
    }

    @Override
    public Optimizer optimizer() {
        return loaded.optimizer();
    }

    /** {@code t} and the state arrays, read back from the device. */
    @Override
    protected OptimizerState optimizerStateInside() {
        return net().readState();
    }

    @Override
    protected Network networkInside() {
        return net().read();
    }

    @Override
    protected float stepInside(float[] x, float[] d, int batch, float learningRate) {
        return train(input.checked(net(), x, d, batch, learningRate), batch, learningRate, 0, false);
    }

    @Override
    protected void queueStepInside(float[] x, float[] d, int batch, float learningRate) {
        train(input.checked(net(), x, d, batch, learningRate), batch, learningRate, 0, true);
    }

    @Override
    protected float stepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        return train(input.checked(net(), x, d, batch, learningRate), batch, learningRate, 0, false);
    }

    @Override
    protected void queueStepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        train(input.checked(net(), x, d, batch, learningRate), batch, learningRate, 0, true);
    }

    @Override
    protected float stepInside(Dataset data, int offset, int batch, float learningRate) {
        if (!ownDataset(data)) {
            return super.stepInside(data, offset, batch, learningRate);
        }
        return train(input.checked(net(), (DeviceDataset) data, offset, batch, learningRate), batch, learningRate, 2, false);
    }

    @Override
    protected void queueStepInside(Dataset data, int offset, int batch, float learningRate) {
        if (!ownDataset(data)) {
            super.queueStepInside(data, offset, batch, learningRate); // a host data set: gathered, then queued as arrays
            return;
        }
        train(input.checked(net(), (DeviceDataset) data, offset, batch, learningRate), batch, learningRate, 2, true);
    }

    /** The losses of the steps queued since the last reading, from the device's record ({@link LossRecord}). */
    @Override
    protected LossReading readLossInside() {
        return steps.readLoss(net());
    }

    /** {@code true}: the losses of queued steps are in device memory until read. */
    @Override
    public boolean readingWaits() {
        return true;
    }

    private boolean ownDataset(Dataset data) {
        return data instanceof DeviceDataset && ((DeviceDataset) data).ownedBy(this);
    }

    /** The step's launches once the batch is in {@code X} and {@code D} and the timer started: {@link TrainingStep}. */
    private float train(DeviceNet net, int batch, float learningRate, int launchesBefore, boolean lazy) {
        return steps.run(net, loaded.optimizer(), fused.on(), batch, learningRate, launchesBefore, lazy);
    }

    @Override
    protected float[] predictInside(float[] x, int batch) {
        return prediction.predict(net(), x, batch);
    }

    @Override
    protected Dataset uploadInside(float[] x, float[] d, int samples) {
        DeviceNet net = net();
        int inputs = net.width(0);
        int outputs = net.width(net.depth());
        Checks.batch(x, d, samples, inputs, outputs);
        if (!DeviceDataset.fits(name, driver, datasetShare, samples, inputs, outputs)) {
            return super.uploadInside(x, d, samples); // on the host, each batch uploaded at its step
        }
        return new DeviceDataset(this, driver, x, d, samples, inputs, outputs);
    }

    @Override
    protected double gradientInside(float[] x, float[] d, int offset, int batch) {
        return exchange.gradient(net(), x, d, offset, batch);
    }

    @Override
    protected int gradientLengthInside() {
        return exchange.length(net());
    }

    @Override
    protected void readGradientInside(float[] target) {
        exchange.read(net(), target);
    }

    @Override
    protected void writeGradientInside(float[] source) {
        exchange.write(net(), source);
    }

    @Override
    protected void applyInside(float learningRate, int totalBatch) {
        exchange.apply(net(), loaded.optimizer(), learningRate, totalBatch);
    }

    @Override
    protected void beginGradientInside(float[] x, float[] d, int offset, int batch) {
        exchange.begin(net(), x, d, offset, batch);
    }

    @Override
    protected void layerGradientInside(int layer) {
        exchange.layer(net(), layer);
    }

    @Override
    protected double gradientLossInside() {
        return exchange.loss(net());
    }

    @Override
    protected void readGradientInside(int layer, float[] target, int targetOffset) {
        exchange.read(net(), layer, target, targetOffset);
    }

    @Override
    protected void writeGradientInside(int layer, float[] source, int sourceOffset) {
        exchange.write(net(), layer, source, sourceOffset);
    }

    @Override
    protected void applyInside(int layer, float learningRate, int totalBatch) {
        exchange.apply(net(), layer, loaded.optimizer(), learningRate, totalBatch);
    }

    /** Whether {@code peer} is a device replica whose memory this device reads directly ({@link Driver#enablePeerAccess}). */
    @Override
    public boolean enablePeer(GradientExchange peer) {
        boolean entered = enter();
        try {
            open();
            return peer instanceof DeviceBackend other && other != this && driver.enablePeerAccess(other.driver);
        } finally {
            leave(entered);
        }
    }

    @Override
    public void settle() {
        boolean entered = enter();
        try {
            open();
            driver.finish();
        } finally {
            leave(entered);
        }
    }

    /** Reads only the peers' gradient buffers and drivers (their own threads keep them otherwise): see {@link PeerExchange}. */
    @Override
    public void sumPeers(int layer, List<? extends GradientExchange> peers) {
        boolean entered = enter();
        try {
            DeviceNet net = net();
            peerExchanges.clear();
            for (int r = 0; r < peers.size(); r++) { // indexed: no iterator per call
                peerExchanges.add(((DeviceBackend) peers.get(r)).exchange);
            }
            exchange.sumPeers(net, layer, peerExchanges);
        } finally {
            leave(entered);
        }
    }

    @Override
    public void copyTotal(int layer, GradientExchange root) {
        boolean entered = enter();
        try {
            // the cast first: a root of another kind is refused before the net's checks
            DeviceExchange other = ((DeviceBackend) root).exchange;
            exchange.copyTotal(net(), layer, other);
        } finally {
            leave(entered);
        }
    }

    @Override
    public void profiling(boolean enabled) {
        timer.enabled(enabled);
    }

    @Override
    public Map<String, Long> lastStepNanos() {
        return timer.lastStep();
    }

    /**
     * {@code 3L + 1} (plus one reduce per split-K GEMM, {@code GemmPlan}), or 2 on the fused
     * small-MLP path, plus 2 gathers for a step on a device data set: the last step's count once
     * one ran, else {@code 3L + 1}.
     */
    @Override
    public int launchesPerStep() {
        return steps.launchesPerStep(loaded.current(), fused.on());
    }

    /** Frees the net and everything made for it, then closes the driver: {@link LoadedNet#close}. */
    @Override
    protected void closeInside() {
        loaded.close();
    }

    private void open() {
        loaded.open();
    }

    @Override
    public int[] widths() {
        return net().shape().widths();
    }

    private DeviceNet net() {
        return loaded.net();
    }

    // what the device tests reach inside: the driver, the kernels, the net, the plans, the paths

    /** The graph mode from now on (the tests choose); any graph is dropped. */
    void graphMode(StepGraph.Mode mode) {
        graphs.mode(mode);
    }

    /** The step graphs, for the device tests. */
    StepGraph graphs() {
        return graphs;
    }

    /** The step plans, for the device tests. */
    StepPlans plans() {
        return steps.plans();
    }

    /** {@link #predict}'s plans, for the device tests. */
    KeptPlans predictions() {
        return prediction.plans();
    }

    /** The data-parallel exchange's plans, for the device tests. */
    KeptPlans exchangePlans() {
        return exchange.plans();
    }

    /** The fused path's mode for the next {@link #load} (the tests choose each path). */
    void fusedMode(FusedMlp.Mode mode) {
        fused.mode(mode);
    }

    /** Whether the loaded network takes the fused small-MLP step. */
    boolean fusedOn() {
        return fused.on();
    }

    /** The driver, for the device tests. */
    Driver driver() {
        return driver;
    }

    /** The loaded network's device memory, for the device tests. */
    DeviceNet netForTests() {
        return net();
    }

    /** The fused small-MLP step, for the device tests. */
    FusedMlp fused() {
        return fused.kernel();
    }

    /** The built kernels, for the device tests. */
    Kernels kernels() {
        return kernels;
    }
}

package dev.deltaprop.device;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.GradientExchange;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.backend.OneThread;
import dev.deltaprop.backend.Profiled;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.nio.FloatBuffer;
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
 */
public final class DeviceBackend implements GradientExchange, Profiled {
    /** The share of global memory a data set may take on the device, in percent. */
    public static final int DATASET_SHARE_PERCENT = 50;

    /** Says at {@code INFO} when a data set is too large to stay on the device (see {@link #upload}). */
    private static final System.Logger LOG = System.getLogger("dev.deltaprop.device");

    private final String name;
    private final Driver driver;
    private final Kernels kernels;
    private final StepTimer timer;
    private final double datasetShare;
    private DeviceNet net;
    /** The gradient sums of {@link GradientExchange}, made on its first use after a load. */
    private DeviceGradients gradients;
    private GradientKernels gradientKernels;
    private Optimizer optimizer;
    /** The fused small-MLP step ({@link FusedMlp}); {@link #fusedOn} says whether the loaded network takes it. */
    private final FusedMlp fused;
    private FusedMlp.Mode fusedMode;
    private boolean fusedOn;
    private int lastLaunches;
    private boolean closed;
    /** Refuses a second thread inside a call (backends are single-threaded). */
    private final OneThread guard;

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
        this.name = Objects.requireNonNull(name, "name");
        this.guard = new OneThread(name);
        this.driver = Objects.requireNonNull(driver, "driver");
        this.datasetShare = datasetShare;
        try {
            this.fusedMode = FusedMlp.mode(); // a bad -Ddeltaprop.fused closes the driver too
            this.kernels = tiles == null ? new Kernels(driver) : new Kernels(driver, tiles);
            this.fused = new FusedMlp(driver, kernels);
        } catch (RuntimeException | Error e) {
            driver.close();
            throw e;
        }
        this.timer = new StepTimer(driver);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String device() {
        return driver.deviceName() + " (" + driver.deviceVersion() + "; " + driver.binding() + "; tiles "
                + kernels.tiles() + "; " + fusedDescription() + ")";
    }

    /** What {@link #device()} says of the fused small-MLP kernel. */
    private String fusedDescription() {
        if (!FusedMlp.chosen(fusedMode, driver.deviceType())) {
            return "fused small-MLP kernel off (" + FusedMlp.PROPERTY + "=" + (fusedMode == FusedMlp.Mode.OFF ? "false"
                    : "auto: GPU devices only") + ")";
        }
        if (net == null) {
            return "fused small-MLP kernel for widths ≤ " + FusedMlp.WIDTH;
        }
        return fusedOn ? "fused small-MLP kernel: 2 launches per step"
                : "layer-by-layer kernels (not fused: " + FusedMlp.refusal(net.shape(), driver.maxGroupSize()) + ")";
    }

    /** The fused path's mode for the next {@link #load} (the tests choose each path). */
    void fusedMode(FusedMlp.Mode mode) {
        fusedMode = Objects.requireNonNull(mode, "mode");
    }

    /** Whether the loaded network takes the fused small-MLP step. */
    boolean fusedOn() {
        return fusedOn;
    }

    /**
     * Puts the parameters and the optimizer's state into device memory: {@code state == null}
     * starts fresh ({@code t = 0}, every slot zero); a given state is checked against the
     * network and the optimizer before anything is allocated, and a refused load leaves the
     * previous network loaded.
     */
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
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(optimizer, "optimizer");
        if (state != null) {
            state.requireFits(network, optimizer);
        }
        open();
        // the parameters and the optimizer's state, against the device's memory, before any is allocated
        long bytes = MemoryEstimate.bytes(network.parameterCount(), (1 + optimizer.kind().slots()) * Float.BYTES);
        if (bytes > driver.globalMemoryBytes()) {
            throw new IllegalArgumentException(name + ": the network " + network.shape() + " (its parameters and "
                    + optimizer.kind() + " state) needs about " + MemoryEstimate.describe(bytes) + " of device memory,"
                    + " more than the device's " + MemoryEstimate.describe(driver.globalMemoryBytes()));
        }
        closeGradients();
        if (net != null) {
            net.close();
            net = null;
        }
        net = new DeviceNet(driver, network, optimizer.kind(), state);
        this.optimizer = optimizer;
        fusedOn = FusedMlp.chosen(fusedMode, driver.deviceType()) && FusedMlp.refusal(network, driver.maxGroupSize()) == null;
        lastLaunches = 0;
    }

    @Override
    public Optimizer optimizer() {
        net();
        return optimizer;
    }

    /** {@code t} and the state arrays, read back from the device. */
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
        return net().readState();
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
        return net().read();
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
        DeviceNet net = net();
        Checks.batch(x, d, batch, net.width(0), net.width(net.depth()));
        Checks.learningRate(learningRate);
        net.reserve(batch);
        driver.write(net.z(0), 0, x, 0, x.length);
        driver.write(net.teacher(), 0, d, 0, d.length);
        return train(net, batch, learningRate, 0);
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
        DeviceNet net = net();
        Checks.batch(x, d, batch, net.width(0), net.width(net.depth()));
        Checks.learningRate(learningRate);
        net.reserve(batch);
        driver.write(net.z(0), 0, x, batch * net.width(0));
        driver.write(net.teacher(), 0, d, batch * net.width(net.depth()));
        return train(net, batch, learningRate, 0);
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
        DeviceNet net = net();
        Checks.inputs(x, batch, net.width(0));
        net.reserve(batch);
        driver.write(net.z(0), 0, x, 0, x.length);
        timer.start();
        forward(net, batch);
        int depth = net.depth();
        if (net.activation(depth) == Activation.SOFTMAX) {
            kernels.softmax(net.u(depth), net.z(depth), batch, net.width(depth));
        }
        timer.family("forward");
        int outputs = net.width(depth);
        float[] y = new float[batch * outputs];
        driver.read(net.z(net.depth()), 0, y, 0, y.length);
        timer.finish();
        return y;
    }

    @Override
    public Dataset upload(float[] x, float[] d, int samples) {
        boolean entered = guard.enter();
        try {
            return uploadInside(x, d, samples);
        } finally {
            guard.exit(entered);
        }
    }

    private Dataset uploadInside(float[] x, float[] d, int samples) {
        DeviceNet net = net();
        int inputs = net.width(0);
        int outputs = net.width(net.depth());
        Checks.batch(x, d, samples, inputs, outputs);
        long bytes = ((long) samples * (inputs + outputs + 1)) * Float.BYTES;
        if (bytes > datasetShare * driver.globalMemoryBytes()) {
            LOG.log(System.Logger.Level.INFO, () -> name() + ": the data set (" + String.format(java.util.Locale.ROOT, "%,d", bytes)
                    + " bytes) is larger than " + Math.round(datasetShare * 100) + "% of the device's "
                    + driver.globalMemoryBytes() / (1024 * 1024) + " MiB: it stays on the host, and each batch is uploaded at its step");
            return GradientExchange.super.upload(x, d, samples);
        }
        return new DeviceDataset(this, driver, x, d, samples, inputs, outputs);
    }

    @Override
    public float step(Dataset data, int offset, int batch, float learningRate) {
        boolean entered = guard.enter();
        try {
            return stepInside(data, offset, batch, learningRate);
        } finally {
            guard.exit(entered);
        }
    }

    private float stepInside(Dataset data, int offset, int batch, float learningRate) {
        if (!(data instanceof DeviceDataset) || !((DeviceDataset) data).ownedBy(this)) {
            return GradientExchange.super.step(data, offset, batch, learningRate);
        }
        DeviceDataset dataset = (DeviceDataset) data;
        DeviceNet net = net();
        Checks.range(offset, batch, dataset.samples());
        Checks.learningRate(learningRate);
        dataset.requireOpen();
        dataset.requireWidths(net.width(0), net.width(net.depth()));
        net.reserve(batch);
        timer.start();
        kernels.gather(dataset.inputs(), dataset.orderBuffer(), net.z(0), offset, batch, net.width(0));
        kernels.gather(dataset.teachers(), dataset.orderBuffer(), net.teacher(), offset, batch, net.width(net.depth()));
        timer.family("gather");
        return trainTimed(net, batch, learningRate, 2);
    }

    /** The step's launches after the batch is in {@code X} and {@code D}; returns the loss. */
    private float train(DeviceNet net, int batch, float learningRate, int launchesBefore) {
        timer.start();
        return trainTimed(net, batch, learningRate, launchesBefore);
    }

    private float trainTimed(DeviceNet net, int batch, float learningRate, int launchesBefore) {
        int depth = net.depth();
        if (fusedOn) {
            fused.step(net, batch, OptimizerStep.of(optimizer, learningRate, net.nextStep()), timer);
            float[] loss = new float[1];
            driver.read(net.loss(), 0, loss, 0, 1);
            timer.finish();
            lastLaunches = launchesBefore + 2;
            return loss[0];
        }
        long firstLaunch = kernels.launches();
        backward(net, batch);
        OptimizerStep rule = OptimizerStep.of(optimizer, learningRate, net.nextStep());
        for (int l = 1; l <= depth; l++) {
            kernels.update(net.z(l - 1), net.delta(l), net.weights(l), net.bias(l), net.weightsState(l), net.biasState(l),
                    batch, net.width(l - 1), net.width(l), rule);
        }
        timer.family("update");
        float[] loss = new float[1];
        driver.read(net.loss(), 0, loss, 0, 1);
        timer.finish();
        // 3L + 1, plus one reduce per split-K GEMM (GemmPlan)
        lastLaunches = launchesBefore + (int) (kernels.launches() - firstLaunch);
        return loss[0];
    }

    /** Forward, output δ with the loss, and every hidden δ: all a step does before its updates. */
    private void backward(DeviceNet net, int batch) {
        int depth = net.depth();
        forward(net, batch);
        timer.family("forward");
        kernels.deltaOutput(net.z(depth), net.teacher(), net.u(depth), net.delta(depth), net.partials(), net.loss(),
                batch, net.width(depth), net.activation(depth), net.lossKind());
        timer.family("delta_output");
        // Δ^l needs W^{l+1} before its update: every δ first, then every update
        for (int l = depth - 1; l >= 1; l--) {
            kernels.deltaHidden(net.delta(l + 1), net.weights(l + 1), net.u(l), net.z(l), net.delta(l), batch,
                    net.width(l), net.width(l + 1), net.activation(l));
        }
        if (depth > 1) {
            timer.family("delta_hidden");
        }
    }

    @Override
    public double gradient(float[] x, float[] d, int offset, int batch) {
        boolean entered = guard.enter();
        try {
            return gradientInside(x, d, offset, batch);
        } finally {
            guard.exit(entered);
        }
    }

    private double gradientInside(float[] x, float[] d, int offset, int batch) {
        DeviceNet net = net();
        Checks.batchSize(batch);
        int n0 = net.width(0);
        int nL = net.width(net.depth());
        if (offset < 0 || (long) (offset + batch) * n0 > x.length || (long) (offset + batch) * nL > d.length) {
            throw new IllegalArgumentException("offset: expected 0 ≤ offset with offset + batch ≤ the samples in x and d,"
                    + " found offset " + offset + ", batch " + batch);
        }
        DeviceGradients sums = gradients(net);
        net.reserve(batch);
        driver.write(net.z(0), 0, x, offset * n0, batch * n0);
        driver.write(net.teacher(), 0, d, offset * nL, batch * nL);
        timer.start();
        backward(net, batch);
        sums.compute(batch);
        timer.family("gradient");
        float[] loss = new float[1];
        driver.read(net.loss(), 0, loss, 0, 1);
        timer.finish();
        return (double) loss[0] * batch;
    }

    @Override
    public int gradientLength() {
        boolean entered = guard.enter();
        try {
            return gradientLengthInside();
        } finally {
            guard.exit(entered);
        }
    }

    private int gradientLengthInside() {
        return gradients(net()).length();
    }

    @Override
    public void readGradient(float[] target) {
        boolean entered = guard.enter();
        try {
            readGradientInside(target);
        } finally {
            guard.exit(entered);
        }
    }

    private void readGradientInside(float[] target) {
        DeviceGradients sums = gradients(net());
        Checks.gradient("target", target, sums.length());
        sums.read(target);
    }

    @Override
    public void writeGradient(float[] source) {
        boolean entered = guard.enter();
        try {
            writeGradientInside(source);
        } finally {
            guard.exit(entered);
        }
    }

    private void writeGradientInside(float[] source) {
        DeviceGradients sums = gradients(net());
        Checks.gradient("source", source, sums.length());
        sums.write(source);
    }

    @Override
    public void apply(float learningRate, int totalBatch) {
        boolean entered = guard.enter();
        try {
            applyInside(learningRate, totalBatch);
        } finally {
            guard.exit(entered);
        }
    }

    private void applyInside(float learningRate, int totalBatch) {
        DeviceGradients sums = gradients(net());
        Checks.learningRate(learningRate);
        Checks.batchSize(totalBatch);
        sums.apply(optimizer, learningRate, totalBatch);
    }

    private DeviceGradients gradients(DeviceNet net) {
        if (gradients == null) {
            if (gradientKernels == null) {
                gradientKernels = new GradientKernels(driver, kernels);
            }
            gradients = new DeviceGradients(driver, gradientKernels, net);
        }
        return gradients;
    }

    private void closeGradients() {
        if (gradients != null) {
            gradients.close();
            gradients = null;
        }
    }

    /** The forward GEMMs; a training step's output δ normalises a softmax output itself (no extra launch). */
    private void forward(DeviceNet net, int batch) {
        for (int l = 1; l <= net.depth(); l++) {
            kernels.forward(net.z(l - 1), net.weights(l), net.bias(l), net.u(l), net.z(l), batch, net.width(l - 1),
                    net.width(l), net.activation(l));
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
        if (lastLaunches > 0) {
            return lastLaunches;
        }
        return net == null ? 0 : fusedOn ? 2 : 3 * net.depth() + 1;
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
        return fused;
    }

    /** The built kernels, for the device tests. */
    Kernels kernels() {
        return kernels;
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
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeGradients();
            if (net != null) {
                net.close();
                net = null;
            }
            fused.close();
        } finally {
            driver.close();
        }
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException(name + ": the backend is closed");
        }
    }

    @Override
    public int[] widths() {
        return net().shape().widths();
    }

    private DeviceNet net() {
        open();
        if (net == null) {
            throw new IllegalStateException(name + ": no network loaded; call load(network) first");
        }
        return net;
    }
}

package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The device side of {@link dev.deltaprop.backend.GradientExchange}, what data-parallel training
 * asks of each replica: a backward pass whose gradient sums {@code S_W^l = Z^{l-1}ᵀ Δ^l},
 * {@code S_b^l = Σ_b Δ^l_b} stay on the device ({@link DeviceGradients}), their copy to and from
 * the host, and the optimizer step from them with {@code g = S / B}. The sums' buffers and
 * kernels are made on the first use after a load, so a backend that never trains data-parallel
 * never builds them.
 *
 * <p>The launches of each call — a whole backward pass with the sums, a shard's start, a layer's
 * δ and sums, one layer's or every layer's step — are a {@link LaunchPlan} recorded the first
 * time the call comes with its sizes and replayed after ({@link KeptPlans}, two sets of sizes
 * kept: a shard's and an epoch's last, smaller one), so that a steady data-parallel step
 * allocates nothing here. A step's {@code η} and Adam's corrections are read by the kernels from
 * the step scalars, written before the launches. The peer reduction's {@code gradient_total}
 * ({@link #sumPeers}) is a plan per layer, kept by {@link DeviceGradients}.
 */
final class DeviceExchange implements AutoCloseable {
    private final Driver driver;
    private final Kernels kernels;
    private final LayerPath layers;
    private final BatchInput input;
    private final StepTimer timer;
    private GradientKernels gradientKernels;
    private DeviceGradients gradients;
    /** The plans of the calls below, made with the sums (sized by the depth). */
    private KeptPlans plans;
    /** The kinds of work {@link #plans} keeps. */
    private static final int GRADIENT = 0;
    private static final int BEGIN = 1;
    private static final int LAYER = 2;
    private static final int APPLY_LAYER = 3;
    private static final int APPLY_ALL = 4;
    /** The layer-by-layer backward pass ({@link #begin}): the next layer due (0: none begun), and the shard's size. */
    private int nextLayer;
    private int shardBatch;
    private final List<DeviceGradients> peerSums = new ArrayList<>();
    private final List<Driver> peerDrivers = new ArrayList<>();

    DeviceExchange(Driver driver, Kernels kernels, LayerPath layers, BatchInput input, StepTimer timer) {
        this.driver = driver;
        this.kernels = kernels;
        this.layers = layers;
        this.input = input;
        this.timer = timer;
    }

    /**
     * Forward and backward over samples {@code offset .. offset+batch} of {@code x} and {@code d},
     * then the sums: the layer path's launches without its updates, plus one per layer.
     *
     * @return {@code Σ_b E_b}, read back (this waits for the device)
     */
    double gradient(DeviceNet net, float[] x, float[] d, int offset, int batch) {
        DeviceGradients sums = shard(net, x, d, offset, batch);
        timer.start();
        LaunchPlan plan = plans.find(net, GRADIENT, batch, 0);
        if (plan == null) {
            plan = plans.record(net, GRADIENT, batch, 0, () -> {
                layers.backward(net, batch, 0); // not a step: its loss is returned, never recorded
                sums.compute(batch);
                timer.family("gradient");
            });
        }
        plan.run();
        nextLayer = 0;
        shardBatch = batch;
        double loss = loss(net);
        timer.finish();
        return loss;
    }

    /** The start of a layer-by-layer {@link #gradient}: the shard uploaded, the forward pass and the output δ with the loss. */
    void begin(DeviceNet net, float[] x, float[] d, int offset, int batch) {
        shard(net, x, d, offset, batch);
        int depth = net.depth();
        LaunchPlan plan = plans.find(net, BEGIN, batch, 0);
        if (plan == null) {
            plan = plans.record(net, BEGIN, batch, 0, () -> {
                layers.forward(net, batch);
                kernels.deltaOutput(net.z(depth), net.teacher(), net.u(depth), net.delta(depth), net.partials(),
                        net.loss(), batch, net.width(depth), net.activation(depth), net.lossKind());
            });
        }
        plan.run();
        shardBatch = batch;
        nextLayer = depth;
    }

    /** {@code Δ^l} (below the output layer) then layer {@code l}'s sums: two launches, queued, not waited for. */
    void layer(DeviceNet net, int layer) {
        if (nextLayer < 1 || layer != nextLayer) {
            throw new IllegalStateException("layer: expected " + (nextLayer < 1 ? "a shard begun by beginGradient first"
                    : "layer " + nextLayer + " next (from L down to 1)") + ", found " + layer);
        }
        DeviceGradients sums = sums(net);
        int l = layer;
        int batch = shardBatch;
        LaunchPlan plan = plans.find(net, LAYER, l, batch);
        if (plan == null) {
            plan = plans.record(net, LAYER, l, batch, () -> {
                if (l < net.depth()) {
                    kernels.deltaHidden(net.delta(l + 1), net.weights(l + 1), net.u(l), net.z(l), net.delta(l), batch,
                            net.width(l), net.width(l + 1), net.activation(l));
                }
                sums.compute(l, batch);
            });
        }
        plan.run();
        nextLayer--;
    }

    /** {@code Σ_b E_b} of the last shard: the loss kernel's mean read back (this waits for the queue) times its size. */
    double loss(DeviceNet net) {
        return (double) net.readLoss() * shardBatch;
    }

    /** Layer {@code layer}'s sums to {@code target[targetOffset..]}. */
    void read(DeviceNet net, int layer, float[] target, int targetOffset) {
        DeviceGradients sums = sums(net);
        Checks.slice("target", target, targetOffset, sums.count(checked(net, layer)));
        sums.read(layer, target, targetOffset);
    }

    /** Layer {@code layer}'s sums ← {@code source[sourceOffset..]}. */
    void write(DeviceNet net, int layer, float[] source, int sourceOffset) {
        DeviceGradients sums = sums(net);
        Checks.slice("source", source, sourceOffset, sums.count(checked(net, layer)));
        sums.write(layer, source, sourceOffset);
    }

    /** Layer {@code layer}'s step from its sums; with {@code layer = L} the step's rule is set and {@code t} advances. */
    void apply(DeviceNet net, int layer, Optimizer optimizer, float learningRate, int totalBatch) {
        DeviceGradients sums = sums(net);
        if (checked(net, layer) == net.depth()) {
            Checks.learningRate(learningRate);
            Checks.batchSize(totalBatch);
            sums.beginStep(optimizer, learningRate);
        }
        LaunchPlan plan = plans.find(net, APPLY_LAYER, layer, totalBatch);
        if (plan == null) {
            plan = plans.record(net, APPLY_LAYER, layer, totalBatch, () -> sums.apply(layer, totalBatch));
        }
        plan.run();
    }

    /** On replica 0: layer {@code layer}'s sums += the peers', in order, on this device ({@link DeviceGradients#sumPeers}). */
    void sumPeers(DeviceNet net, int layer, List<DeviceExchange> peers) {
        DeviceGradients sums = sums(net);
        checked(net, layer);
        peerSums.clear();
        peerDrivers.clear();
        for (int r = 0; r < peers.size(); r++) {
            DeviceGradients peer = peers.get(r).gradients;
            if (peer == null) { // no requireNonNull: its message would be built at every call
                throw new IllegalStateException("peers[" + r + "]: no gradient sums yet");
            }
            peerSums.add(peer);
            peerDrivers.add(peers.get(r).driver); // each replica's exchange runs on its backend's driver
        }
        sums.sumPeers(layer, peerSums, peerDrivers);
    }

    /** On another replica: layer {@code layer}'s sums ← replica 0's total (a peer copy, queued). */
    void copyTotal(DeviceNet net, int layer, DeviceExchange root) {
        sums(net).copyTotal(checked(net, layer), root.driver, Objects.requireNonNull(root.gradients, "root: no gradient sums yet"));
    }

    private static int checked(DeviceNet net, int layer) {
        if (layer < 1 || layer > net.depth()) {
            throw new IllegalArgumentException("layer: expected 1 to " + net.depth() + ", found " + layer);
        }
        return layer;
    }

    /** Checks the shard and uploads its {@code X} and {@code D}; the sums, made on the first use. */
    private DeviceGradients shard(DeviceNet net, float[] x, float[] d, int offset, int batch) {
        Checks.batchSize(batch);
        int n0 = net.width(0);
        int nL = net.width(net.depth());
        if (offset < 0 || (long) (offset + batch) * n0 > x.length || (long) (offset + batch) * nL > d.length) {
            throw new IllegalArgumentException("offset: expected 0 ≤ offset with offset + batch ≤ the samples in x and d,"
                    + " found offset " + offset + ", batch " + batch);
        }
        DeviceGradients sums = sums(net);
        net.reserve(batch);
        input.write(net, x, d, offset, batch);
        return sums;
    }

    /** {@code Σ_l (n_{l-1} + 1) · n_l}. */
    int length(DeviceNet net) {
        return sums(net).length();
    }

    /** Copies the sums to {@code target}, flat, layer by layer. */
    void read(DeviceNet net, float[] target) {
        DeviceGradients sums = sums(net);
        Checks.gradient("target", target, sums.length());
        sums.read(target);
    }

    /** Replaces the sums with {@code source}, flat, layer by layer. */
    void write(DeviceNet net, float[] source) {
        DeviceGradients sums = sums(net);
        Checks.gradient("source", source, sums.length());
        sums.write(source);
    }

    /** The optimizer step with {@code g = S / totalBatch} from the sums held now; {@code t} advances. */
    void apply(DeviceNet net, Optimizer optimizer, float learningRate, int totalBatch) {
        DeviceGradients sums = sums(net);
        Checks.learningRate(learningRate);
        Checks.batchSize(totalBatch);
        sums.beginStep(optimizer, learningRate);
        LaunchPlan plan = plans.find(net, APPLY_ALL, totalBatch, 0);
        if (plan == null) {
            plan = plans.record(net, APPLY_ALL, totalBatch, 0, () -> sums.applyAll(totalBatch));
        }
        plan.run();
    }

    /** The plans kept since the sums were made ({@code null} before), for the device tests. */
    KeptPlans plans() {
        return plans;
    }

    private DeviceGradients sums(DeviceNet net) {
        if (gradients == null) {
            if (gradientKernels == null) {
                gradientKernels = new GradientKernels(driver, kernels, timer);
            }
            gradients = new DeviceGradients(driver, gradientKernels, net);
            // every kind for two sets of sizes: GRADIENT, BEGIN and APPLY_ALL once, LAYER and APPLY_LAYER per layer
            plans = new KeptPlans(driver, kernels, timer, 2 * (2 * net.depth() + 3));
        }
        return gradients;
    }

    /** Frees the sums of the network loaded until now (a load calls it; the next use makes new ones). */
    @Override
    public void close() {
        nextLayer = 0;
        plans = null; // they hold the sums and the net's buffers, freed now
        if (gradients != null) {
            gradients.close();
            gradients = null;
        }
    }
}

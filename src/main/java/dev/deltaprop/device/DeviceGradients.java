package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Optimizer;
import java.util.List;

/**
 * The device half of {@link dev.deltaprop.backend.GradientExchange} for one loaded network: a
 * buffer of {@code (n_{l-1} + 1) × n_l} gradient sums per layer ({@code S_W^l} then the bias row
 * {@code S_b^l}, so the host's flat gradient is these buffers end to end), filled by
 * the update GEMM with a store for its epilogue after a backward pass, moved to and from the
 * host, and stepped by {@code update_reduce} ({@link GradientKernels}). Allocated on the first use after a load; {@link #close} frees them.
 */
final class DeviceGradients implements AutoCloseable {
    private final Driver driver;
    private final GradientKernels kernels;
    private final DeviceNet net;
    private final Memory[] sums;
    private final int length;
    /** The step {@link #beginStep} began: its optimizer ({@code null}: none yet), {@code η} and {@code t}. */
    private Optimizer optimizer;
    private float learningRate;
    private long step;
    /** On the first replica of a peer reduction: the other replicas' sums of layer {@code l}, side by side; made on first use. */
    private final Memory[] peerSums;
    private final int[] peerCapacity;
    /** Layer {@code l}'s {@code gradient_total} over {@code totalParts[l]} peers as a plan, or {@code null} until the first. */
    private final LaunchPlan[] totalPlans;
    private final int[] totalParts;

    DeviceGradients(Driver driver, GradientKernels kernels, DeviceNet net) {
        this.driver = driver;
        this.kernels = kernels;
        this.net = net;
        int depth = net.depth();
        int total = 0;
        for (int l = 1; l <= depth; l++) {
            total += (net.width(l - 1) + 1) * net.width(l);
        }
        this.length = total;
        this.sums = new Memory[depth + 1];
        this.peerSums = new Memory[depth + 1];
        this.peerCapacity = new int[depth + 1];
        this.totalPlans = new LaunchPlan[depth + 1];
        this.totalParts = new int[depth + 1];
        try {
            for (int l = 1; l <= depth; l++) {
                sums[l] = driver.allocate((long) (net.width(l - 1) + 1) * net.width(l));
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    int length() {
        return length;
    }

    /** The sums of every layer from what the backward pass of {@code batch} samples left in {@code Z} and {@code Δ}. */
    void compute(int batch) {
        for (int l = 1; l <= net.depth(); l++) {
            kernels.sums(net.z(l - 1), net.delta(l), sums[l], batch, net.width(l - 1), net.width(l));
        }
    }

    /** Layer {@code l}'s sums from what the backward pass of {@code batch} samples left in {@code Z^{l-1}} and {@code Δ^l}: one launch. */
    void compute(int l, int batch) {
        kernels.sums(net.z(l - 1), net.delta(l), sums[l], batch, net.width(l - 1), net.width(l));
    }

    /** {@code (n_{l-1} + 1) · n_l}: layer {@code l}'s part of the flat gradient. */
    int count(int l) {
        return (net.width(l - 1) + 1) * net.width(l);
    }

    void read(int l, float[] target, int targetOffset) {
        driver.read(sums[l], 0, target, targetOffset, count(l));
    }

    void write(int l, float[] source, int sourceOffset) {
        driver.write(sums[l], 0, source, sourceOffset, count(l));
    }

    /**
     * Starts step {@code t} (counted on the net) of {@code optimizer}: its {@code η} and bias
     * corrections go to the step scalars (one small upload where they changed, nothing
     * allocated), and every layer's {@link #apply(int, int)} from now on takes its rule.
     */
    void beginStep(Optimizer optimizer, float learningRate) {
        long t = net.nextStep();
        kernels.stepScalars().write(learningRate, OptimizerStep.stepSize(optimizer, learningRate, t),
                OptimizerStep.rootCorrection(optimizer, t));
        this.optimizer = optimizer;
        this.learningRate = learningRate;
        this.step = t;
    }

    /**
     * Layer {@code l}'s step by the rule of {@link #beginStep}, {@code g = S / totalBatch}: one
     * launch. The engine records it into a plan ({@link DeviceExchange}), so the rule's numbers
     * are made only then; the kernel reads {@code η} and the corrections from the step scalars.
     */
    void apply(int l, int totalBatch) {
        if (optimizer == null) {
            throw new IllegalStateException("apply: expected a step begun by the last layer's apply first");
        }
        kernels.apply(net.weights(l), net.bias(l), sums[l], net.weightsState(l), net.biasState(l), net.width(l - 1),
                net.width(l), totalBatch, OptimizerStep.of(optimizer, learningRate, step));
    }

    /**
     * Layer {@code l}'s sums ← its own plus {@code peers}' ({@code S_0 + S_1 + …}, in order, in
     * float): each peer's buffer copied next to the others on this device, then one
     * {@code gradient_total}; waits for this queue, so that the peers may overwrite theirs after.
     */
    void sumPeers(int l, List<DeviceGradients> peers, List<Driver> peerDrivers) {
        int count = count(l);
        int parts = peers.size();
        if (peerCapacity[l] < parts) {
            if (peerSums[l] != null) {
                driver.free(peerSums[l]);
                peerSums[l] = null;
            }
            totalPlans[l] = null; // it holds the freed buffer
            peerSums[l] = driver.allocate((long) parts * count);
            peerCapacity[l] = parts;
        }
        for (int r = 0; r < parts; r++) {
            driver.copyFromPeer(peerSums[l], (long) r * count, peerDrivers.get(r), peers.get(r).sums[l], 0, count);
        }
        if (totalPlans[l] == null || totalParts[l] != parts) {
            totalPlans[l] = kernels.totalPlan(sums[l], peerSums[l], count, parts);
            totalParts[l] = parts;
        }
        totalPlans[l].run();
        driver.finish();
    }

    /** Layer {@code l}'s sums ← {@code root}'s, a peer copy queued on this device ({@code root} has finished writing them). */
    void copyTotal(int l, Driver rootDriver, DeviceGradients root) {
        driver.copyFromPeer(sums[l], 0, rootDriver, root.sums[l], 0, count(l));
    }

    void read(float[] target) {
        int at = 0;
        for (int l = 1; l <= net.depth(); l++) {
            int count = (net.width(l - 1) + 1) * net.width(l);
            driver.read(sums[l], 0, target, at, count);
            at += count;
        }
    }

    void write(float[] source) {
        int at = 0;
        for (int l = 1; l <= net.depth(); l++) {
            int count = (net.width(l - 1) + 1) * net.width(l);
            driver.write(sums[l], 0, source, at, count);
            at += count;
        }
    }

    /** Every layer's step ({@code L} down to 1) by the rule of {@link #beginStep}, with {@code g = S / totalBatch}. */
    void applyAll(int totalBatch) {
        for (int l = net.depth(); l >= 1; l--) {
            apply(l, totalBatch);
        }
    }

    @Override
    public void close() {
        for (int l = 0; l < sums.length; l++) {
            if (sums[l] != null) {
                driver.free(sums[l]);
                sums[l] = null;
            }
            if (peerSums[l] != null) {
                driver.free(peerSums[l]);
                peerSums[l] = null;
            }
            totalPlans[l] = null;
        }
    }
}

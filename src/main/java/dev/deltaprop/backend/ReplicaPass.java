package dev.deltaprop.backend;

import java.util.Arrays;
import java.util.List;

/**
 * One replica's part of a {@link DataParallelBackend} step, run on that replica's own thread;
 * made once per load and handed the step's numbers by {@link #set}, so a step allocates nothing.
 *
 * <p><b>Overlapped</b> (the default), from the last layer to the first: the layer's δ and sums
 * ({@link GradientExchange#layerGradient}), its sums copied out and published to the
 * {@link GradientReduction}, and then the step of every later layer whose total is ready — while
 * the caller's thread adds this layer's sums and the other replicas compute theirs. A layer's step
 * changes {@code W^l}, which {@code Δ^{l−1}} reads, so layer {@code l} is stepped only after
 * {@code layerGradient(l − 1)}; once layer 1 is done the remaining steps wait for their totals.
 *
 * <p><b>Whole</b> (the first version, kept to compare against): the whole backward pass, all
 * sums out, then the whole step once every layer is summed. Both give bitwise the same numbers:
 * the same launches on the same data, and the same sums in the same order.
 */
final class ReplicaPass implements Runnable {
    private final GradientExchange replica;
    private final int index;
    private final GradientReduction reduction;
    private float[] x;
    private float[] d;
    private int offset;
    private int size;
    private int batch;
    private float learningRate;
    private boolean overlap;
    /** The replicas in order when the sums go device to device ({@link PeerExchange}); {@code null} through the host. */
    private List<PeerExchange> peers;
    private List<PeerExchange> others;
    private double loss;

    ReplicaPass(GradientExchange replica, int index, GradientReduction reduction) {
        this.replica = replica;
        this.index = index;
        this.reduction = reduction;
    }

    /** Whether this and every replica add their sums device to device: {@code all} the replicas, in order, or {@code null}. */
    void peers(List<PeerExchange> all) {
        this.peers = all;
        this.others = all == null ? null : List.copyOf(all.subList(1, all.size()));
    }

    /** This step's shard {@code [offset, offset + size)} of a batch of {@code batch}. */
    void set(float[] x, float[] d, int offset, int size, int batch, float learningRate, boolean overlap) {
        this.x = x;
        this.d = d;
        this.offset = offset;
        this.size = size;
        this.batch = batch;
        this.learningRate = learningRate;
        this.overlap = overlap;
    }

    /** The shard's summed loss {@code Σ_b E_b}, once {@link GradientReduction#reduce} has returned. */
    double loss() {
        return loss;
    }

    @Override
    public void run() {
        Throwable failure = null;
        try {
            if (peers != null && overlap) {
                onDevices();
            } else if (overlap) {
                overlapped();
            } else {
                whole();
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            x = null;
            d = null;
        }
        reduction.finish(index, failure);
    }

    private void overlapped() throws InterruptedException {
        float[] mine = reduction.sums[index];
        int depth = reduction.depth();
        loss = 0;
        if (size == 0) {
            Arrays.fill(mine, 0f); // an empty shard adds nothing, and still takes the step
        } else {
            replica.beginGradient(x, d, offset, size);
        }
        int nextStep = depth;
        for (int l = depth; l >= 1; l--) {
            if (size > 0) {
                replica.layerGradient(l);
                replica.readGradient(l, mine, reduction.at(l));
            }
            reduction.publish(l);
            // Δ^{l} is computed, so every layer above l may step now, if its total is in
            while (nextStep > l && reduction.summed(nextStep)) {
                step(nextStep--);
            }
        }
        if (size > 0) {
            loss = replica.gradientLoss();
        }
        while (nextStep >= 1) {
            if (!reduction.awaitSummed(nextStep)) {
                return;
            }
            step(nextStep--);
        }
    }

    /**
     * {@link PeerExchange}'s order: each layer's sums settled and published; replica 0 adds a
     * layer on its device once every replica has published it, the others copy the total in; each
     * layer steps after the δ below it, as in {@link #overlapped}. The host copies no gradient.
     */
    private void onDevices() throws InterruptedException {
        PeerExchange self = peers.get(index);
        int depth = reduction.depth();
        loss = 0;
        if (size > 0) {
            self.beginGradient(x, d, offset, size);
        } else {
            Arrays.fill(reduction.sums[index], 0f);
        }
        int nextSum = depth;
        int nextStep = depth;
        for (int l = depth; l >= 1; l--) {
            if (size > 0) {
                self.layerGradient(l);
            } else {
                self.writeGradient(l, reduction.sums[index], reduction.at(l)); // zeros: an empty shard adds nothing
            }
            self.settle();
            reduction.publish(l);
            if (index == 0) {
                while (nextSum >= l && reduction.published(nextSum)) {
                    sumOnDevice(nextSum--);
                }
            }
            while (nextStep > l && reduction.summed(nextStep)) {
                stepOnDevice(nextStep--);
            }
        }
        if (size > 0) {
            loss = self.gradientLoss();
        }
        if (index == 0) {
            while (nextSum >= 1) {
                if (!reduction.awaitPublished(nextSum)) {
                    return;
                }
                sumOnDevice(nextSum--);
            }
        }
        while (nextStep >= 1) {
            if (!reduction.awaitSummed(nextStep)) {
                return;
            }
            stepOnDevice(nextStep--);
        }
        if (index != 0) {
            self.settle(); // the copies of replica 0's totals are done before it computes the next step into them
        }
    }

    private void sumOnDevice(int l) {
        peers.get(0).sumPeers(l, others);
        reduction.markSummed(l);
    }

    private void stepOnDevice(int l) {
        if (index != 0) {
            peers.get(index).copyTotal(l, peers.get(0));
        }
        replica.apply(l, learningRate, batch);
    }

    private void step(int l) {
        replica.writeGradient(l, reduction.total, reduction.at(l));
        replica.apply(l, learningRate, batch);
    }

    private void whole() throws InterruptedException {
        float[] mine = reduction.sums[index];
        if (size == 0) {
            Arrays.fill(mine, 0f);
            loss = 0;
        } else {
            loss = replica.gradient(x, d, offset, size);
            replica.readGradient(mine);
        }
        for (int l = reduction.depth(); l >= 1; l--) {
            reduction.publish(l);
        }
        if (!reduction.awaitSummed(1)) {
            return;
        }
        replica.writeGradient(reduction.total);
        replica.apply(learningRate, batch);
    }
}

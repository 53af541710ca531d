package dev.deltaprop.backend;

import dev.deltaprop.model.Network;

import java.util.ArrayList;
import java.util.List;

/**
 * The schedule of one {@link DataParallelBackend} step over replicas that hold the same network:
 * the batch cut into shards ({@link BatchSplit}), each replica's {@link ReplicaPass} started on its
 * lane, the sums {@code S = S_0 + S_1 + …} added layer by layer as they come out
 * ({@link GradientReduction#reduce}, on the caller's thread, or on replica 0's device where the
 * sums go peer to peer), and the loss {@code (Σ_r Σ_{b∈r} E_b) / B}.
 *
 * <p>Made once per load, for that network: the reduction's buffers, the replicas' passes and the
 * choice of the host or the peer path; a step allocates nothing (the shard sizes are kept while
 * the batch size stays the same).
 */
final class ParallelStep {
    private final ReplicaSet replicas;
    private final GradientReduction reduction;
    private final ReplicaPass[] passes;
    private final boolean peerCopies;
    private int splitBatch;
    private int[] split;

    private ParallelStep(ReplicaSet replicas, GradientReduction reduction, ReplicaPass[] passes, boolean peerCopies) {
        this.replicas = replicas;
        this.reduction = reduction;
        this.passes = passes;
        this.peerCopies = peerCopies;
    }

    /**
     * The step over {@code replicas}, which have just loaded {@code network}: checks that each holds
     * as many gradient numbers as the network has, then decides the peer path
     * ({@link DataParallelBackend#peerCopies()}), asking the replicas on their lanes.
     *
     * @param peerAllowed {@code false} keeps the sums on the host path
     * @throws IllegalStateException naming a replica that holds another number of gradient numbers
     */
    static ParallelStep load(ReplicaSet replicas, Network network, boolean peerAllowed) {
        int[] widths = new int[network.depth() + 1];
        widths[0] = network.inputs();
        for (int l = 1; l <= network.depth(); l++) {
            widths[l] = network.layers().get(l - 1).outputs();
        }
        GradientReduction reduction = new GradientReduction(replicas.size(), widths);
        ReplicaPass[] passes = new ReplicaPass[replicas.size()];
        for (int r = 0; r < replicas.size(); r++) {
            GradientExchange replica = replicas.get(r);
            int other = replicas.on(r, replica::gradientLength);
            if (other != reduction.length()) {
                throw new IllegalStateException("replicas[" + r + "]: holds " + other + " gradient numbers where the network"
                        + " has " + reduction.length());
            }
            passes[r] = new ReplicaPass(replica, r, reduction);
        }
        boolean peer = peerAllowed && peersReachEachOther(replicas);
        List<PeerExchange> ordered = new ArrayList<>();
        for (GradientExchange replica : replicas.all()) {
            if (replica instanceof PeerExchange each) {
                ordered.add(each);
            }
        }
        for (ReplicaPass pass : passes) {
            pass.peers(peer ? List.copyOf(ordered) : null);
        }
        return new ParallelStep(replicas, reduction, passes, peer);
    }

    /**
     * Whether every replica is a {@link PeerExchange}, at least two, and replica 0 and each other
     * replica reach each other's memory both ways: each side's {@link PeerExchange#enablePeer} on
     * its own lane.
     */
    private static boolean peersReachEachOther(ReplicaSet replicas) {
        if (replicas.size() < 2) {
            return false;
        }
        for (GradientExchange replica : replicas.all()) {
            if (!(replica instanceof PeerExchange)) {
                return false;
            }
        }
        PeerExchange root = (PeerExchange) replicas.get(0);
        for (int r = 1; r < replicas.size(); r++) {
            PeerExchange other = (PeerExchange) replicas.get(r);
            boolean there = replicas.on(0, () -> root.enablePeer(other));
            boolean back = replicas.on(r, () -> other.enablePeer(root));
            if (!there || !back) {
                return false;
            }
        }
        return true;
    }

    /** Whether the sums go device to device (in the overlapped order). */
    boolean peerCopies() {
        return peerCopies;
    }

    /**
     * One step on a checked batch: every replica's pass on its shard, the sums reduced, the same
     * optimizer step on every replica.
     *
     * @param overlap whether the reduction overlaps the backward pass ({@link ReplicaPass})
     * @return the batch's mean loss {@code (Σ_r Σ_{b∈r} E_b) / B}
     */
    float run(float[] x, float[] d, int batch, float learningRate, boolean overlap) {
        if (batch != splitBatch) {
            split = replicas.shardSizes(batch);
            splitBatch = batch;
        }
        reduction.reset();
        int offset = 0;
        for (int r = 0; r < passes.length; r++) {
            passes[r].set(x, d, offset, split[r], batch, learningRate, overlap);
            offset += split[r];
            replicas.execute(r, passes[r]);
        }
        // S = S_0 + S_1 + … layer by layer, in replica order, in double: the same numbers however the passes interleaved
        reduction.reduce(!(peerCopies && overlap));
        double loss = 0;
        for (ReplicaPass pass : passes) {
            loss += pass.loss();
        }
        return (float) (loss / batch);
    }
}

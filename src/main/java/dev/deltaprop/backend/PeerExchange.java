package dev.deltaprop.backend;

import java.util.List;

/**
 * A {@link GradientExchange} on a device that can read other devices' memory directly (CUDA
 * peer access), so that {@link DataParallelBackend} adds the replicas' sums device to device
 * instead of through the host. For each layer {@code l}, in the order {@code L, …, 1}:
 *
 * <ol>
 * <li>every replica computes its sums ({@link #layerGradient}) and {@link #settle}s: its queue
 *     has finished, so the sums are complete for the others to read;</li>
 * <li>replica 0, once all have settled layer {@code l}, {@link #sumPeers}: the others' sums are
 *     copied next to each other on its device (peer copies), in replica order, and added onto its
 *     own in that order ({@code S = ((S_0 + S_1) + S_2) + …}, in float), so the result never
 *     depends on timing; it waits for its queue;</li>
 * <li>every other replica {@link #copyTotal}s the total into its own sums, then all take the
 *     layer's step ({@link #apply(int, float, int)}).</li>
 * </ol>
 *
 * <p>The host copies no gradient. A replica's calls all run on its own thread; what one replica
 * reads of another here is device memory that the other has finished writing and does not write
 * again before the step ends.
 */
public interface PeerExchange extends GradientExchange {

    /**
     * Whether this replica's device reads {@code peer}'s memory directly; turns that access on
     * from this side where it can. Called on this replica's thread, for each peer, once per load.
     */
    boolean enablePeer(GradientExchange peer);

    /** Waits until everything this replica has queued has finished. */
    void settle();

    /**
     * Replica 0's part of step 2 for layer {@code layer}: its sums become
     * {@code S_0 + S_1 + … + S_{N−1}} from {@code peers} (replicas {@code 1..N−1}, in order, each
     * settled on this layer); returns when the total is complete.
     */
    void sumPeers(int layer, List<? extends GradientExchange> peers);

    /** Step 3 for layer {@code layer} on another replica: its sums ← {@code root}'s (the total), queued before its next launches. */
    void copyTotal(int layer, GradientExchange root);
}

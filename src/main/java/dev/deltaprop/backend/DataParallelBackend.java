package dev.deltaprop.backend;

import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Synchronous data-parallel training over several replicas of one network in one JVM (the
 * devices of a machine, or several {@code cpu} backends): each holds the same parameters, and a
 * step of batch {@code B} is
 *
 * <ol>
 * <li>cut into contiguous shards in proportion to the replicas' shares ({@link BatchSplit});</li>
 * <li>on every replica at once, the forward and backward pass of its shard, giving its sums
 *     {@code S_r = Z^{l-1}ᵀ Δ^l} and {@code Σ_b Δ^l_b} over its {@code b_r} samples
 *     ({@link GradientExchange#gradient});</li>
 * <li>on the host, {@code S = S_0 + S_1 + …} summed in double in replica order, whatever
 *     order the replicas finished in, so the result never depends on timing;</li>
 * <li>on every replica, the same {@code S} written back and the same optimizer step with
 *     {@code g = S / B} ({@link GradientExchange#apply}).</li>
 * </ol>
 *
 * <p>Because {@code g} is the mean over the whole batch of {@code B} however it was cut, training
 * on {@code N} replicas equals training on one with batch {@code B} up to float rounding (the
 * sums are added in another order) — for shares that divide the batch and for shares that do
 * not alike; a shard may even be empty (a batch smaller than the replica count). The loss
 * returned is {@code (Σ_r Σ_{b∈r} E_b) / B}. Replicas of one kind stay bitwise equal, since
 * each applies the same step to the same numbers; {@link #network()}, {@link #optimizerState()}
 * and {@link #predict} read replica 0.
 *
 * <p>Each replica is driven by a thread of its own (every call to it, from {@code load} to
 * {@code close}, runs there), so that their passes overlap. The reduction goes through the host:
 * {@code 2 × gradientLength} floats per replica and step cross the bus. It overlaps the backward
 * pass ({@link ReplicaPass}): the backward pass runs from layer {@code L} to layer 1, and as soon
 * as every replica has layer {@code l}'s sums out, this thread adds them
 * ({@link GradientReduction}) while the replicas compute layer {@code l−1}, and each replica
 * steps layer {@code l} as soon as its total is in and its {@code Δ^{l−1}} is computed. The
 * numbers are bitwise those of the unoverlapped order ({@link #overlap(boolean)}). A step
 * allocates no buffer: the shards' sums, the total and each replica's pass are made at load.
 * Where the replicas' devices reach each other's memory ({@link PeerExchange}, CUDA peer
 * access), the sums go device to device instead ({@link #peerCopies()}).
 *
 * <p>Like every built-in backend it is used by one thread at a time ({@link GuardedBackend}): the
 * replicas' lanes are its own threads, so without its own guard two callers' steps would
 * interleave unseen.
 */
public final class DataParallelBackend extends GuardedBackend {
    /** System property: {@code false} starts every new instance with the reduction after the whole backward pass. */
    public static final String OVERLAP_PROPERTY = "deltaprop.parallel.overlap";
    /** System property: {@code false} keeps the sums on the host path even where the devices could copy peer to peer. */
    public static final String PEER_PROPERTY = "deltaprop.parallel.peer";

    private final String name;
    private final List<GradientExchange> replicas;
    private final double[] shares;
    private final ExecutorService[] lanes;
    private final ReplicaPass[] passes;
    private GradientReduction reduction;
    private boolean overlap = !"false".equals(System.getProperty(OVERLAP_PROPERTY));
    private float[] bufferX = new float[0];
    private float[] bufferD = new float[0];
    private int splitBatch;
    private final boolean peerAllowed = !"false".equals(System.getProperty(PEER_PROPERTY));
    private boolean peerCopies;
    private int[] split;
    private Optimizer optimizer;
    private int inputs;
    private int outputs;
    private boolean loaded;
    private boolean closed;

    /**
     * Over {@code replicas}, which it owns from here on (closing it closes them; a refusal here
     * closes them too).
     *
     * @param name     what {@link #name()} says, e.g. {@code opencl:all}
     * @param replicas at least one, each a {@link GradientExchange} and each a distinct object
     * @param shares   one finite number {@code > 0} per replica: its part of each batch
     * @throws IllegalArgumentException naming the field and the expected value
     */
    public DataParallelBackend(String name, List<? extends Backend> replicas, double[] shares) {
        super(name == null ? "data-parallel" : name); // a null name is refused below, after which the replicas are closed
        try {
            Objects.requireNonNull(replicas, "replicas");
            if (replicas.isEmpty()) {
                throw new IllegalArgumentException("replicas: expected at least one backend, found none");
            }
            List<GradientExchange> exchanges = new ArrayList<>();
            for (int r = 0; r < replicas.size(); r++) {
                Backend replica = replicas.get(r);
                if (!(replica instanceof GradientExchange)) {
                    throw new IllegalArgumentException("replicas[" + r + "]: expected a backend that exchanges gradients"
                            + " (cpu, opencl, cuda, opencl-lwjgl, cuda-lwjgl), found "
                            + (replica == null ? "null" : replica.name()));
                }
                for (int q = 0; q < r; q++) {
                    if (replicas.get(q) == replica) {
                        throw new IllegalArgumentException("replicas[" + r + "]: expected a backend of its own, found the same"
                                + " object as replicas[" + q + "]");
                    }
                }
                exchanges.add((GradientExchange) replica);
            }
            this.shares = BatchSplit.check(shares, replicas.size());
            this.name = Objects.requireNonNull(name, "name");
            this.replicas = List.copyOf(exchanges);
        } catch (RuntimeException e) {
            closeAll(replicas, e);
            throw e;
        }
        this.passes = new ReplicaPass[this.replicas.size()];
        this.lanes = new ExecutorService[this.replicas.size()];
        for (int r = 0; r < lanes.length; r++) {
            int index = r;
            lanes[r] = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "deltaprop-replica-" + index);
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    /**
     * Checks {@code shares}, then opens one replica per opener in order; if one cannot start, the
     * ones already open are closed and its failure is thrown, naming it. Nothing is opened when
     * the shares are refused.
     *
     * @param name    e.g. {@code opencl:all}
     * @param labels  what each opener opens, for the message (e.g. {@code device 1})
     * @param openers one per replica
     * @param shares  one finite number {@code > 0} per opener
     */
    public static DataParallelBackend open(String name, List<String> labels, List<Supplier<Backend>> openers,
                                           double[] shares) {
        if (openers.isEmpty()) {
            throw new IllegalArgumentException(name + ": expected at least one device, found none");
        }
        BatchSplit.check(shares, openers.size());
        List<Backend> opened = new ArrayList<>();
        for (int r = 0; r < openers.size(); r++) {
            try {
                opened.add(Objects.requireNonNull(openers.get(r).get(), "replica"));
            } catch (RuntimeException e) {
                closeAll(opened, e);
                String why = name + ": replica " + r + " (" + labels.get(r) + ") could not start"
                        + (opened.isEmpty() ? "" : "; the " + opened.size() + " opened before it were closed") + ": "
                        + e.getMessage();
                throw e instanceof BackendUnavailableException ? new BackendUnavailableException(why, e)
                        : new IllegalArgumentException(why, e);
            }
        }
        return new DataParallelBackend(name, opened, shares);
    }

    private static void closeAll(List<? extends Backend> backends, RuntimeException cause) {
        if (backends == null) {
            return;
        }
        for (Backend backend : backends) {
            if (backend == null) {
                continue;
            }
            try {
                backend.close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code 2 replicas, shares 1:1: [0] …; [1] …}. */
    @Override
    public String device() {
        StringBuilder text = new StringBuilder();
        text.append(replicas.size()).append(replicas.size() == 1 ? " replica" : " replicas").append(", shares ");
        for (int r = 0; r < shares.length; r++) {
            text.append(r == 0 ? "" : ":").append(format(shares[r]));
        }
        for (int r = 0; r < replicas.size(); r++) {
            text.append(r == 0 ? ": " : "; ").append('[').append(r).append("] ").append(replicas.get(r).device());
        }
        return text.toString();
    }

    private static String format(double share) {
        return share == Math.rint(share) ? String.valueOf((long) share) : String.format(Locale.ROOT, "%.3g", share);
    }

    /**
     * Whether the reduction overlaps the backward pass (the default, unless {@value #OVERLAP_PROPERTY}
     * is {@code false}) or waits for the whole backward pass, as the first version did: the same
     * numbers either way, bit for bit; for measuring the difference.
     *
     * @return this backend
     */
    public DataParallelBackend overlap(boolean enabled) {
        boolean entered = enter();
        try {
            open();
            this.overlap = enabled;
            return this;
        } finally {
            leave(entered);
        }
    }

    /**
     * Whether the loaded replicas add their sums device to device ({@link PeerExchange}, in the
     * overlapped order) rather than through the host: decided at {@link #load} — every replica a
     * {@link PeerExchange}, at least two, replica 0 and each other replica reaching each other's
     * memory both ways (CUDA: {@code cuDeviceCanAccessPeer}), and {@value #PEER_PROPERTY} not
     * {@code false}. Otherwise, and with {@code overlap(false)}, the host path.
     */
    public boolean peerCopies() {
        boolean entered = enter();
        try {
            loaded();
            return peerCopies;
        } finally {
            leave(entered);
        }
    }

    /** Whether the reduction overlaps the backward pass ({@link #overlap(boolean)}). */
    public boolean overlapped() {
        return overlap;
    }

    /** The replicas, in reduction order. */
    public List<Backend> replicas() {
        return List.copyOf(replicas);
    }

    /** The shard sizes a batch of {@code batch} samples is cut into, replica by replica. */
    public int[] shardSizes(int batch) {
        Checks.batchSize(batch);
        return BatchSplit.sizes(batch, shares);
    }

    /** Loads the same network, optimizer and state into every replica (the state is checked once, first). */
    @Override
    protected void loadInside(Network network, Optimizer optimizer, OptimizerState state) {
        open();
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(optimizer, "optimizer");
        if (state != null) {
            state.requireFits(network, optimizer);
        }
        loaded = false;
        List<Callable<Void>> loads = new ArrayList<>();
        for (GradientExchange replica : replicas) {
            loads.add(() -> {
                replica.load(network, optimizer, state);
                return null;
            });
        }
        all(loads);
        int[] widths = new int[network.depth() + 1];
        widths[0] = network.inputs();
        for (int l = 1; l <= network.depth(); l++) {
            widths[l] = network.layers().get(l - 1).outputs();
        }
        GradientReduction made = new GradientReduction(replicas.size(), widths);
        for (int r = 0; r < replicas.size(); r++) {
            GradientExchange replica = replicas.get(r);
            int other = on(r, replica::gradientLength);
            if (other != made.length()) {
                throw new IllegalStateException("replicas[" + r + "]: holds " + other + " gradient numbers where the network"
                        + " has " + made.length());
            }
            passes[r] = new ReplicaPass(replica, r, made);
        }
        boolean peer = peersReachEachOther();
        List<PeerExchange> ordered = new ArrayList<>();
        for (GradientExchange replica : replicas) {
            if (replica instanceof PeerExchange each) {
                ordered.add(each);
            }
        }
        for (ReplicaPass pass : passes) {
            pass.peers(peer ? List.copyOf(ordered) : null);
        }
        peerCopies = peer;
        reduction = made;
        splitBatch = 0;
        this.optimizer = optimizer;
        this.inputs = network.inputs();
        this.outputs = network.outputs();
        this.loaded = true;
    }

    /** The decision of {@link #peerCopies()}: each side's {@link PeerExchange#enablePeer} on its own thread. */
    private boolean peersReachEachOther() {
        if (!peerAllowed || replicas.size() < 2) {
            return false;
        }
        for (GradientExchange replica : replicas) {
            if (!(replica instanceof PeerExchange)) {
                return false;
            }
        }
        PeerExchange root = (PeerExchange) replicas.get(0);
        for (int r = 1; r < replicas.size(); r++) {
            PeerExchange other = (PeerExchange) replicas.get(r);
            boolean there = on(0, () -> root.enablePeer(other));
            boolean back = on(r, () -> other.enablePeer(root));
            if (!there || !back) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optimizer optimizer() {
        loaded();
        return optimizer;
    }

    @Override
    protected OptimizerState optimizerStateInside() {
        loaded();
        return on(0, () -> replicas.get(0).optimizerState());
    }

    @Override
    protected Network networkInside() {
        loaded();
        return on(0, () -> replicas.get(0).network());
    }

    @Override
    protected float stepInside(float[] x, float[] d, int batch, float learningRate) {
        loaded();
        Checks.batch(x, d, batch, inputs, outputs);
        Checks.learningRate(learningRate);
        if (batch != splitBatch) {
            split = BatchSplit.sizes(batch, shares);
            splitBatch = batch;
        }
        reduction.reset();
        int offset = 0;
        for (int r = 0; r < replicas.size(); r++) {
            passes[r].set(x, d, offset, split[r], batch, learningRate, overlap);
            offset += split[r];
            lanes[r].execute(passes[r]);
        }
        // S = S_0 + S_1 + … layer by layer, in replica order, in double: the same numbers however the passes interleaved
        reduction.reduce(!(peerCopies && overlap));
        double loss = 0;
        for (ReplicaPass pass : passes) {
            loss += pass.loss();
        }
        return (float) (loss / batch);
    }

    @Override
    protected float stepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        loaded();
        Checks.batch(x, d, batch, inputs, outputs);
        Checks.learningRate(learningRate);
        // the replicas read shards of one host array: stage the buffers there, in arrays kept across steps
        if (bufferX.length != batch * inputs) {
            bufferX = new float[batch * inputs];
            bufferD = new float[batch * outputs];
        }
        x.get(x.position(), bufferX, 0, bufferX.length);
        d.get(d.position(), bufferD, 0, bufferD.length);
        return stepInside(bufferX, bufferD, batch, learningRate);
    }

    /** Replica 0's outputs (every replica holds the same parameters). */
    @Override
    protected float[] predictInside(float[] x, int batch) {
        loaded();
        Checks.inputs(x, batch, inputs);
        return on(0, () -> replicas.get(0).predict(x, batch));
    }

    /** Closes every replica, each on its own thread, then the threads. Idempotent. */
    @Override
    protected void closeInside() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (int r = 0; r < replicas.size(); r++) {
            GradientExchange replica = replicas.get(r);
            try {
                on(r, () -> {
                    replica.close();
                    return null;
                });
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private <T> T on(int replica, Callable<T> call) {
        try {
            return lanes[replica].submit(call).get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while replica " + replica + " worked", e);
        }
    }

    /** Runs {@code calls[r]} on lane {@code r}, all at once; their results in replica order. The first failure (by replica) is thrown once all have finished. */
    private <T> List<T> all(List<? extends Callable<T>> calls) {
        List<Future<T>> futures = new ArrayList<>();
        for (int r = 0; r < calls.size(); r++) {
            futures.add(lanes[r].submit(calls.get(r)));
        }
        List<T> results = new ArrayList<>();
        RuntimeException failure = null;
        for (int r = 0; r < futures.size(); r++) {
            try {
                results.add(futures.get(r).get());
            } catch (ExecutionException e) {
                RuntimeException cause = unwrap(e);
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + ": interrupted while the replicas worked", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static RuntimeException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new IllegalStateException(cause);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException(name + ": the backend is closed");
        }
    }

    private void loaded() {
        open();
        if (!loaded) {
            throw new IllegalStateException(name + ": no network loaded; call load(network) first");
        }
    }
}

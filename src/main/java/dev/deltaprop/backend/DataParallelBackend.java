package dev.deltaprop.backend;

import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
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
 *
 * <p>This class is the {@link Backend} the caller sees: checks, load, state and close. The
 * replicas, their shares and their threads are a {@link ReplicaSet}; the step's schedule (shards,
 * passes, reduction, peer path) is a {@link ParallelStep}, made at each load.
 */
public final class DataParallelBackend extends GuardedBackend {
    /** System property: {@code false} starts every new instance with the reduction after the whole backward pass. */
    public static final String OVERLAP_PROPERTY = "deltaprop.parallel.overlap";
    /** System property: {@code false} keeps the sums on the host path even where the devices could copy peer to peer. */
    public static final String PEER_PROPERTY = "deltaprop.parallel.peer";

    private final String name;
    private final ReplicaSet replicas;
    private final boolean peerAllowed = !"false".equals(System.getProperty(PEER_PROPERTY));
    private boolean overlap = !"false".equals(System.getProperty(OVERLAP_PROPERTY));
    /** The step of the loaded network; {@code null} before the first load. */
    private ParallelStep step;
    private float[] bufferX = new float[0];
    private float[] bufferD = new float[0];
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
        List<GradientExchange> exchanges;
        double[] checked;
        try {
            Objects.requireNonNull(replicas, "replicas");
            exchanges = ReplicaSet.exchanges(replicas);
            checked = BatchSplit.check(shares, replicas.size());
            this.name = Objects.requireNonNull(name, "name");
        } catch (RuntimeException e) {
            ReplicaSet.closeAll(replicas, e);
            throw e;
        }
        this.replicas = new ReplicaSet(name, exchanges, checked);
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
                ReplicaSet.closeAll(opened, e);
                String why = name + ": replica " + r + " (" + labels.get(r) + ") could not start"
                        + (opened.isEmpty() ? "" : "; the " + opened.size() + " opened before it were closed") + ": "
                        + e.getMessage();
                throw e instanceof BackendUnavailableException ? new BackendUnavailableException(why, e)
                        : new IllegalArgumentException(why, e);
            }
        }
        return new DataParallelBackend(name, opened, shares);
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code 2 replicas, shares 1:1: [0] …; [1] …}. */
    @Override
    public String device() {
        return replicas.describe();
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
            return step.peerCopies();
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
        return List.copyOf(replicas.all());
    }

    /** The shard sizes a batch of {@code batch} samples is cut into, replica by replica. */
    public int[] shardSizes(int batch) {
        Checks.batchSize(batch);
        return replicas.shardSizes(batch);
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
        for (GradientExchange replica : replicas.all()) {
            loads.add(() -> {
                replica.load(network, optimizer, state);
                return null;
            });
        }
        replicas.all(loads);
        step = ParallelStep.load(replicas, network, peerAllowed);
        this.optimizer = optimizer;
        this.inputs = network.inputs();
        this.outputs = network.outputs();
        this.loaded = true;
    }

    @Override
    public Optimizer optimizer() {
        loaded();
        return optimizer;
    }

    @Override
    protected OptimizerState optimizerStateInside() {
        loaded();
        return replicas.on(0, () -> replicas.get(0).optimizerState());
    }

    @Override
    protected Network networkInside() {
        loaded();
        return replicas.on(0, () -> replicas.get(0).network());
    }

    @Override
    protected float stepInside(float[] x, float[] d, int batch, float learningRate) {
        loaded();
        Checks.batch(x, d, batch, inputs, outputs);
        Checks.learningRate(learningRate);
        return step.run(x, d, batch, learningRate, overlap);
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
        return replicas.on(0, () -> replicas.get(0).predict(x, batch));
    }

    /** Closes every replica, each on its own thread, then the threads. Idempotent. */
    @Override
    protected void closeInside() {
        if (closed) {
            return;
        }
        closed = true;
        replicas.close();
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

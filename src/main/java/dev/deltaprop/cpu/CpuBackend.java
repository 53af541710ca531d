package dev.deltaprop.cpu;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.backend.GradientExchange;
import dev.deltaprop.backend.GuardedExchange;
import dev.deltaprop.backend.Profiled;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.model.Sizes;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code cpu} backend: minibatch training in float on all cores, in pure Java, with every
 * loss and optimizer of DESIGN §1b.
 *
 * <p>A step is the derivation of DESIGN §1 as parallel phases ({@link Passes}): the forward GEMMs
 * {@code U^l = Z^{l-1} W^l + b^l, Z^l = f(U^l)}, the last one computing the output δ with the loss
 * (and the softmax of a softmax output) in its epilogue; the δ GEMMs
 * {@code Δ^l = (Δ^{l+1} W^{l+1}ᵀ) ⊙ f'(U^l)}, each reading {@code W^{l+1}} before it changes; and the
 * update GEMMs over {@code Z^{l-1}ᵀ Δ^l} whose epilogue applies the optimizer ({@link OptimizerStep})
 * to each finished tile, the bias step from the column sums {@code Σ_b Δ^l_b} that the pass producing
 * {@code Δ^l} gathered ({@link ColumnSums}). An update runs in the phase of the next δ that no longer
 * needs its weights, so a step of {@code L ≥ 2} layers has {@code 2L} barriers, not {@code 3L}: the
 * {@code L} forward layers, {@code Δ^{L-1}}, each {@code Δ^l} beside the update of {@code W^{l+2}},
 * then the updates of {@code W^2} and {@code W^1} together. The optimizer's state lives here beside the weights,
 * one float array per slot and parameter array, and {@code load} resets it. The activations are
 * kept for the largest batch seen, so a step allocates nothing once the first step of that size
 * has run. Results are bitwise identical for any thread count (work is split over outputs; every
 * sum runs in one fixed order).
 *
 * <p>Threads: the constructor argument, else the system property {@value #THREADS_PROPERTY},
 * else every available processor. The GEMM micro-kernel is the Vector API one when the JVM has
 * {@code jdk.incubator.vector}, else a scalar one ({@link #device()} says which).
 */
public final class CpuBackend extends GuardedExchange implements Profiled {
    /** System property: the number of threads (default: available processors). */
    public static final String THREADS_PROPERTY = "deltaprop.cpu.threads";

    private static final String[] FAMILIES = {"forward", "delta_output", "delta_hidden", "update"};

    private final Passes passes;
    private Network network;
    private int[] widths;
    private Activation[] activations;
    /** {@code weights[l-1]} is {@code W^l} ({@code n_{l-1} × n_l}); likewise {@code bias}. */
    private float[][] weights;
    private float[][] bias;
    private Optimizer optimizer = Optimizer.sgd();
    /** {@code weightState[l-1][slot]}: slot {@code v}, or {@code m} and {@code s}, of {@code W^l}, laid out like it; likewise {@code biasState}. */
    private float[][][] weightState;
    private float[][][] biasState;
    /** {@code t}: the steps taken since the state was fresh. */
    private long steps;
    private final OptimizerStep rule = new OptimizerStep();
    /** {@code u[l]}, {@code z[l]}, {@code delta[l]} for {@code l = 1..L}, room for {@code capacity} samples. */
    private float[][] u;
    private float[][] z;
    private float[][] delta;
    /** {@code columnSums[l]}: {@code Σ_b Δ^l_b}, gathered by the pass that produces {@code Δ^l}, read by the update. */
    private ColumnSums[] columnSums;
    private int capacity;
    private float[] bufferX = new float[0];
    private float[] bufferD = new float[0];
    /** The gradient sums of {@link GradientExchange} and the optimizer step applied to them. */
    private CpuExchange exchange;
    /** {@link CpuExchange}'s flat gradient sums, kept from one load to the next of the same shape ({@link #widths}). */
    private float[] sums;
    /** The layer-by-layer backward pass ({@link #beginGradient}): the next layer due (0: none begun), the shard's size and its summed loss. */
    private int nextLayer;
    private int shardBatch;
    private double shardLoss;
    private final float[][] shardPair = new float[2][];
    private boolean profiling;
    private final long[] familyNanos = new long[FAMILIES.length];
    /** How many of {@link #FAMILIES} the last profiled call ran: all for a step, {@code forward} for a predict. */
    private int familiesReported;
    private boolean closed;
    /** Measurement only ({@code StepPhases}): every phase of each step recorded here when set. */
    private PhaseClock phaseClock;

    /** Threads from {@value #THREADS_PROPERTY}, or every available processor. */
    public CpuBackend() {
        this(defaultThreads());
    }

    /** @param threads at least 1 */
    public CpuBackend(int threads) {
        this(checkThreads(threads, "threads"), MicroKernels.chosen());
    }

    CpuBackend(int threads, MicroKernel kernel) {
        super("cpu");
        this.passes = new Passes(checkThreads(threads, "threads"), kernel);
    }

    /** {@value #THREADS_PROPERTY} if set, else {@link Runtime#availableProcessors()}. */
    public static int defaultThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            return checkThreads(Integer.parseInt(value.trim()), THREADS_PROPERTY);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + ": expected a whole number ≥ 1, found '" + value + "'");
        }
    }

    /**
     * {@code 1 ≤ threads ≤ 4 ×} available processors: more cannot run faster (a step splits its work
     * evenly), and tens of thousands exhaust the OS before the first step.
     */
    private static int checkThreads(int threads, String field) {
        int processors = Runtime.getRuntime().availableProcessors();
        long limit = 4L * processors;
        if (threads < 1 || threads > limit) {
            throw new IllegalArgumentException(field + ": expected 1 to " + limit + " threads (4 × " + processors
                    + " available processors), found " + threads);
        }
        return threads;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String device() {
        String whyScalar = passes.kernel() instanceof ScalarMicroKernel ? MicroKernels.whyScalar() : null;
        return "pure Java, " + passes.threads() + (passes.threads() == 1 ? " thread, " : " threads, ")
                + passes.kernel().description() + (whyScalar == null ? "" : "; " + whyScalar);
    }

    /** The number of threads a step runs on. */
    public int threads() {
        return passes.threads();
    }

    @Override
    protected void loadInside(Network network, Optimizer optimizer, OptimizerState state) {
        open();
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(optimizer, "optimizer");
        if (state != null) {
            state.requireFits(network, optimizer); // before anything is replaced
        }
        // the weights, their gradient sums (sums, GradientExchange's) and the optimizer's state, against the
        // heap, before any is allocated: 2 + slots floats a parameter, all that is parameter-sized here (the
        // update's partial sums stay in Gemm's per-thread tile buffers)
        MemoryEstimate.requireHeap("cpu: the network " + network.shape() + " (its weights, gradient and "
                + optimizer.kind() + " state)",
                MemoryEstimate.bytes(network.parameterCount(), (2 + optimizer.kind().slots()) * Float.BYTES));
        OptimizerState start = state == null ? OptimizerState.initial(network, optimizer.kind()) : state;
        int depth = network.depth();
        int slots = optimizer.kind().slots();
        this.network = network;
        this.optimizer = optimizer;
        this.steps = start.steps();
        activations = new Activation[depth];
        weights = new float[depth][];
        bias = new float[depth][];
        weightState = new float[depth][slots][];
        biasState = new float[depth][slots][];
        for (int l = 0; l < depth; l++) {
            Layer layer = network.layer(l);
            activations[l] = layer.activation();
            weights[l] = layer.weights();
            bias[l] = layer.bias();
            for (int slot = 0; slot < slots; slot++) {
                weightState[l][slot] = start.weights(l, slot);
                biasState[l][slot] = start.bias(l, slot);
            }
        }
        int[] previous = widths;
        widths = network.widths();
        if (!java.util.Arrays.equals(previous, widths)) {
            // a new shape: new activations (grown at the first step) and new gradient sums; a reload
            // of the same shape (a fresh start, a checkpoint, a replica reset) keeps both, so that
            // it allocates only the parameters and the optimizer's state
            u = new float[depth + 1][];
            z = new float[depth + 1][];
            delta = new float[depth + 1][];
            columnSums = new ColumnSums[depth + 1];
            for (int l = 1; l <= depth; l++) {
                columnSums[l] = new ColumnSums();
            }
            capacity = 0;
            sums = null;
        }
        exchange = new CpuExchange(widths, weights, bias, weightState, biasState, sums);
        sums = exchange.sums();
        nextLayer = 0;
    }

    @Override
    public Optimizer optimizer() {
        return optimizer;
    }

    @Override
    protected OptimizerState optimizerStateInside() {
        loaded();
        return new OptimizerState(optimizer.kind(), steps, weightState, biasState);
    }

    @Override
    protected Network networkInside() {
        loaded();
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < weights.length; l++) {
            layers.add(Checks.trainedLayer(network, l, weights[l], bias[l]));
        }
        return network.withLayers(layers);
    }

    @Override
    protected float stepInside(float[] x, float[] d, int batch, float learningRate) {
        loaded();
        Checks.batch(x, d, batch, widths[0], widths[widths.length - 1]);
        Checks.learningRate(learningRate);
        return train(x, d, batch, learningRate);
    }

    @Override
    protected float stepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        loaded();
        Checks.batch(x, d, batch, widths[0], widths[widths.length - 1]);
        Checks.learningRate(learningRate);
        int inputs = batch * widths[0];
        int outputs = batch * widths[widths.length - 1];
        if (bufferX.length < inputs) {
            bufferX = new float[inputs];
        }
        if (bufferD.length < outputs) {
            bufferD = new float[outputs];
        }
        x.get(x.position(), bufferX, 0, inputs);
        d.get(d.position(), bufferD, 0, outputs);
        return train(bufferX, bufferD, batch, learningRate);
    }

    @Override
    protected float[] predictInside(float[] x, int batch) {
        loaded();
        Checks.inputs(x, batch, widths[0]);
        ensureCapacity(batch);
        long start = profiling ? System.nanoTime() : 0;
        forwardAll(x, batch);
        int last = weights.length;
        if (activations[last - 1] == Activation.SOFTMAX) {
            passes.softmax(u[last], z[last], batch, widths[last]); // in a step the δ phase does this
        }
        if (profiling) {
            familyNanos[0] = System.nanoTime() - start;
            familiesReported = 1;
        }
        float[] y = new float[batch * widths[last]];
        System.arraycopy(z[last], 0, y, 0, y.length);
        return y;
    }

    /**
     * One step in {@code 2L} phases (for {@code L ≥ 2}): the forward layers, the last with the
     * output δ fused; {@code Δ^{L-1}}; then each {@code Δ^l} beside the update of {@code W^{l+2}}
     * (which {@code Δ^{l+1}} has finished reading); then the updates of {@code W^2} and {@code W^1}
     * together. Each phase's GEMMs are independent, so grouping them changes no result. Profiling
     * runs every pass as its own phase instead, so that each family is timed alone.
     */
    private float train(float[] x, float[] d, int batch, float learningRate) {
        steps++;
        rule.set(optimizer, steps, learningRate, batch);
        if (profiling) {
            double loss = backward(x, d, batch);
            long start = System.nanoTime();
            for (int l = 1; l <= weights.length; l++) {
                stageUpdate(l, batch);
                passes.runStaged();
            }
            lap(3, start);
            familiesReported = FAMILIES.length;
            return (float) (loss / batch);
        }
        if (phaseClock != null) {
            phaseClock.begin(System.nanoTime());
        }
        ensureCapacity(batch);
        int last = weights.length;
        double loss = forwardAll(x, d, batch);
        if (last == 1) {
            stageUpdate(1, batch);
            passes.runStaged();
            return (float) (loss / batch);
        }
        stageDelta(last - 1, batch);
        passes.runStaged();
        for (int l = last - 2; l >= 1; l--) {
            stageDelta(l, batch);
            stageUpdate(l + 2, batch);
            passes.runStaged();
        }
        stageUpdate(2, batch);
        stageUpdate(1, batch);
        passes.runStaged();
        return (float) (loss / batch);
    }

    /** Records each phase of the following steps in {@code clock} (measurement only); {@code null} stops. */
    void phaseClock(PhaseClock clock) {
        phaseClock = clock;
        passes.clock(clock);
    }

    /** Stages {@code Δ^l = (Δ^{l+1} W^{l+1}ᵀ) ⊙ f'(U^l)} with its column sums. */
    private void stageDelta(int l, int batch) {
        passes.stageDeltaHidden(weights[l], widths[l], widths[l + 1], delta[l + 1], u[l], z[l], activations[l - 1],
                batch, delta[l], columnSums[l]);
    }

    /** Stages the update of {@code W^l}, {@code b^l} and their state by {@link #rule}. */
    private void stageUpdate(int l, int batch) {
        float[][] w = weightState[l - 1];
        float[][] b = biasState[l - 1];
        passes.stageUpdate(weights[l - 1], bias[l - 1], z[l - 1], delta[l], batch, widths[l - 1],
                widths[l], rule, CpuExchange.slot(w, 0), CpuExchange.slot(w, 1), CpuExchange.slot(b, 0),
                CpuExchange.slot(b, 1), columnSums[l]);
    }

    /** Forward with the output δ, then every hidden δ, one phase each, with the timings of their families; returns {@code Σ_b E_b}. */
    private double backward(float[] x, float[] d, int batch) {
        if (phaseClock != null) {
            phaseClock.begin(System.nanoTime());
        }
        ensureCapacity(batch);
        int last = weights.length;
        long start = profiling ? System.nanoTime() : 0;
        double loss = forwardAll(x, d, batch);
        start = lap(0, start);
        lap(1, start); // the output δ is in the forward family's last phase
        start = profiling ? System.nanoTime() : 0;
        // every Δ^l from W^{l+1} before any W changes (DESIGN §1)
        for (int l = last - 1; l >= 1; l--) {
            stageDelta(l, batch);
            passes.runStaged();
        }
        lap(2, start);
        return loss;
    }

    @Override
    protected double gradientInside(float[] x, float[] d, int offset, int batch) {
        float[][] shard = shard(x, d, offset, batch);
        double loss = backward(shard[0], shard[1], batch);
        for (int l = 1; l <= weights.length; l++) {
            passes.stageGradient(z[l - 1], delta[l], batch, widths[l - 1], widths[l], exchange.sums(),
                    exchange.at(l), columnSums[l]);
            if (l % 2 == 0 || l == weights.length) {
                passes.runStaged(); // two independent layers a phase
            }
        }
        nextLayer = 0;
        return loss;
    }

    @Override
    protected void beginGradientInside(float[] x, float[] d, int offset, int batch) {
        float[][] shard = shard(x, d, offset, batch);
        ensureCapacity(batch);
        shardLoss = forwardAll(shard[0], shard[1], batch);
        shardBatch = batch;
        nextLayer = weights.length;
    }

    /** Δ^l from Δ^{l+1} and the unchanged W^{l+1} (below the output layer), then layer l's sums: {@link #backward}'s and {@link #gradient}'s work for one layer. */
    @Override
    protected void layerGradientInside(int layer) {
        loaded();
        if (nextLayer < 1 || layer != nextLayer) {
            throw new IllegalStateException("layer: expected " + (nextLayer < 1 ? "a shard begun by beginGradient first"
                    : "layer " + nextLayer + " next (from L down to 1)") + ", found " + layer);
        }
        int l = layer;
        if (l < weights.length) {
            stageDelta(l, shardBatch);
            passes.runStaged();
        }
        passes.stageGradient(z[l - 1], delta[l], shardBatch, widths[l - 1], widths[l], exchange.sums(),
                exchange.at(l), columnSums[l]);
        passes.runStaged();
        nextLayer--;
    }

    @Override
    protected double gradientLossInside() {
        loaded();
        return shardLoss;
    }

    @Override
    protected void readGradientInside(int layer, float[] target, int targetOffset) {
        loaded();
        exchange.read(layer, target, targetOffset);
    }

    @Override
    protected void writeGradientInside(int layer, float[] source, int sourceOffset) {
        loaded();
        exchange.write(layer, source, sourceOffset);
    }

    /** Layer {@code layer}'s part of {@link #apply(float, int)}; the rule of the step is set with {@code layer = L}. */
    @Override
    protected void applyInside(int layer, float learningRate, int totalBatch) {
        loaded();
        exchange.layerCount(layer);
        if (layer == weights.length) {
            Checks.learningRate(learningRate);
            Checks.batchSize(totalBatch);
            steps++;
            rule.set(optimizer, steps, learningRate, totalBatch);
        }
        exchange.apply(rule, layer);
    }

    /** {@code {x, d}} of the shard, copied to the front of the staging buffers when it does not start at 0 (the passes index from 0). */
    private float[][] shard(float[] x, float[] d, int offset, int batch) {
        loaded();
        Checks.batchSize(batch);
        int n0 = widths[0];
        int nL = widths[widths.length - 1];
        if (offset < 0 || (long) (offset + batch) * n0 > x.length || (long) (offset + batch) * nL > d.length) {
            throw new IllegalArgumentException("offset: expected 0 ≤ offset with offset + batch ≤ the samples in x and d,"
                    + " found offset " + offset + ", batch " + batch);
        }
        float[] xs = x;
        float[] ds = d;
        if (offset != 0) {
            if (bufferX.length < batch * n0) {
                bufferX = new float[batch * n0];
            }
            if (bufferD.length < batch * nL) {
                bufferD = new float[batch * nL];
            }
            System.arraycopy(x, offset * n0, bufferX, 0, batch * n0);
            System.arraycopy(d, offset * nL, bufferD, 0, batch * nL);
            xs = bufferX;
            ds = bufferD;
        }
        shardPair[0] = xs;
        shardPair[1] = ds;
        return shardPair;
    }

    @Override
    protected int gradientLengthInside() {
        loaded();
        return exchange.length();
    }

    @Override
    protected void readGradientInside(float[] target) {
        loaded();
        exchange.read(target);
    }

    @Override
    protected void writeGradientInside(float[] source) {
        loaded();
        exchange.write(source);
    }

    /** The optimizer rule of the update epilogue ({@link OptimizerStep}) over the held sums, on this thread (it is elementwise). */
    @Override
    protected void applyInside(float learningRate, int totalBatch) {
        loaded();
        Checks.learningRate(learningRate);
        Checks.batchSize(totalBatch);
        steps++;
        rule.set(optimizer, steps, learningRate, totalBatch);
        for (int layer = weights.length; layer >= 1; layer--) {
            exchange.apply(rule, layer);
        }
    }

    private void forwardAll(float[] x, int batch) {
        z[0] = x;
        for (int l = 1; l <= weights.length; l++) {
            passes.forward(weights[l - 1], bias[l - 1], widths[l - 1], widths[l], activations[l - 1], z[l - 1], batch,
                    u[l], z[l]);
        }
    }

    /** The forward layers, the last with the output δ and its column sums fused; returns {@code Σ_b E_b}. */
    private double forwardAll(float[] x, float[] d, int batch) {
        z[0] = x;
        int last = weights.length;
        for (int l = 1; l < last; l++) {
            passes.forward(weights[l - 1], bias[l - 1], widths[l - 1], widths[l], activations[l - 1], z[l - 1], batch,
                    u[l], z[l]);
        }
        return passes.forwardOutput(network.loss(), weights[last - 1], bias[last - 1], widths[last - 1], widths[last],
                activations[last - 1], z[last - 1], batch, u[last], z[last], d, delta[last], columnSums[last]);
    }

    private long lap(int family, long start) {
        if (!profiling) {
            return 0;
        }
        long now = System.nanoTime();
        familyNanos[family] = now - start;
        return now;
    }

    /** Grows the activations to {@code batch} samples; the only allocation on the step path. */
    private void ensureCapacity(int batch) {
        if (batch <= capacity) {
            return;
        }
        for (int l = 1; l < widths.length; l++) {
            Sizes.elements("batch × n_" + l, batch, widths[l]); // every layer checked before any allocation
        }
        MemoryEstimate.requireHeap("cpu: batch " + batch + " (u, z and δ of every layer)",
                MemoryEstimate.bytes(MemoryEstimate.activations(widths, batch), Float.BYTES));
        for (int l = 1; l < widths.length; l++) {
            int size = batch * widths[l];
            u[l] = new float[size];
            z[l] = new float[size];
            delta[l] = new float[size];
        }
        capacity = batch;
    }

    @Override
    public void profiling(boolean enabled) {
        profiling = enabled;
    }

    @Override
    public Map<String, Long> lastStepNanos() {
        Map<String, Long> nanos = new LinkedHashMap<>();
        for (int f = 0; f < familiesReported; f++) {
            nanos.put(FAMILIES[f], familyNanos[f]);
        }
        return nanos;
    }

    /**
     * The phases of an unprofiled step: {@code 2L} ({@code 2} for one layer), and one
     * more for the output δ of a softmax wider than a micro-kernel tile.
     */
    @Override
    public int launchesPerStep() {
        if (weights == null) {
            return 0;
        }
        int last = weights.length;
        boolean separateDelta = activations[last - 1] == Activation.SOFTMAX && widths[last] > passes.kernel().nr();
        return Math.max(2, 2 * last) + (separateDelta ? 1 : 0);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("cpu: the backend is closed");
        }
    }

    @Override
    public int[] widths() {
        loaded();
        return widths.clone();
    }

    private void loaded() {
        open();
        if (network == null) {
            throw new IllegalStateException("cpu: no network loaded; call load(network) first");
        }
    }

    @Override
    protected void closeInside() {
        if (!closed) {
            closed = true;
            passes.close();
            weights = null;
            weightState = null;
            biasState = null;
            exchange = null;
            sums = null;
            u = null;
            z = null;
            delta = null;
            network = null;
        }
    }
}

package dev.deltaprop.bench;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What {@code deltaprop bench} runs: a network shape, its activations and a batch size, and the
 * floating-point operations one step of it costs.
 *
 * <p>A training workload times {@link dev.deltaprop.backend.Backend#step whole SGD steps}. With
 * widths {@code n_0 … n_L} and batch {@code B}, one step counts
 * <ul>
 *   <li>forward {@code U^l = Z^{l-1} W^l}: {@code 2·B·Σ_{l=1..L} n_{l-1}·n_l},</li>
 *   <li>weight gradients {@code Z^{l-1}ᵀ Δ^l} (the {@code update} family): the same again,</li>
 *   <li>δ backprop {@code Δ^{l+1} W^{l+1}ᵀ} (the {@code delta_hidden} family):
 *       {@code 2·B·Σ_{l=2..L} n_{l-1}·n_l}, every layer but the first, whose δ is never needed.</li>
 * </ul>
 * Bias additions, activations, the output δ and the SGD step itself are {@code O(B·n)} or
 * {@code O(n²)} and not counted, so GFLOP/s are those of the three GEMMs.
 *
 * <p>A training workload also has a loss and an optimizer (squared error and plain sgd but for
 * {@code mnist-adam}); {@link #withLearning} changes them, as {@code bench --loss --optimizer} does.
 * With cross entropy the teachers are one-hot rows (0/1 with one sigmoid output), as a classifier's
 * are. The optimizer's own per-parameter work is {@code O(n²)} and not counted either.
 *
 * <p>{@code gemm-N} is the forward kernel alone: a one-layer {@code N → N} identity network on a
 * batch of {@code N}, timed through {@link dev.deltaprop.backend.Backend#predict}, so a step is
 * one {@code N×N×N} GEMM, {@code 2·N³} operations.
 */
public final class Workload {

    /** How a step of the workload is taken. */
    public enum Kind {
        /** A whole SGD step: {@code Backend.step}. */
        TRAIN,
        /** The forward pass alone: {@code Backend.predict}. */
        GEMM
    }

    /** The training workloads, in the order {@code --workload all} runs them. */
    public static final List<String> TRAINING_NAMES = List.of("tiny", "mnist", "wide", "mnist-adam");

    /** Every name {@link #parse} accepts, for messages. */
    public static final String VALID_NAMES = "tiny, mnist, wide, mnist-adam, gemm-N (1 ≤ N ≤ " + Workload.MAX_GEMM
            + "), all";

    /** The largest {@code gemm-N}: three {@code N×N} float matrices of 256 MiB each. */
    public static final int MAX_GEMM = 8192;

    /** The seed of the initial weights; fixed so that every run starts from the same network. */
    public static final long NETWORK_SEED = 1;

    /** The seed of the batch that every step reuses. */
    public static final long BATCH_SEED = 2;

    private final String name;
    private final Kind kind;
    private final int[] widths;
    private final List<Activation> activations;
    private final int batch;
    private final Loss loss;
    private final Optimizer optimizer;

    private Workload(String name, Kind kind, int[] widths, List<Activation> activations, int batch) {
        this(name, kind, widths, activations, batch, Loss.SQUARED_ERROR, Optimizer.sgd());
    }

    private Workload(String name, Kind kind, int[] widths, List<Activation> activations, int batch, Loss loss,
            Optimizer optimizer) {
        this.name = name;
        this.kind = kind;
        this.widths = widths.clone();
        this.activations = Collections.unmodifiableList(new ArrayList<>(activations));
        this.batch = batch;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /** {@code tiny}: 32-64-64-1, tanh hidden layers, identity output, {@code B = 1024}. */
    public static Workload tiny() {
        return new Workload("tiny", Kind.TRAIN, new int[] {32, 64, 64, 1},
                List.of(Activation.TANH, Activation.TANH, Activation.IDENTITY), 1024);
    }

    /** {@code mnist}: 784-512-512-10, relu hidden layers, identity output, {@code B = 256}. */
    public static Workload mnist() {
        return new Workload("mnist", Kind.TRAIN, new int[] {784, 512, 512, 10},
                List.of(Activation.RELU, Activation.RELU, Activation.IDENTITY), 256);
    }

    /** {@code wide}: 1024-2048-2048-1024, relu hidden layers, identity output, {@code B = 512}. */
    public static Workload wide() {
        return new Workload("wide", Kind.TRAIN, new int[] {1024, 2048, 2048, 1024},
                List.of(Activation.RELU, Activation.RELU, Activation.IDENTITY), 512);
    }

    /** {@code mnist-adam}: 784-512-512-10, relu hidden layers, softmax output with cross entropy, Adam, {@code B = 256}. */
    public static Workload mnistAdam() {
        return new Workload("mnist-adam", Kind.TRAIN, new int[] {784, 512, 512, 10},
                List.of(Activation.RELU, Activation.RELU, Activation.SOFTMAX), 256, Loss.CROSS_ENTROPY,
                Optimizer.of(Optimizer.Kind.ADAM));
    }

    /**
     * This training workload with another loss and optimizer (null: keep this one's). Cross entropy
     * makes the output softmax ({@code n_L ≥ 2}) or sigmoid ({@code n_L = 1}) unless it is one of
     * those already; squared error makes a softmax output identity.
     *
     * @throws IllegalArgumentException naming the option for a {@code gemm-N} workload, which takes no step
     */
    public Workload withLearning(Loss newLoss, Optimizer newOptimizer) {
        if (newLoss == null && newOptimizer == null) {
            return this;
        }
        if (kind != Kind.TRAIN) {
            throw new IllegalArgumentException((newLoss != null ? "--loss" : "--optimizer") + ": applies to training"
                    + " workloads, not " + name + " (the forward kernel alone)");
        }
        Loss l = newLoss == null ? loss : newLoss;
        List<Activation> f = new ArrayList<>(activations);
        Activation output = f.get(f.size() - 1);
        int outputs = widths[widths.length - 1];
        if (l == Loss.CROSS_ENTROPY && output != Activation.SOFTMAX && output != Activation.SIGMOID) {
            f.set(f.size() - 1, outputs >= 2 ? Activation.SOFTMAX : Activation.SIGMOID);
        } else if (l == Loss.SQUARED_ERROR && output == Activation.SOFTMAX) {
            f.set(f.size() - 1, Activation.IDENTITY);
        }
        return new Workload(name, kind, widths, f, batch, l, newOptimizer == null ? optimizer : newOptimizer);
    }

    /** The loss of a step. */
    public Loss loss() {
        return loss;
    }

    /** The optimizer of a step, given to {@code Backend.load}. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@code gemm-N}: one {@code N → N} identity layer, batch {@code N}. */
    public static Workload gemm(int n) {
        if (n < 1 || n > MAX_GEMM) {
            throw new IllegalArgumentException("workload: gemm-N expects 1 ≤ N ≤ " + MAX_GEMM + ", found " + n);
        }
        return new Workload("gemm-" + n, Kind.GEMM, new int[] {n, n}, List.of(Activation.IDENTITY), n);
    }

    /**
     * The workloads a {@code --workload} value names: one, or the four training workloads for
     * {@code all}. Case does not matter.
     *
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    public static List<Workload> parse(String value) {
        String key = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case "tiny":
                return List.of(tiny());
            case "mnist":
                return List.of(mnist());
            case "wide":
                return List.of(wide());
            case "mnist-adam":
                return List.of(mnistAdam());
            case "all":
                return List.of(tiny(), mnist(), wide(), mnistAdam());
            default:
                break;
        }
        if (key.startsWith("gemm-")) {
            String digits = key.substring("gemm-".length());
            // only plain decimal digits: "gemm-+5" or "gemm- 5" are typos, not sizes
            if (!digits.isEmpty() && digits.length() <= 9 && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return List.of(gemm(Integer.parseInt(digits)));
            }
        }
        throw new IllegalArgumentException("workload: unknown name '" + value + "', expected one of " + VALID_NAMES);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** {@code n_0, n_1, …, n_L}. */
    public int[] widths() {
        return widths.clone();
    }

    /** {@code f^1 … f^L}. */
    public List<Activation> activations() {
        return activations;
    }

    /** {@code B}, the samples per step (for {@code gemm-N}, the rows of the left matrix: {@code N}). */
    public int batch() {
        return batch;
    }

    /** The widths as the command line writes them, e.g. {@code 32-64-64-1}. */
    public String shape() {
        StringBuilder s = new StringBuilder().append(widths[0]);
        for (int l = 1; l < widths.length; l++) {
            s.append('-').append(widths[l]);
        }
        return s.toString();
    }

    /** {@code 2·B·Σ_{l=1..L} n_{l-1}·n_l}: the {@code forward} family. */
    public long forwardFlops() {
        return 2L * batch * weightCount(1);
    }

    /** {@code 2·B·Σ_{l=2..L} n_{l-1}·n_l}: the {@code delta_hidden} family; 0 for {@code gemm-N}, which runs none. */
    public long deltaHiddenFlops() {
        return kind == Kind.TRAIN ? 2L * batch * weightCount(2) : 0;
    }

    /** {@code 2·B·Σ_{l=1..L} n_{l-1}·n_l}: the {@code update} family; 0 for {@code gemm-N}, which runs none. */
    public long updateFlops() {
        return kind == Kind.TRAIN ? forwardFlops() : 0;
    }

    /** The operations counted for one step: forward + δ backprop + weight gradients. */
    public long flopsPerStep() {
        return forwardFlops() + deltaHiddenFlops() + updateFlops();
    }

    /**
     * The counted operations of one kernel family per step ({@code forward}, {@code delta_hidden},
     * {@code update}); 0 for a family whose work is not counted ({@code delta_output},
     * {@code gather}, or any other name a backend reports).
     */
    public long familyFlops(String family) {
        switch (family) {
            case "forward":
                return forwardFlops();
            case "delta_hidden":
                return deltaHiddenFlops();
            case "update":
                return updateFlops();
            default:
                return 0;
        }
    }

    /** {@code Σ_{l=first..L} n_{l-1}·n_l}. */
    private long weightCount(int first) {
        long sum = 0;
        for (int l = first; l < widths.length; l++) {
            sum += (long) widths[l - 1] * widths[l];
        }
        return sum;
    }

    /** The network every run of this workload starts from (weights from {@link #NETWORK_SEED}). */
    public Network network() {
        Network.Builder builder = Network.builder(widths[0]);
        for (int l = 1; l < widths.length; l++) {
            builder.layer(widths[l], activations.get(l - 1));
        }
        return builder.loss(loss).build(NETWORK_SEED);
    }

    /** The batch's inputs, {@code B × n_0}, uniform in {@code [−1, 1)}, from {@link #BATCH_SEED}. */
    public float[] inputs() {
        return uniform(new SplittableRandom(BATCH_SEED), batch * widths[0]);
    }

    /**
     * The batch's teacher values, {@code B × n_L}, drawn after the inputs: uniform in {@code [−1, 1)}
     * for squared error; for cross entropy a class per sample, as one-hot rows (0 or 1 with one output).
     */
    public float[] teachers() {
        SplittableRandom random = new SplittableRandom(BATCH_SEED);
        uniform(random, batch * widths[0]);
        int outputs = widths[widths.length - 1];
        if (loss != Loss.CROSS_ENTROPY) {
            return uniform(random, batch * outputs);
        }
        float[] d = new float[batch * outputs];
        for (int b = 0; b < batch; b++) {
            if (outputs == 1) {
                d[b] = random.nextInt(2);
            } else {
                d[b * outputs + random.nextInt(outputs)] = 1;
            }
        }
        return d;
    }

    private static float[] uniform(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) (2.0 * random.nextDouble() - 1.0);
        }
        return values;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name).append(": ").append(shape()).append(" [");
        for (int l = 0; l < activations.size(); l++) {
            s.append(l == 0 ? "" : ",").append(activations.get(l).id());
        }
        s.append("], batch ").append(batch);
        if (loss != Loss.SQUARED_ERROR) {
            s.append(", ").append(loss);
        }
        if (!optimizer.equals(Optimizer.sgd())) {
            s.append(", ").append(optimizer.kind());
        }
        return s.toString();
    }
}

package dev.deltaprop.spark;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.GradientExchange;
import dev.deltaprop.io.ModelWriter;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.train.EpochSummary;
import dev.deltaprop.train.TrainerConfig;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.sql.Row;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One task of the barrier stage that trains: it holds its partition's rows, opens its backend,
 * and runs every epoch in step with the other tasks.
 *
 * <p>{@link FitSettings.Sync#GRADIENTS}: at step {@code s} each task {@code p} computes the sums
 * {@code S_p = Z^{l-1}ᵀ Δ^l} (and {@code Σ_b Δ^l_b}) over its share of the global batch
 * ({@link GlobalBatches}), the tasks exchange them ({@code allGather}), each adds them in partition
 * order in double — the same numbers in the same order in every task — and takes the optimizer step
 * with {@code g = (Σ_p S_p) / B_s}. So every task holds the same parameters, and these are the
 * parameters of one machine stepping on the concatenated batches, up to float rounding.
 *
 * <p>{@link FitSettings.Sync#AVERAGE}: each task takes ordinary steps on its own shares (the mean
 * over its share) and every {@code k} steps, and at the end of each epoch, the tasks replace their
 * parameters by the average {@code Σ_p m_p w_p / Σ_p m_p}, {@code m_p} the samples task {@code p}
 * stepped on since the last average; each keeps its own optimizer state. One exchange per
 * {@code k} steps instead of one per step; not equal to single-machine training.
 *
 * <p>Task 0 writes a checkpoint every {@code checkpointEvery} epochs ({@link CheckpointStore});
 * every task resumes from it when it starts, so a retried stage (Spark retries the whole barrier
 * stage when one task fails) continues from the last checkpoint, and without one from the start:
 * the shuffles and the initial weights are functions of the seed, so either way the result is
 * that of an undisturbed run.
 */
final class PartitionTrainer extends AbstractFunction1<Iterator<Row>, Iterator<FitOutcome>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FitSettings settings;
    private final int classes;
    private final int taskCpus;

    /**
     * @param classes  the number of classes, for one-hot teachers; 0 for a regression on the label itself
     * @param taskCpus {@code spark.task.cpus}: the threads of a {@code cpu} backend
     */
    PartitionTrainer(FitSettings settings, int classes, int taskCpus) {
        this.settings = settings;
        this.classes = classes;
        this.taskCpus = taskCpus;
    }

    @Override
    public Iterator<FitOutcome> apply(Iterator<Row> rows) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int partition = context.partitionId();
        PartitionData data = PartitionData.of(CollectionConverters.asJava(rows), settings.inputs(), classes, partition);

        // every task learns every partition's size and data fingerprint
        String[] counts = context.allGather(data.samples() + ":" + data.fingerprint());
        int[] sizes = new int[counts.length];
        StringBuilder fingerprints = new StringBuilder();
        for (int p = 0; p < counts.length; p++) {
            sizes[p] = Integer.parseInt(counts[p].substring(0, counts[p].indexOf(':')));
            fingerprints.append(counts[p]).append(';');
        }
        GlobalBatches plan = new GlobalBatches(sizes, settings.batch());
        CheckpointStore store = new CheckpointStore(settings, fingerprints.toString(), plan.samples());

        TrainerConfig config = settings.config();
        Optimizer optimizer = config.optimizer();
        CheckpointStore.Resume resume = store.resume();
        try (Backend backend = TaskBackends.open(settings.backend(), taskCpus)) {
            if (settings.sync() == FitSettings.Sync.GRADIENTS && !(backend instanceof GradientExchange)) {
                throw new IllegalArgumentException("backend: expected one that exchanges gradients (cpu, opencl, cuda,"
                        + " opencl-lwjgl, cuda-lwjgl) for sync 'gradients', found " + backend.name());
            }
            backend.load(resume.network(), optimizer, resume.state());
            List<EpochSummary> history = new ArrayList<>(resume.history());
            Shard shard = new Shard(settings.inputs(), data.outputs(), settings.batch());
            for (int epoch = resume.epoch() + 1; epoch <= settings.epochs(); epoch++) {
                long start = System.nanoTime();
                int[] order = GlobalBatches.order(data.samples(), settings.seed(), epoch, partition);
                float rate = config.learningRate(epoch);
                double lossSum = settings.sync() == FitSettings.Sync.GRADIENTS
                        ? gradientEpoch(context, (GradientExchange) backend, data, order, plan, shard, epoch, rate)
                        : averageEpoch(context, backend, optimizer, data, order, plan, shard, epoch, rate);
                history.add(new EpochSummary(epoch, settings.epochs(), lossSum / plan.samples(), (int) plan.samples(),
                        System.nanoTime() - start));
                if (partition == 0 && (epoch % settings.checkpointEvery() == 0 || epoch == settings.epochs())) {
                    store.write(backend.network(), backend.optimizerState(), history);
                }
            }
            if (partition != 0) {
                return CollectionConverters.asScala(List.<FitOutcome>of().iterator());
            }
            double[] losses = history.stream().mapToDouble(EpochSummary::loss).toArray();
            FitOutcome outcome = new FitOutcome(json(backend.network()), losses, resume.epoch(), backend.device());
            return CollectionConverters.asScala(List.of(outcome).iterator());
        }
    }

    /** One epoch of summed gradients; returns the epoch's summed loss over all partitions. */
    private double gradientEpoch(BarrierTaskContext context, GradientExchange backend, PartitionData data, int[] order,
                                 GlobalBatches plan, Shard shard, int epoch, float rate) {
        int partition = context.partitionId();
        float[] gradient = new float[backend.gradientLength()];
        double[] total = new double[gradient.length];
        float[] sum = new float[gradient.length];
        double epochLoss = 0;
        for (int step = 0; step < plan.steps(); step++) {
            FaultInjection.check(partition, epoch, step);
            int share = plan.share(partition, step);
            double loss = 0;
            if (share > 0) {
                shard.gather(data, order, plan.start(partition, step), share);
                loss = backend.gradient(shard.x, shard.d, 0, share);
                backend.readGradient(gradient);
            } else {
                Arrays.fill(gradient, 0f);
            }
            String[] all = context.allGather(Messages.encode(new double[] {loss}, gradient));
            Arrays.fill(total, 0);
            for (String message : all) { // partition order: the same sum, bit for bit, in every task
                epochLoss += Messages.header(message)[0];
                Messages.addValues(message, 1, total);
            }
            for (int k = 0; k < sum.length; k++) {
                sum[k] = (float) total[k];
            }
            backend.writeGradient(sum);
            backend.apply(rate, plan.batch(step));
        }
        return epochLoss;
    }

    /** One epoch of local steps and parameter averages; returns the epoch's summed loss over all partitions. */
    private double averageEpoch(BarrierTaskContext context, Backend backend, Optimizer optimizer, PartitionData data,
                                int[] order, GlobalBatches plan, Shard shard, int epoch, float rate) {
        int partition = context.partitionId();
        double epochLoss = 0;
        double localLoss = 0;
        long stepped = 0;
        for (int step = 0; step < plan.steps(); step++) {
            FaultInjection.check(partition, epoch, step);
            int share = plan.share(partition, step);
            if (share > 0) {
                shard.gather(data, order, plan.start(partition, step), share);
                localLoss += (double) backend.step(shard.x, shard.d, share, rate) * share;
                stepped += share;
            }
            if ((step + 1) % settings.averageEvery() == 0 || step == plan.steps() - 1) {
                Network mine = backend.network();
                String[] all = context.allGather(Messages.encode(new double[] {localLoss, stepped}, Parameters.flatten(mine)));
                double weight = 0;
                double[] average = new double[Parameters.length(mine)];
                for (String message : all) {
                    double[] header = Messages.header(message);
                    epochLoss += header[0];
                    weight += header[1];
                    Messages.addValues(message, header[1], average);
                }
                if (weight > 0) {
                    for (int k = 0; k < average.length; k++) {
                        average[k] /= weight;
                    }
                    backend.load(Parameters.unflatten(mine, average), optimizer, backend.optimizerState());
                }
                localLoss = 0;
                stepped = 0;
            }
        }
        return epochLoss;
    }

    static String json(Network network) {
        try {
            StringWriter out = new StringWriter();
            ModelWriter.write(network, out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reused buffers of one share: {@code x} and {@code d} of up to {@code B} samples. */
    private static final class Shard {
        final float[] x;
        final float[] d;
        private final int inputs;
        private final int outputs;

        Shard(int inputs, int outputs, int batch) {
            this.inputs = inputs;
            this.outputs = outputs;
            this.x = new float[batch * inputs];
            this.d = new float[batch * outputs];
        }

        void gather(PartitionData data, int[] order, int start, int count) {
            for (int b = 0; b < count; b++) {
                int row = order[start + b];
                System.arraycopy(data.x(), row * inputs, x, b * inputs, inputs);
                System.arraycopy(data.d(), row * outputs, d, b * outputs, outputs);
            }
        }
    }

    /** Flat views of a network's parameters: per layer {@code w^l} then {@code b^l}. */
    static final class Parameters {
        private Parameters() {
        }

        static int length(Network network) {
            return (int) network.parameterCount();
        }

        static float[] flatten(Network network) {
            float[] flat = new float[length(network)];
            int at = 0;
            for (Layer layer : network.layers()) {
                float[] w = layer.weights();
                float[] b = layer.bias();
                System.arraycopy(w, 0, flat, at, w.length);
                at += w.length;
                System.arraycopy(b, 0, flat, at, b.length);
                at += b.length;
            }
            return flat;
        }

        static Network unflatten(Network shape, double[] flat) {
            List<Layer> layers = new ArrayList<>();
            int at = 0;
            for (Layer layer : shape.layers()) {
                float[] w = new float[layer.inputs() * layer.outputs()];
                float[] b = new float[layer.outputs()];
                for (int k = 0; k < w.length; k++) {
                    w[k] = (float) flat[at++];
                }
                for (int k = 0; k < b.length; k++) {
                    b[k] = (float) flat[at++];
                }
                layers.add(layer.withParameters(w, b));
            }
            return shape.withLayers(layers);
        }
    }
}

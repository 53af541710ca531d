package dev.deltaprop.spark;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.GradientExchange;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;

/**
 * What one task does in one round, on its partition's cached {@link PartitionData} and a backend of
 * its executor ({@link ExecutorBackends}), starting from the round's broadcast parameters: it
 * changes nothing but the backend it borrowed, so a retried or speculative copy of it returns the
 * same numbers, and Spark's task retry is all the fault tolerance a round needs.
 *
 * <p>{@link FitSettings.Sync#GRADIENTS}, round = step {@code s}: the forward and backward pass over
 * the partition's share of the global batch, giving the sums {@code S_p = Z^{l-1}ᵀ Δ^l} and
 * {@code Σ_b Δ^l_b} ({@link GradientExchange#gradient}), and the share's summed loss.
 *
 * <p>{@link FitSettings.Sync#AVERAGE}, round = {@code k} steps from step {@code s}: ordinary
 * optimizer steps on the partition's shares of those steps, from the broadcast parameters and
 * optimizer state; it returns both after the last step, with the summed loss and the samples.
 */
final class RoundTask implements Function<PartitionData, RoundTask.Part>, Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * One partition's answer.
     *
     * @param partition which
     * @param loss      the summed loss {@code Σ_b E_b} of its samples in the round
     * @param samples   the samples it stepped on
     * @param steps     {@code t} after the round ({@link FitSettings.Sync#AVERAGE}; else 0)
     * @param values    gradient sums, or parameters then optimizer slots
     */
    record Part(int partition, double loss, long samples, long steps, float[] values) implements Serializable {
    }

    private final FitSettings settings;
    private final GlobalBatches plan;
    private final Broadcast<float[]> start;
    private final long stepsBefore;
    private final int epoch;
    private final int firstStep;
    private final int lastStep;
    private final float rate;
    private final int taskCpus;

    /**
     * @param start       the parameters (and, for averaging, then the optimizer slots) to start from
     * @param stepsBefore {@code t} of that optimizer state
     * @param firstStep   the round's first step in the epoch
     * @param lastStep    its last (the same for {@link FitSettings.Sync#GRADIENTS})
     */
    RoundTask(FitSettings settings, GlobalBatches plan, Broadcast<float[]> start, long stepsBefore, int epoch,
              int firstStep, int lastStep, float rate, int taskCpus) {
        this.settings = settings;
        this.plan = plan;
        this.start = start;
        this.stepsBefore = stepsBefore;
        this.epoch = epoch;
        this.firstStep = firstStep;
        this.lastStep = lastStep;
        this.rate = rate;
        this.taskCpus = taskCpus;
    }

    @Override
    public Part call(PartitionData data) {
        FaultInjection.check(data.partition, epoch, firstStep);
        Backend backend = ExecutorBackends.borrow(settings.backend(), taskCpus);
        try {
            Part part = settings.sync() == FitSettings.Sync.GRADIENTS ? gradient(backend, data) : localSteps(backend, data);
            ExecutorBackends.giveBack(settings.backend(), taskCpus, backend);
            return part;
        } catch (RuntimeException | Error e) {
            backend.close(); // its state is unknown: not lent again
            throw e;
        }
    }

    private Part gradient(Backend backend, PartitionData data) {
        if (!(backend instanceof GradientExchange)) {
            throw new IllegalArgumentException("backend: expected one that exchanges gradients (cpu, opencl, cuda,"
                    + " opencl-lwjgl, cuda-lwjgl) for sync 'gradients', found " + backend.name());
        }
        GradientExchange exchange = (GradientExchange) backend;
        Network shape = ExecutorBackends.shape(settings);
        int share = plan.share(data.partition, firstStep);
        float[] sums = new float[Parameters.length(shape)];
        double loss = 0;
        if (share > 0) {
            exchange.load(Parameters.unflatten(shape, start.value(), 0), Optimizer.sgd());
            float[][] batch = data.gather(data.order(settings.seed(), epoch), plan.start(data.partition, firstStep), share);
            loss = exchange.gradient(batch[0], batch[1], 0, share);
            exchange.readGradient(sums);
        }
        return new Part(data.partition, loss, share, 0, sums);
    }

    private Part localSteps(Backend backend, PartitionData data) {
        Network shape = ExecutorBackends.shape(settings);
        Optimizer optimizer = settings.config().optimizer();
        float[] values = start.value();
        int parameters = Parameters.length(shape);
        OptimizerState layout = OptimizerState.initial(shape, optimizer.kind());
        backend.load(Parameters.unflatten(shape, values, 0), optimizer,
                Parameters.unflatten(layout, stepsBefore, values, parameters));
        int[] order = data.order(settings.seed(), epoch);
        double loss = 0;
        long samples = 0;
        for (int step = firstStep; step <= lastStep; step++) {
            int share = plan.share(data.partition, step);
            if (share > 0) {
                float[][] batch = data.gather(order, plan.start(data.partition, step), share);
                loss += (double) backend.step(batch[0], batch[1], share, rate) * share;
                samples += share;
            }
        }
        OptimizerState state = backend.optimizerState();
        float[] after = Parameters.concat(Parameters.flatten(backend.network()), Parameters.flatten(state));
        return new Part(data.partition, loss, samples, state.steps(), after);
    }
}

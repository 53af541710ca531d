package dev.deltaprop.device;

import dev.deltaprop.backend.LossReading;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Optimizer;

/**
 * A training step's device work once its batch is in {@code X} and {@code D} and the step's timer
 * started, in the order the queue runs it:
 *
 * <ol>
 * <li>{@code η}, {@code η / (1 − β₁ᵗ)} and {@code √(1 − β₂ᵗ)} of step {@code t} into
 *     {@link StepScalars} (one small upload, only when their bits change);</li>
 * <li>the step's launches: its {@link LaunchPlan} ({@link StepPlans}, recorded the first time a
 *     step of its kind comes), enqueued as it is, or replayed from a CUDA graph where the same
 *     plan ran the step before ({@link StepGraph});</li>
 * <li>the loss: read back (an eager step: the host waits for the device) or left in the
 *     device's loss record (a queued step, {@link LossRecord}).</li>
 * </ol>
 *
 * <p>In the steady state — the plans recorded, the buffers grown — a step allocates nothing on
 * the Java heap: no argument list, no boxed number, no lambda, no key.
 */
final class TrainingStep implements AutoCloseable {
    private final Kernels kernels;
    private final StepTimer timer;
    private final StepPlans plans;
    private final StepGraph graphs;
    private final LossRecord record;
    private final InputBuffers inputs;
    private int lastLaunches;

    TrainingStep(Driver driver, Kernels kernels, LayerPath layers, FusedPath fused, StepTimer timer, StepGraph graphs,
                 InputBuffers inputs) {
        this.kernels = kernels;
        this.inputs = inputs;
        this.timer = timer;
        this.graphs = graphs;
        this.plans = new StepPlans(driver, kernels, layers, fused, timer);
        this.record = new LossRecord(driver);
    }

    /** Before a load: every plan and graph holds the buffers of the net that is about to be freed. */
    void unload() {
        plans.clear();
        graphs.invalidate();
    }

    /** After a load: the fresh net's loss record starts empty. */
    void loaded(DeviceNet net) {
        record.reset(net);
        lastLaunches = 0;
    }

    /**
     * Step {@code t = net.nextStep()} of {@code optimizer} at {@code η} on the batch of
     * {@code batch} samples in {@code net}, on the fused path or not; {@code launchesBefore} are
     * the launches that put the batch in place (2 gathers, or none), counted in
     * {@link #lastLaunches}. An eager step returns its loss; a queued one ({@code lazy}) returns
     * NaN without waiting for the device.
     */
    float run(DeviceNet net, Optimizer optimizer, boolean fusedStep, int batch, float learningRate, int launchesBefore,
              boolean lazy) {
        long t = net.nextStep();
        try {
            // η and the bias corrections go to the device before the launches, outside any graph: a replay reads this step's
            kernels.stepScalars().write(learningRate, OptimizerStep.stepSize(optimizer, learningRate, t),
                    OptimizerStep.rootCorrection(optimizer, t));
            int capacity = lazy ? LossRecord.CAPACITY : 0;
            LaunchPlan plan = plans.plan(net, fusedStep, batch, capacity, optimizer, learningRate, t);
            // the plan is its own graph key: one per net, path, batch, record and input slot, compared by identity
            lastLaunches = launchesBefore + graphs.run(plan, plan, timer.enabled());
        } finally {
            inputs.stepQueued(net); // the batch's slot may be refilled once these launches have run
        }
        if (lazy) {
            timer.finish();
            record.queued(net);
            return Float.NaN;
        }
        float loss = net.readLoss();
        timer.finish();
        return loss;
    }

    /** The losses of the steps queued since the last reading, from the device's record. */
    LossReading readLoss(DeviceNet net) {
        return record.read(net);
    }

    /**
     * The launches of the last step, those that put its batch in place included; before the
     * first, a step's launches on {@code net} ({@code null}: none loaded, 0): 2 on the fused path,
     * else {@code 3L + 1}.
     */
    int launchesPerStep(DeviceNet net, boolean fusedStep) {
        if (lastLaunches > 0) {
            return lastLaunches;
        }
        return net == null ? 0 : fusedStep ? FusedPath.LAUNCHES : 3 * net.depth() + 1;
    }

    /** The step plans, for the device tests. */
    StepPlans plans() {
        return plans;
    }

    /** Drops the plans and destroys the graph; the driver may already be closed. */
    @Override
    public void close() {
        plans.clear();
        graphs.close();
    }
}

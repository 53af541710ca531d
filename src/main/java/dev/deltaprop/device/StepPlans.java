package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Optimizer;

/**
 * The launch plans of training steps ({@link LaunchPlan}): a step's launches once its batch is
 * in {@code X} and {@code D} — the layer path's {@code 3L + 1} (and split-K reduces) or the fused
 * path's 2 — depend only on the net (its buffers and the optimizer it was loaded with), the path,
 * the batch size and whether the loss goes to the loss record; what changes from step to step
 * ({@code η}, Adam's bias corrections) is read by the kernels from {@link StepScalars}. So a
 * step's plan is recorded the first time such a step comes and replayed by every step after it:
 * no argument list is built, no number boxed, nothing allocated.
 *
 * <p>A step on a host batch uploaded on the upload lane reads its batch from one of two input
 * slots, taken in turn ({@link InputBuffers}), so such a step has one plan per slot: both are
 * kept and replayed, never recorded again for the other slot's buffers.
 *
 * <p>At most {@value #KEPT} plans are kept, the least recently used dropped first: a trainer
 * needs two or four (its batch and an epoch's last, smaller one; eager and queued), each twice
 * for host batches on the lane. A plan is
 * recorded again when a buffer it holds was freed: the net's batch-sized buffers regrown for a
 * larger batch, or the split-K buffer of {@link Kernels} or the fused kernel's partial buffer
 * regrown for another plan. A load drops every plan ({@link #clear}). The plans are kept by
 * {@link KeptPlans}, as the engine's other plans are, keyed by the path and the two sizes.
 */
final class StepPlans {
    /** Plans kept at once. */
    static final int KEPT = 8;
    /** The kinds of work, for {@link KeptPlans}: a step on each path, plus twice the net's input slot. */
    private static final int LAYER_STEP = 0;
    private static final int FUSED_STEP = 1;

    private final LayerPath layers;
    private final FusedPath fused;
    private final StepTimer timer;
    private final KeptPlans kept;

    StepPlans(Driver driver, Kernels kernels, LayerPath layers, FusedPath fused, StepTimer timer) {
        this.layers = layers;
        this.fused = fused;
        this.timer = timer;
        this.kept = new KeptPlans(driver, kernels, timer, KEPT, () -> fused.kernel().partials());
    }

    /**
     * The plan of a step on {@code net}'s batch of {@code batch} (already reserved), on the
     * fused path or not, its loss recorded when {@code recordCapacity > 0}; recorded now (with
     * {@code optimizer}'s fixed numbers, those of step {@code t} at {@code η}: the kernels read
     * neither {@code η} nor {@code t} from the plan) when no valid one is kept.
     */
    LaunchPlan plan(DeviceNet net, boolean fusedStep, int batch, int recordCapacity, Optimizer optimizer,
                    float learningRate, long t) {
        int kind = (fusedStep ? FUSED_STEP : LAYER_STEP) + 2 * net.inputSlot();
        LaunchPlan plan = kept.find(net, kind, batch, recordCapacity);
        if (plan != null) {
            return plan;
        }
        OptimizerStep rule = OptimizerStep.of(optimizer, learningRate, t);
        Runnable launches = fusedStep ? () -> fused.step(net, batch, rule, timer, recordCapacity)
                : () -> layers.step(net, batch, rule, recordCapacity);
        return kept.record(net, kind, batch, recordCapacity, launches);
    }

    /** Drops every plan (a load, a close: the buffers they hold are freed). */
    void clear() {
        kept.clear();
    }

    /** Plans recorded so far (the tests see a steady run record none). */
    long recorded() {
        return kept.recorded();
    }
}

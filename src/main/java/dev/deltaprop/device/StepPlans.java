package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
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
 * <p>At most {@value #KEPT} plans are kept, the least recently used dropped first: a trainer
 * needs two or four (its batch and an epoch's last, smaller one; eager and queued). A plan is
 * recorded again when a buffer it holds was freed: the net's batch-sized buffers regrown for a
 * larger batch, or the split-K buffer of {@link Kernels} or the fused kernel's partial buffer
 * regrown for another plan. A load drops every plan ({@link #clear}).
 */
final class StepPlans {
    /** Plans kept at once. */
    static final int KEPT = 4;

    private final Driver driver;
    private final Kernels kernels;
    private final LayerPath layers;
    private final FusedPath fused;
    private final StepTimer timer;
    private final Entry[] entries = new Entry[KEPT];
    private long clock;
    private long recorded;

    /** One kept plan and what it was recorded for. */
    private static final class Entry {
        DeviceNet net;
        boolean fused;
        int batch;
        int recordCapacity;
        long batchBuffers;
        /** The shared partial buffers the plan holds ({@code null}: it holds none). */
        Memory splitPartials;
        Memory fusedPartials;
        LaunchPlan plan;
        long used;
    }

    StepPlans(Driver driver, Kernels kernels, LayerPath layers, FusedPath fused, StepTimer timer) {
        this.driver = driver;
        this.kernels = kernels;
        this.layers = layers;
        this.fused = fused;
        this.timer = timer;
        for (int k = 0; k < KEPT; k++) {
            entries[k] = new Entry();
        }
    }

    /**
     * The plan of a step on {@code net}'s batch of {@code batch} (already reserved), on the
     * fused path or not, its loss recorded when {@code recordCapacity > 0}; recorded now (with
     * {@code optimizer}'s fixed numbers, those of step {@code t} at {@code η}: the kernels read
     * neither {@code η} nor {@code t} from the plan) when no valid one is kept.
     */
    LaunchPlan plan(DeviceNet net, boolean fusedStep, int batch, int recordCapacity, Optimizer optimizer,
                    float learningRate, long t) {
        Entry oldest = entries[0];
        for (Entry entry : entries) {
            if (entry.plan != null && entry.net == net && entry.fused == fusedStep && entry.batch == batch
                    && entry.recordCapacity == recordCapacity) {
                if (valid(entry)) {
                    entry.used = ++clock;
                    return entry.plan;
                }
                oldest = entry; // stale: recorded again in its place
                break;
            }
            if (entry.used < oldest.used) {
                oldest = entry;
            }
        }
        record(oldest, net, fusedStep, batch, recordCapacity, OptimizerStep.of(optimizer, learningRate, t));
        oldest.used = ++clock;
        return oldest.plan;
    }

    /** Drops every plan (a load, a close: the buffers they hold are freed). */
    void clear() {
        for (Entry entry : entries) {
            entry.net = null;
            entry.plan = null;
            entry.splitPartials = null;
            entry.fusedPartials = null;
            entry.used = 0;
        }
    }

    /** Plans recorded so far (the tests see a steady run record none). */
    long recorded() {
        return recorded;
    }

    private boolean valid(Entry entry) {
        return entry.batchBuffers == entry.net.batchBuffers()
                && (entry.splitPartials == null || entry.splitPartials == kernels.splitPartials())
                && (entry.fusedPartials == null || entry.fusedPartials == fused.kernel().partials());
    }

    /**
     * Records the step's plan into {@code entry}. Recording may regrow a partial buffer (the
     * first split GEMM of a larger shape, the fused kernel's first step): launches recorded
     * before that would hold the freed buffer, so it records again until nothing was regrown.
     */
    private void record(Entry entry, DeviceNet net, boolean fusedStep, int batch, int recordCapacity, OptimizerStep rule) {
        Runnable launches = fusedStep ? () -> fused.step(net, batch, rule, timer, recordCapacity)
                : () -> layers.step(net, batch, rule, recordCapacity);
        LaunchPlan plan;
        Memory split;
        Memory fusedPartials;
        do {
            split = kernels.splitPartials();
            fusedPartials = fused.kernel().partials();
            plan = LaunchPlan.record(driver, kernels, timer, launches);
        } while (split != kernels.splitPartials() || fusedPartials != fused.kernel().partials());
        entry.net = net;
        entry.fused = fusedStep;
        entry.batch = batch;
        entry.recordCapacity = recordCapacity;
        entry.batchBuffers = net.batchBuffers();
        entry.splitPartials = plan.uses(split) ? split : null;
        entry.fusedPartials = plan.uses(fusedPartials) ? fusedPartials : null;
        entry.plan = plan;
        recorded++;
    }
}

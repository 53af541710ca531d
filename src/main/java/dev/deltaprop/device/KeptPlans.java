package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;

/**
 * A few {@link LaunchPlan}s kept by what they launch — a kind of work on a net and two sizes
 * (a batch, a layer, a total batch) — for the engine's work outside a training step:
 * {@link DeviceBackend#predict}'s forward pass and the launches of data-parallel training
 * ({@link DeviceExchange}). The same work on the same sizes replays its plan, so that a steady
 * caller allocates nothing on the Java heap; the least recently used plan is dropped first.
 *
 * <p>A plan is valid while the buffers it holds live: the net's batch-sized buffers
 * ({@link DeviceNet#batchBuffers}) and, where it holds it, the split-K buffer of {@link Kernels}.
 * A stale plan is recorded again in its place. Whoever frees the rest of what a plan holds (a
 * load frees the net) drops every plan ({@link #clear}).
 *
 * <p>Looking up and recording are two calls, {@link #find} then {@link #record}, so that the
 * code to record (a lambda that captures the sizes) is made only when a plan is recorded.
 */
final class KeptPlans {
    private final Driver driver;
    private final Kernels kernels;
    private final StepTimer timer;
    private final Entry[] entries;
    private long clock;
    private long recorded;

    /** One kept plan and what it was recorded for. */
    private static final class Entry {
        DeviceNet net;
        int kind;
        int first;
        int second;
        long batchBuffers;
        /** The split-K buffer the plan holds ({@code null}: it holds none). */
        Memory splitPartials;
        LaunchPlan plan;
        long used;
    }

    /** Keeps at most {@code capacity} plans. */
    KeptPlans(Driver driver, Kernels kernels, StepTimer timer, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: expected at least 1, found " + capacity);
        }
        this.driver = driver;
        this.kernels = kernels;
        this.timer = timer;
        this.entries = new Entry[capacity];
        for (int k = 0; k < capacity; k++) {
            entries[k] = new Entry();
        }
    }

    /** The valid plan kept for work {@code kind} on {@code net} with sizes {@code first}, {@code second}, or {@code null}. */
    LaunchPlan find(DeviceNet net, int kind, int first, int second) {
        for (Entry entry : entries) {
            if (entry.plan != null && matches(entry, net, kind, first, second)) {
                if (!valid(entry)) {
                    return null;
                }
                entry.used = ++clock;
                return entry.plan;
            }
        }
        return null;
    }

    /**
     * Records what {@code launches} would enqueue as the plan of work {@code kind} on {@code net}
     * with sizes {@code first}, {@code second}, in the place of a stale one or of the least
     * recently used. Recording may regrow the split-K buffer (the first split GEMM of a larger
     * shape): launches recorded before that would hold the freed buffer, so it records again
     * until nothing was regrown.
     */
    LaunchPlan record(DeviceNet net, int kind, int first, int second, Runnable launches) {
        Entry place = entries[0];
        for (Entry entry : entries) {
            if (entry.plan != null && matches(entry, net, kind, first, second)) {
                place = entry;
                break;
            }
            if (entry.used < place.used) {
                place = entry;
            }
        }
        LaunchPlan plan;
        Memory split;
        do {
            split = kernels.splitPartials();
            plan = LaunchPlan.record(driver, kernels, timer, launches);
        } while (split != kernels.splitPartials());
        place.net = net;
        place.kind = kind;
        place.first = first;
        place.second = second;
        place.batchBuffers = net.batchBuffers();
        place.splitPartials = plan.uses(split) ? split : null;
        place.plan = plan;
        place.used = ++clock;
        recorded++;
        return plan;
    }

    /** Drops every plan (a load, a close: the buffers they hold are freed). */
    void clear() {
        for (Entry entry : entries) {
            entry.net = null;
            entry.plan = null;
            entry.splitPartials = null;
            entry.used = 0;
        }
    }

    /** Plans recorded so far (the tests see a steady caller record none). */
    long recorded() {
        return recorded;
    }

    private static boolean matches(Entry entry, DeviceNet net, int kind, int first, int second) {
        return entry.net == net && entry.kind == kind && entry.first == first && entry.second == second;
    }

    private boolean valid(Entry entry) {
        return entry.batchBuffers == entry.net.batchBuffers()
                && (entry.splitPartials == null || entry.splitPartials == kernels.splitPartials());
    }
}

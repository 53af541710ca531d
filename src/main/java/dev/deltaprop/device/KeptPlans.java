package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import java.util.function.Supplier;

/**
 * A few {@link LaunchPlan}s kept by what they launch — a kind of work on a net and two sizes
 * (a batch, a layer, a total batch): training steps ({@link StepPlans}), {@link Prediction}'s
 * forward pass and the launches of data-parallel training ({@link DeviceExchange}). The same work on the same sizes replays its plan, so that a steady
 * caller allocates nothing on the Java heap; the least recently used plan is dropped first.
 *
 * <p>A plan is valid while the buffers it holds live: the net's batch-sized buffers
 * ({@link DeviceNet#batchBuffers}) and, where it holds them, the split-K buffer of {@link Kernels}
 * and the other regrowable buffer its owner names (the fused kernel's partials, for steps).
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
    /** The other buffer that launches may regrow, now ({@code null} from it: none). */
    private final Supplier<Memory> otherPartials;
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
        /** The other regrowable buffer it holds ({@code null}: none). */
        Memory otherPartials;
        LaunchPlan plan;
        long used;
    }

    /** Keeps at most {@code capacity} plans. */
    KeptPlans(Driver driver, Kernels kernels, StepTimer timer, int capacity) {
        this(driver, kernels, timer, capacity, () -> null);
    }

    /**
     * Keeps at most {@code capacity} plans, which may also hold the buffer that
     * {@code otherPartials} gives at the time (made once: the lookups allocate nothing).
     */
    KeptPlans(Driver driver, Kernels kernels, StepTimer timer, int capacity, Supplier<Memory> otherPartials) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: expected at least 1, found " + capacity);
        }
        this.driver = driver;
        this.kernels = kernels;
        this.timer = timer;
        this.otherPartials = otherPartials;
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
        Memory other;
        do {
            split = kernels.splitPartials();
            other = otherPartials.get();
            plan = LaunchPlan.record(driver, kernels, timer, launches);
        } while (split != kernels.splitPartials() || other != otherPartials.get());
        place.net = net;
        place.kind = kind;
        place.first = first;
        place.second = second;
        place.batchBuffers = net.batchBuffers();
        place.splitPartials = plan.uses(split) ? split : null;
        place.otherPartials = other != null && plan.uses(other) ? other : null;
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
            entry.otherPartials = null;
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
                && (entry.splitPartials == null || entry.splitPartials == kernels.splitPartials())
                && (entry.otherPartials == null || entry.otherPartials == otherPartials.get());
    }
}

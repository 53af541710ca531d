package dev.deltaprop.spark;

import java.util.concurrent.atomic.AtomicReference;

/**
 * For tests in local mode only (one JVM, so a static reaches the tasks): makes one training task
 * throw once, at a chosen partition, epoch and step, to show that Spark's retry of the barrier
 * stage gives the model of an undisturbed run. Disarmed when it fires and by default.
 */
final class FaultInjection {
    /** {@code partition:epoch:step} of the one failure to come, or null. */
    private static final AtomicReference<String> ARMED = new AtomicReference<>();

    private FaultInjection() {
    }

    static void failOnce(int partition, int epoch, int step) {
        ARMED.set(partition + ":" + epoch + ":" + step);
    }

    static void disarm() {
        ARMED.set(null);
    }

    static boolean armed() {
        return ARMED.get() != null;
    }

    static void check(int partition, int epoch, int step) {
        String here = partition + ":" + epoch + ":" + step;
        if (here.equals(ARMED.get()) && ARMED.compareAndSet(here, null)) {
            throw new IllegalStateException("injected failure (FaultInjection) in partition " + partition + ", epoch "
                    + epoch + ", step " + step);
        }
    }
}

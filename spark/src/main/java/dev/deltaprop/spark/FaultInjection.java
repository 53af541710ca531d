package dev.deltaprop.spark;

import org.apache.spark.TaskContext;

import java.util.concurrent.atomic.AtomicReference;

/**
 * For tests in local mode only (one JVM, so a static reaches the tasks): makes the first attempt
 * of one task throw once, at a chosen partition, epoch and round, to show that Spark's retry of
 * that task gives the model of an undisturbed run ({@link #failOnce}), or every attempt until
 * disarmed, to make the whole fit fail there ({@link #failAlways}). Disarmed by default.
 */
final class FaultInjection {
    /** {@code partition:epoch:round} of the one failure to come, or null. */
    private static final AtomicReference<String> ARMED = new AtomicReference<>();

    private FaultInjection() {
    }

    private static volatile boolean always;

    static void failOnce(int partition, int epoch, int round) {
        always = false;
        ARMED.set(partition + ":" + epoch + ":" + round);
    }

    static void failAlways(int partition, int epoch, int round) {
        always = true;
        ARMED.set(partition + ":" + epoch + ":" + round);
    }

    static void disarm() {
        always = false;
        ARMED.set(null);
    }

    static boolean armed() {
        return ARMED.get() != null;
    }

    static void check(int partition, int epoch, int round) {
        String armed = ARMED.get();
        if (always && armed != null && armed.equals(partition + ":" + epoch + ":" + round)) {
            throw new IllegalStateException("injected failure (FaultInjection) in partition " + partition + ", epoch "
                    + epoch + ", round " + round + ", every attempt");
        }
        TaskContext task = TaskContext.get();
        // compareAndSet compares references: the armed string itself, not an equal one
        if (armed != null && task != null && task.attemptNumber() == 0 && armed.equals(partition + ":" + epoch + ":" + round)
                && ARMED.compareAndSet(armed, null)) {
            throw new IllegalStateException("injected failure (FaultInjection) in partition " + partition + ", epoch "
                    + epoch + ", round " + round + ", attempt 0");
        }
    }
}

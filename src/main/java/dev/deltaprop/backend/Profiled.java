package dev.deltaprop.backend;

import java.util.Map;

/**
 * A backend that can say where a training step's time goes, per kernel family. {@code bench}
 * uses it to report GFLOP/s of each family; a backend that is not {@code Profiled} reports only
 * whole steps.
 *
 * <p>Families are named as in {@code kernels/}: {@code forward}, {@code delta_output},
 * {@code delta_hidden}, {@code update} (and {@code gather} where a data set lives on the device).
 */
public interface Profiled {

    /**
     * Turns per-family timing on or off. When on, steps may be slower (a device backend may time
     * with events between families); benchmarks time whole steps with it off.
     */
    void profiling(boolean enabled);

    /** Nanoseconds spent in each family during the last step taken with profiling on. */
    Map<String, Long> lastStepNanos();

    /** Kernel launches (or, for the CPU, parallel phases) per training step. */
    int launchesPerStep();
}

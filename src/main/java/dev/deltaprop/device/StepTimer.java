package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-family device time of one step, from {@link Driver#mark()}s placed between the families
 * (each family's launches are consecutive in a step, so one mark after each suffices). When
 * profiling is off it places no marks and costs nothing. While a {@link LaunchPlan.Recorder} is
 * set ({@link #recordInto}), {@link #family} goes to it: a plan keeps its marks in their places.
 */
final class StepTimer {
    private final Driver driver;
    private boolean enabled;
    private Driver.TimingMark last;
    private final List<String> families = new ArrayList<>();
    private final List<Driver.TimingMark[]> spans = new ArrayList<>();
    private Map<String, Long> lastStep = Map.of();
    private LaunchPlan.Recorder recorder;

    StepTimer(Driver driver) {
        this.driver = driver;
    }

    void enabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Whether steps place marks (a step that does cannot be captured into a graph). */
    boolean enabled() {
        return enabled;
    }

    /** Starts a step: the next {@link #family} is timed from here. */
    void start() {
        families.clear();
        spans.clear();
        last = enabled ? driver.mark() : null;
    }

    /** Sends the family marks from now on to {@code recorder} ({@code null}: placed again). */
    void recordInto(LaunchPlan.Recorder recorder) {
        this.recorder = recorder;
    }

    /** The launches since the previous mark were {@code family}'s. */
    void family(String family) {
        if (recorder != null) {
            recorder.family(family);
            return;
        }
        if (!enabled) {
            return;
        }
        Driver.TimingMark end = driver.mark();
        families.add(family);
        spans.add(new Driver.TimingMark[] {last, end});
        last = end;
    }

    /** Ends the step: reads the marks (this waits for the device) and keeps the totals. */
    void finish() {
        if (!enabled) {
            return;
        }
        Map<String, Long> nanos = new LinkedHashMap<>();
        for (int k = 0; k < families.size(); k++) {
            Driver.TimingMark[] span = spans.get(k);
            nanos.merge(families.get(k), driver.elapsedNanos(span[0], span[1]), Long::sum);
        }
        lastStep = java.util.Collections.unmodifiableMap(nanos);
        families.clear();
        spans.clear();
        last = null;
    }

    Map<String, Long> lastStep() {
        return lastStep;
    }
}

package dev.deltaprop.cpu;

/**
 * Where a step's time goes between its parallel phases, for measurement only: for each
 * {@link Workers#run} of one step, when it began, when the calling thread finished its own part,
 * and when the last part finished (the barrier). {@code end − callerDone} is the time the caller
 * waits at the barrier for the slowest worker (imbalance or a descheduled thread); the gap from one
 * phase's end to the next one's start is the serial work between them (the loss sum, the
 * optimizer constants, the call itself). Preallocated for {@link #CAPACITY} phases; recording
 * allocates nothing, and a step with more phases keeps its first {@code CAPACITY}.
 */
final class PhaseClock {
    /** More than {@code 3L} phases for any network a benchmark runs. */
    static final int CAPACITY = 64;

    private final String[] labels = new String[CAPACITY];
    private final long[] start = new long[CAPACITY];
    private final long[] callerDone = new long[CAPACITY];
    private final long[] end = new long[CAPACITY];
    private int phases;
    private long stepStart;

    /** Forgets the last step; {@code nanoTime} is the step's start. */
    void begin(long nanoTime) {
        phases = 0;
        stepStart = nanoTime;
    }

    /** Records one phase (called by {@link Workers#run} with what the phase was). */
    void record(String label, long startNanos, long callerDoneNanos, long endNanos) {
        if (phases < CAPACITY) {
            labels[phases] = label;
            start[phases] = startNanos;
            callerDone[phases] = callerDoneNanos;
            end[phases] = endNanos;
        }
        phases++;
    }

    int phases() {
        return Math.min(phases, CAPACITY);
    }

    String label(int phase) {
        return labels[phase];
    }

    /** The phase's wall time, start to barrier. */
    long wallNanos(int phase) {
        return end[phase] - start[phase];
    }

    /** How long the calling thread waited at the phase's barrier after its own part. */
    long barrierNanos(int phase) {
        return end[phase] - callerDone[phase];
    }

    /** The serial time before the phase: since the previous phase's barrier (or the step's start). */
    long gapNanos(int phase) {
        return start[phase] - (phase == 0 ? stepStart : end[phase - 1]);
    }
}

package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;

/**
 * The optimizer's per-step numbers in device memory: {@code η}, {@code stepSize = η / (1 − β₁ᵗ)}
 * and {@code rootCorrection = √(1 − β₂ᵗ)} ({@link OptimizerStep}), at {@code STEP_ETA},
 * {@code STEP_SIZE} and {@code STEP_ROOT} of {@code kernels/optimizer.h}. Every kernel that steps
 * parameters reads them here instead of taking them as arguments, so that a step captured as a
 * CUDA graph ({@link StepGraph}) and replayed reads the numbers of the step it runs: the host
 * writes them with one small upload in the queue before the step's launches, outside the graph.
 *
 * <p>A write happens only when the numbers differ from the last ones written (bit for bit), so
 * {@link #use} inside a step's launches, after the engine's {@link #write} of the same step,
 * enqueues nothing (a capture records no copy). The queue is in order, so an upload waits for
 * the launches before it that read the previous numbers.
 */
final class StepScalars {
    /** Floats in the buffer ({@code STEP_SCALARS}). */
    static final int LENGTH = 3;

    private final Driver driver;
    private final Memory buffer;
    private final float[] written = new float[LENGTH];
    private final float[] next = new float[LENGTH];
    private boolean any;

    StepScalars(Driver driver) {
        this.driver = driver;
        this.buffer = driver.allocate(LENGTH);
    }

    /** Puts {@code step}'s numbers in the buffer unless they are there already. */
    void write(OptimizerStep step) {
        write(step.learningRate, step.stepSize, step.rootCorrection);
    }

    /**
     * Puts {@code η}, {@code η / (1 − β₁ᵗ)} and {@code √(1 − β₂ᵗ)} ({@link OptimizerStep#stepSize},
     * {@link OptimizerStep#rootCorrection}) in the buffer unless they are there already: what the
     * engine does before each step, allocating nothing.
     */
    void write(float learningRate, float stepSize, float rootCorrection) {
        next[0] = learningRate;
        next[1] = stepSize;
        next[2] = rootCorrection;
        if (any && same()) {
            return;
        }
        driver.write(buffer, 0, next, 0, LENGTH);
        System.arraycopy(next, 0, written, 0, LENGTH);
        any = true;
    }

    /** The buffer holding {@code step}'s numbers ({@link #write} first where needed); {@code null}: a launch that reads none. */
    Memory use(OptimizerStep step) {
        if (step != null) {
            write(step);
        }
        return buffer;
    }

    private boolean same() {
        for (int k = 0; k < LENGTH; k++) {
            if (Float.floatToRawIntBits(next[k]) != Float.floatToRawIntBits(written[k])) {
                return false;
            }
        }
        return true;
    }
}

package dev.deltaprop.backend;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * Training steps that do not wait for their loss. {@link Backend#step} returns each batch's loss,
 * which on a device means the host waits at the end of every step for the device to finish it;
 * {@link #queueStep} takes the same step (the same launches, the same numbers) and keeps its loss
 * where it was computed — on a device, appended to a record in device memory with a non-finite
 * flag — until {@link #readLoss()} fetches the losses of every step queued since the previous
 * reading at once. So a device runs step after step while the host prepares the next.
 *
 * <p>Every built-in backend is a {@code LazyLoss} ({@link GuardedBackend}); on those that compute
 * on the host the step runs at once and its loss is kept on the host. {@link #of(Backend)} gives any
 * other backend the same calls over its eager {@code step}. Each {@link LossReading#loss(int)} is
 * bit for bit what {@code step} would have returned for that step. Arguments are checked before
 * any work, as for {@code step}. Losses of eager steps are returned, not kept; a {@code load}
 * starts the record over.
 */
public interface LazyLoss {

    /** As {@link Backend#step(float[], float[], int, float)}, its loss kept for {@link #readLoss()}. */
    void queueStep(float[] x, float[] d, int batch, float learningRate);

    /** As {@link Backend#step(FloatBuffer, FloatBuffer, int, float)}, its loss kept for {@link #readLoss()}. */
    void queueStep(FloatBuffer x, FloatBuffer d, int batch, float learningRate);

    /** As {@link Backend#step(Dataset, int, int, float)}, its loss kept for {@link #readLoss()}. */
    void queueStep(Dataset data, int offset, int batch, float learningRate);

    /**
     * The losses of the steps queued since the previous reading (or the load), and starts over. On
     * a device this waits for those steps to finish: it is the one host round trip of a run of
     * queued steps.
     */
    LossReading readLoss();

    /**
     * Whether {@link #readLoss()} waits for a device, the losses being kept there: {@code true} on
     * a device backend, {@code false} where a step computes on the host and a reading costs nothing
     * (so a caller may read after every step, as the {@code Trainer} then does).
     */
    boolean readingWaits();

    /**
     * {@code backend} itself when it is a {@code LazyLoss} (every built-in backend), else a view
     * whose {@code queueStep} takes the eager {@code step} and keeps its loss on the host.
     */
    static LazyLoss of(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (backend instanceof LazyLoss) {
            return (LazyLoss) backend;
        }
        LossTally tally = new LossTally();
        return new LazyLoss() {
            @Override
            public void queueStep(float[] x, float[] d, int batch, float learningRate) {
                tally.add(backend.step(x, d, batch, learningRate));
            }

            @Override
            public void queueStep(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
                tally.add(backend.step(x, d, batch, learningRate));
            }

            @Override
            public void queueStep(Dataset data, int offset, int batch, float learningRate) {
                tally.add(backend.step(data, offset, batch, learningRate));
            }

            @Override
            public LossReading readLoss() {
                return tally.read();
            }

            @Override
            public boolean readingWaits() {
                return false;
            }
        };
    }
}

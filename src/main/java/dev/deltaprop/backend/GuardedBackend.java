package dev.deltaprop.backend;

import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.nio.FloatBuffer;

/**
 * A {@link Backend} whose every call that touches its state runs inside a {@link OneThread}
 * guard, in this one place: each such public method here is final, enters the guard, calls the
 * protected {@code …Inside} method that does the work, and leaves the guard however that ends.
 * A backend extends this (or {@link GuardedExchange}) and implements the {@code …Inside} methods;
 * a second thread calling while another is inside gets the {@link IllegalStateException} of
 * {@link OneThread}, naming the backend (by the name given here) and both threads, before anything
 * is touched.
 *
 * <p>Guarded: {@code load}, {@code optimizerState}, {@code network}, every {@code step} and
 * {@code queueStep}, {@code readLoss}, {@code predict}, {@code upload} and {@code close}. Not guarded, because they only read what
 * {@code load} set: {@code name}, {@code device}, {@code optimizer}, {@code widths}. A guarded call
 * that calls another on the same thread (a default method calling an overload) passes the guard.
 *
 * <p>The {@link LazyLoss} calls default to a backend that computes on the host: a queued step is
 * the eager step, its loss kept in a host {@link LossTally}; a device backend overrides them to keep
 * the losses in device memory.
 */
public abstract class GuardedBackend implements Backend, LazyLoss {
    private final OneThread guard;
    /** The losses of queued steps, for a backend that computes them on the host (the default {@code queueStepInside}). */
    private final LossTally tally = new LossTally();

    /** @param name what the guard's message calls this backend, e.g. {@code opencl} */
    protected GuardedBackend(String name) {
        this.guard = new OneThread(name);
    }

    /** Enters the guard: {@code true} if this call entered; pass it to {@link #leave}. */
    protected final boolean enter() {
        return guard.enter();
    }

    /** Leaves the guard that {@link #enter()} returned {@code entered} for. */
    protected final void leave(boolean entered) {
        guard.exit(entered);
    }

    @Override
    public final void load(Network network, Optimizer optimizer, OptimizerState state) {
        boolean entered = enter();
        try {
            loadInside(network, optimizer, state);
            tally.clear(); // the record starts over with the parameters
        } finally {
            leave(entered);
        }
    }

    @Override
    public final OptimizerState optimizerState() {
        boolean entered = enter();
        try {
            return optimizerStateInside();
        } finally {
            leave(entered);
        }
    }

    @Override
    public final Network network() {
        boolean entered = enter();
        try {
            return networkInside();
        } finally {
            leave(entered);
        }
    }

    @Override
    public final float step(float[] x, float[] d, int batch, float learningRate) {
        boolean entered = enter();
        try {
            return stepInside(x, d, batch, learningRate);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final float step(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        boolean entered = enter();
        try {
            return stepInside(x, d, batch, learningRate);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final float step(Dataset data, int offset, int batch, float learningRate) {
        boolean entered = enter();
        try {
            return stepInside(data, offset, batch, learningRate);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void queueStep(float[] x, float[] d, int batch, float learningRate) {
        boolean entered = enter();
        try {
            queueStepInside(x, d, batch, learningRate);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void queueStep(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        boolean entered = enter();
        try {
            queueStepInside(x, d, batch, learningRate);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void queueStep(Dataset data, int offset, int batch, float learningRate) {
        boolean entered = enter();
        try {
            queueStepInside(data, offset, batch, learningRate);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final LossReading readLoss() {
        boolean entered = enter();
        try {
            return readLossInside();
        } finally {
            leave(entered);
        }
    }

    @Override
    public final float[] predict(float[] x, int batch) {
        boolean entered = enter();
        try {
            return predictInside(x, batch);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final Dataset upload(float[] x, float[] d, int samples) {
        boolean entered = enter();
        try {
            return uploadInside(x, d, samples);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void close() {
        boolean entered = enter();
        try {
            closeInside();
        } finally {
            leave(entered);
        }
    }

    /** The work of {@link #load(Network, Optimizer, OptimizerState)}, inside the guard. */
    protected abstract void loadInside(Network network, Optimizer optimizer, OptimizerState state);

    /** The work of {@link #optimizerState()}, inside the guard. */
    protected abstract OptimizerState optimizerStateInside();

    /** The work of {@link #network()}, inside the guard. */
    protected abstract Network networkInside();

    /** The work of {@link #step(float[], float[], int, float)}, inside the guard. */
    protected abstract float stepInside(float[] x, float[] d, int batch, float learningRate);

    /** The work of {@link #step(FloatBuffer, FloatBuffer, int, float)}, inside the guard. */
    protected abstract float stepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate);

    /**
     * The work of {@link #step(Dataset, int, int, float)}, inside the guard; by default
     * {@link Backend}'s: the batch of a {@link HostDataset} gathered on the host and stepped.
     */
    protected float stepInside(Dataset data, int offset, int batch, float learningRate) {
        return Backend.super.step(data, offset, batch, learningRate);
    }

    /** The work of {@link #queueStep(float[], float[], int, float)}, inside the guard; by default the eager step, its loss kept on the host. */
    protected void queueStepInside(float[] x, float[] d, int batch, float learningRate) {
        tally.add(stepInside(x, d, batch, learningRate));
    }

    /** The work of {@link #queueStep(FloatBuffer, FloatBuffer, int, float)}, inside the guard; by default the eager step, its loss kept on the host. */
    protected void queueStepInside(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        tally.add(stepInside(x, d, batch, learningRate));
    }

    /**
     * The work of {@link #queueStep(Dataset, int, int, float)}, inside the guard; by default the
     * batch of a {@link HostDataset} gathered on the host and queued as arrays.
     */
    protected void queueStepInside(Dataset data, int offset, int batch, float learningRate) {
        HostDataset host = HostDataset.of(data, name());
        queueStepInside(host.gatherInputs(offset, batch), host.gatherTeachers(offset, batch), batch, learningRate);
    }

    /** {@code false} by default: a backend that computes on the host has its losses there. */
    @Override
    public boolean readingWaits() {
        return false;
    }

    /** The work of {@link #readLoss()}, inside the guard; by default the host tally's reading. */
    protected LossReading readLossInside() {
        return tally.read();
    }

    /** The work of {@link #predict(float[], int)}, inside the guard. */
    protected abstract float[] predictInside(float[] x, int batch);

    /** The work of {@link #upload(float[], float[], int)}, inside the guard; by default {@link Backend}'s: a {@link HostDataset}. */
    protected Dataset uploadInside(float[] x, float[] d, int samples) {
        return Backend.super.upload(x, d, samples);
    }

    /** The work of {@link #close()}, inside the guard; must be idempotent. */
    protected abstract void closeInside();
}

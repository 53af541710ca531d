package dev.deltaprop.backend;

/**
 * A {@link GuardedBackend} that also offers the {@link GradientExchange} of data-parallel
 * training, with its calls (whole and layer by layer) guarded the same way: each public method
 * is final and runs its protected {@code …Inside} method inside the guard.
 */
public abstract class GuardedExchange extends GuardedBackend implements GradientExchange {

    /** @param name what the guard's message calls this backend, e.g. {@code cpu} */
    protected GuardedExchange(String name) {
        super(name);
    }

    @Override
    public final double gradient(float[] x, float[] d, int offset, int batch) {
        boolean entered = enter();
        try {
            return gradientInside(x, d, offset, batch);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final int gradientLength() {
        boolean entered = enter();
        try {
            return gradientLengthInside();
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void readGradient(float[] target) {
        boolean entered = enter();
        try {
            readGradientInside(target);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void writeGradient(float[] source) {
        boolean entered = enter();
        try {
            writeGradientInside(source);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void apply(float learningRate, int totalBatch) {
        boolean entered = enter();
        try {
            applyInside(learningRate, totalBatch);
        } finally {
            leave(entered);
        }
    }

    /** The work of {@link #gradient(float[], float[], int, int)}, inside the guard. */
    protected abstract double gradientInside(float[] x, float[] d, int offset, int batch);

    /** The work of {@link #gradientLength()}, inside the guard. */
    protected abstract int gradientLengthInside();

    /** The work of {@link #readGradient(float[])}, inside the guard. */
    protected abstract void readGradientInside(float[] target);

    /** The work of {@link #writeGradient(float[])}, inside the guard. */
    protected abstract void writeGradientInside(float[] source);

    /** The work of {@link #apply(float, int)}, inside the guard. */
    protected abstract void applyInside(float learningRate, int totalBatch);

    @Override
    public final void beginGradient(float[] x, float[] d, int offset, int batch) {
        boolean entered = enter();
        try {
            beginGradientInside(x, d, offset, batch);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void layerGradient(int layer) {
        boolean entered = enter();
        try {
            layerGradientInside(layer);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final double gradientLoss() {
        boolean entered = enter();
        try {
            return gradientLossInside();
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void readGradient(int layer, float[] target, int targetOffset) {
        boolean entered = enter();
        try {
            readGradientInside(layer, target, targetOffset);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void writeGradient(int layer, float[] source, int sourceOffset) {
        boolean entered = enter();
        try {
            writeGradientInside(layer, source, sourceOffset);
        } finally {
            leave(entered);
        }
    }

    @Override
    public final void apply(int layer, float learningRate, int totalBatch) {
        boolean entered = enter();
        try {
            applyInside(layer, learningRate, totalBatch);
        } finally {
            leave(entered);
        }
    }

    /** The work of {@link #beginGradient(float[], float[], int, int)}, inside the guard. */
    protected abstract void beginGradientInside(float[] x, float[] d, int offset, int batch);

    /** The work of {@link #layerGradient(int)}, inside the guard. */
    protected abstract void layerGradientInside(int layer);

    /** The work of {@link #gradientLoss()}, inside the guard. */
    protected abstract double gradientLossInside();

    /** The work of {@link #readGradient(int, float[], int)}, inside the guard. */
    protected abstract void readGradientInside(int layer, float[] target, int targetOffset);

    /** The work of {@link #writeGradient(int, float[], int)}, inside the guard. */
    protected abstract void writeGradientInside(int layer, float[] source, int sourceOffset);

    /** The work of {@link #apply(int, float, int)}, inside the guard. */
    protected abstract void applyInside(int layer, float learningRate, int totalBatch);
}

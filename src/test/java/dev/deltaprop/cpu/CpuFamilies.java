package dev.deltaprop.cpu;

import dev.deltaprop.device.Families;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;

/**
 * {@link Families} on the cpu backend: the package-private {@link Passes} with the thread count
 * and micro-kernel that {@code Backends.open("cpu")} would use, on the caller's arrays.
 */
public final class CpuFamilies implements Families {
    private final Passes passes;

    private CpuFamilies(Passes passes) {
        this.passes = passes;
    }

    /** The families as the cpu backend runs them by default; the caller closes it. */
    public static Families open() {
        return new CpuFamilies(new Passes(CpuBackend.defaultThreads(), MicroKernels.chosen()));
    }

    @Override
    public synchronized void forward(float[] zPrev, float[] w, float[] bias, float[] u, float[] z, int batch, int nIn,
                                     int nOut, Activation f) {
        passes.forward(w, bias, nIn, nOut, f, zPrev, batch, u, z);
    }

    /** {@link Passes#deltaOutput} returns the summed loss; the family's contract is the mean. */
    @Override
    public synchronized double deltaOutput(float[] y, float[] d, float[] u, float[] delta, int batch, int n,
                                           Activation f) {
        return passes.deltaOutput(y, d, u, f, batch, n, delta) / batch;
    }

    @Override
    public synchronized void deltaHidden(float[] deltaNext, float[] wNext, float[] u, float[] z, float[] delta,
                                         int batch, int n, int nNext, Activation f) {
        passes.deltaHidden(wNext, n, nNext, deltaNext, u, z, f, batch, delta);
    }

    @Override
    public synchronized void update(float[] zPrev, float[] delta, float[] w, float[] bias, int batch, int nIn, int nOut,
                                    float learningRate) {
        passes.update(w, bias, zPrev, delta, batch, nIn, nOut, learningRate);
    }

    /** The cpu has the output δ of both cross-entropy pairings and every optimizer in the update. */
    @Override
    public boolean hasLearningFamilies() {
        return true;
    }

    /** {@link Passes#deltaOutput(Loss, float[], float[], float[], Activation, int, int, float[])}, as a mean. */
    @Override
    public synchronized double deltaOutput(float[] y, float[] d, float[] u, float[] delta, int batch, int n, Activation f,
                                           Loss e) {
        return passes.deltaOutput(e, y, d, u, f, batch, n, delta) / batch;
    }

    /** Step {@code t} of {@code optimizer} in the update's epilogue. */
    @Override
    public synchronized void update(float[] zPrev, float[] delta, float[] w, float[] bias, float[][] wState,
                                    float[][] biasState, int batch, int nIn, int nOut, float learningRate,
                                    Optimizer optimizer, long t) {
        OptimizerStep rule = new OptimizerStep();
        rule.set(optimizer, t, learningRate, batch);
        passes.update(w, bias, zPrev, delta, batch, nIn, nOut, rule, slot(wState, 0), slot(wState, 1),
                slot(biasState, 0), slot(biasState, 1));
    }

    private static float[] slot(float[][] slots, int slot) {
        return slots != null && slot < slots.length ? slots[slot] : null;
    }

    @Override
    public boolean hasGather() {
        return false;
    }

    @Override
    public void gather(float[] data, int[] order, float[] out, int offset, int batch, int width) {
        throw new UnsupportedOperationException("cpu has no gather family: a data set stays on the host (Backend.upload)");
    }

    @Override
    public void close() {
        passes.close();
    }
}

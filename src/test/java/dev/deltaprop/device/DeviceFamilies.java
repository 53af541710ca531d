package dev.deltaprop.device;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Families} on a device-engine backend: each call uploads its arrays (outputs too, so
 * their NaN poison reaches the device), launches one family through the package-private
 * {@link Kernels}, reads the outputs back and frees every buffer.
 */
final class DeviceFamilies implements Families {
    private final DeviceBackend device;
    private final Driver driver;
    private final List<Memory> held = new ArrayList<>();

    /** The tile classes of this backend's program, for tests that run each. */
    TileProfile tiles() {
        return device.kernels().tiles();
    }

    DeviceFamilies(DeviceBackend device) {
        this.device = device;
        this.driver = device.driver();
    }

    private Memory upload(float[] values) {
        Memory memory = driver.allocate(values.length);
        held.add(memory);
        driver.write(memory, 0, values, 0, values.length);
        return memory;
    }

    private void download(Memory memory, float[] target) {
        driver.read(memory, 0, target, 0, target.length);
    }

    private void freeAll() {
        held.forEach(driver::free);
        held.clear();
    }

    @Override
    public void forward(float[] zPrev, float[] w, float[] bias, float[] u, float[] z, int batch, int nIn, int nOut,
                        Activation f) {
        forward(zPrev, w, bias, u, z, batch, nIn, nOut, f, device.kernels().plan(batch, nOut, nIn));
    }

    /** As {@link #forward(float[], float[], float[], float[], float[], int, int, int, Activation)} launched by {@code plan}. */
    synchronized void forward(float[] zPrev, float[] w, float[] bias, float[] u, float[] z, int batch, int nIn,
                              int nOut, Activation f, GemmPlan plan) {
        try {
            Memory uDevice = upload(u);
            Memory zDevice = upload(z);
            device.kernels().forward(upload(zPrev), upload(w), upload(bias), uDevice, zDevice, batch, nIn, nOut, f, plan);
            download(uDevice, u);
            download(zDevice, z);
        } finally {
            freeAll();
        }
    }

    @Override
    public double deltaOutput(float[] y, float[] d, float[] u, float[] delta, int batch, int n, Activation f) {
        return deltaOutput(y, d, u, delta, batch, n, f, Loss.SQUARED_ERROR);
    }

    @Override
    public boolean hasLearningFamilies() {
        return true;
    }

    /** With a softmax {@code f}, {@code y} is an output too: its (poisoned) values go up and the kernel's come back. */
    @Override
    public synchronized double deltaOutput(float[] y, float[] d, float[] u, float[] delta, int batch, int n,
                                           Activation f, Loss e) {
        try {
            Memory deltaDevice = upload(delta);
            Memory yDevice = upload(y);
            Memory partials = upload(Compare.poisoned(Kernels.MAX_PARTIALS));
            Memory lossDevice = upload(Compare.poisoned(1));
            device.kernels().deltaOutput(yDevice, upload(d), upload(u), deltaDevice, partials, lossDevice, batch, n, f, e);
            download(deltaDevice, delta);
            download(yDevice, y);
            float[] loss = new float[1];
            download(lossDevice, loss);
            return loss[0];
        } finally {
            freeAll();
        }
    }

    @Override
    public void deltaHidden(float[] deltaNext, float[] wNext, float[] u, float[] z, float[] delta, int batch, int n,
                            int nNext, Activation f) {
        deltaHidden(deltaNext, wNext, u, z, delta, batch, n, nNext, f, device.kernels().plan(batch, n, nNext));
    }

    /** As {@link #deltaHidden(float[], float[], float[], float[], float[], int, int, int, Activation)} launched by {@code plan}. */
    synchronized void deltaHidden(float[] deltaNext, float[] wNext, float[] u, float[] z, float[] delta, int batch,
                                  int n, int nNext, Activation f, GemmPlan plan) {
        try {
            Memory deltaDevice = upload(delta);
            device.kernels().deltaHidden(upload(deltaNext), upload(wNext), upload(u), upload(z), deltaDevice, batch, n,
                    nNext, f, plan);
            download(deltaDevice, delta);
        } finally {
            freeAll();
        }
    }

    @Override
    public void update(float[] zPrev, float[] delta, float[] w, float[] bias, int batch, int nIn, int nOut,
                       float learningRate) {
        update(zPrev, delta, w, bias, new float[0][], new float[0][], batch, nIn, nOut, learningRate, Optimizer.sgd(), 1);
    }

    /** The slots a rule lacks get a one-float buffer of NaN: a kernel that touched one would spread it. */
    @Override
    public void update(float[] zPrev, float[] delta, float[] w, float[] bias, float[][] wState, float[][] biasState,
                       int batch, int nIn, int nOut, float learningRate, Optimizer optimizer, long t) {
        update(zPrev, delta, w, bias, wState, biasState, batch, nIn, nOut, learningRate, optimizer, t,
                updatePlan(batch, nIn, nOut), false);
    }

    /** The plan the engine gives a layer's update. */
    GemmPlan updatePlan(int batch, int nIn, int nOut) {
        return device.kernels().updatePlan(batch, nIn, nOut);
    }

    /**
     * As the update above, launched by {@code plan}; {@code bySums}: as data-parallel training
     * steps instead, the gradient sums by {@code plan} into a poisoned buffer, then the step from them.
     */
    synchronized void update(float[] zPrev, float[] delta, float[] w, float[] bias, float[][] wState,
                             float[][] biasState, int batch, int nIn, int nOut, float learningRate, Optimizer optimizer,
                             long t, GemmPlan plan, boolean bySums) {
        try {
            Memory wDevice = upload(w);
            Memory biasDevice = upload(bias);
            Memory[] wStateDevice = new Memory[2];
            Memory[] biasStateDevice = new Memory[2];
            for (int slot = 0; slot < 2; slot++) {
                wStateDevice[slot] = upload(slot < wState.length ? wState[slot] : Compare.poisoned(1));
                biasStateDevice[slot] = upload(slot < biasState.length ? biasState[slot] : Compare.poisoned(1));
            }
            OptimizerStep step = OptimizerStep.of(optimizer, learningRate, t);
            if (!bySums) {
                device.kernels().update(upload(zPrev), upload(delta), wDevice, biasDevice, wStateDevice, biasStateDevice,
                        batch, nIn, nOut, step, plan);
            } else {
                Memory sums = upload(Compare.poisoned((nIn + 1) * nOut));
                device.kernels().gradientSums(upload(zPrev), upload(delta), sums, batch, nIn, nOut, plan);
                device.kernels().applyStep(wDevice, biasDevice, sums, wStateDevice, biasStateDevice, nIn, nOut, batch,
                        step);
            }
            download(wDevice, w);
            download(biasDevice, bias);
            for (int slot = 0; slot < wState.length; slot++) {
                download(wStateDevice[slot], wState[slot]);
                download(biasStateDevice[slot], biasState[slot]);
            }
        } finally {
            freeAll();
        }
    }

    /**
     * {@code sums} ({@code (nIn + 1) × nOut}, poisoned by the caller) ← {@code Z_prevᵀ Δ} and the
     * bias row {@code Σ_b Δ_b}, unscaled, launched by {@code plan}: data-parallel training's half.
     */
    synchronized void gradientSums(float[] zPrev, float[] delta, float[] sums, int batch, int nIn, int nOut,
                                   GemmPlan plan) {
        try {
            Memory sumsDevice = upload(sums);
            device.kernels().gradientSums(upload(zPrev), upload(delta), sumsDevice, batch, nIn, nOut, plan);
            download(sumsDevice, sums);
        } finally {
            freeAll();
        }
    }

    @Override
    public boolean hasGather() {
        return true;
    }

    @Override
    public synchronized void gather(float[] data, int[] order, float[] out, int offset, int batch, int width) {
        try {
            Memory dataDevice = upload(data);
            Memory orderDevice = driver.allocate(order.length);
            held.add(orderDevice);
            driver.write(orderDevice, 0, order, 0, order.length);
            Memory outDevice = upload(out);
            device.kernels().gather(dataDevice, orderDevice, outDevice, offset, batch, width);
            download(outDevice, out);
        } finally {
            freeAll();
        }
    }

    /** The backend is shared and closed by {@link DeviceBackends} at exit. */
    @Override
    public void close() {
    }
}

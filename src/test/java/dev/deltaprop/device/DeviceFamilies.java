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
    public synchronized void forward(float[] zPrev, float[] w, float[] bias, float[] u, float[] z, int batch, int nIn,
                                     int nOut, Activation f) {
        try {
            Memory uDevice = upload(u);
            Memory zDevice = upload(z);
            device.kernels().forward(upload(zPrev), upload(w), upload(bias), uDevice, zDevice, batch, nIn, nOut, f);
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
    public synchronized void deltaHidden(float[] deltaNext, float[] wNext, float[] u, float[] z, float[] delta,
                                         int batch, int n, int nNext, Activation f) {
        try {
            Memory deltaDevice = upload(delta);
            device.kernels().deltaHidden(upload(deltaNext), upload(wNext), upload(u), upload(z), deltaDevice, batch, n,
                    nNext, f);
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
    public synchronized void update(float[] zPrev, float[] delta, float[] w, float[] bias, float[][] wState,
                                    float[][] biasState, int batch, int nIn, int nOut, float learningRate,
                                    Optimizer optimizer, long t) {
        try {
            Memory wDevice = upload(w);
            Memory biasDevice = upload(bias);
            Memory[] wStateDevice = new Memory[2];
            Memory[] biasStateDevice = new Memory[2];
            for (int slot = 0; slot < 2; slot++) {
                wStateDevice[slot] = upload(slot < wState.length ? wState[slot] : Compare.poisoned(1));
                biasStateDevice[slot] = upload(slot < biasState.length ? biasState[slot] : Compare.poisoned(1));
            }
            device.kernels().update(upload(zPrev), upload(delta), wDevice, biasDevice, wStateDevice, biasStateDevice,
                    batch, nIn, nOut, OptimizerStep.of(optimizer, learningRate, t));
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

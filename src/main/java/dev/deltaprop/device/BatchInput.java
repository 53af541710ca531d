package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.device.driver.Driver;
import java.nio.FloatBuffer;

/**
 * Puts a batch of {@code B} samples into the net's {@code X = Z^0} ({@code B × n_0}) and
 * {@code D} ({@code B × n_L}): from host arrays or buffers by upload, or from a data set in device
 * memory by two gather launches (no host work but the launches). The {@code checked} methods
 * check a step's arguments first (before any device work), reserve the net for {@code B} and start
 * the step's timer; the others trust their caller to have done so.
 */
final class BatchInput {
    private final Driver driver;
    private final Kernels kernels;
    private final StepTimer timer;

    BatchInput(Driver driver, Kernels kernels, StepTimer timer) {
        this.driver = driver;
        this.kernels = kernels;
        this.timer = timer;
    }

    /** Checks a host batch and {@code η}, uploads the batch into {@code X} and {@code D} and starts the step's timer. */
    DeviceNet checked(DeviceNet net, float[] x, float[] d, int batch, float learningRate) {
        Checks.batch(x, d, batch, net.width(0), net.width(net.depth()));
        Checks.learningRate(learningRate);
        net.reserve(batch);
        write(net, x, d, 0, batch);
        timer.start();
        return net;
    }

    /** As {@link #checked(DeviceNet, float[], float[], int, float)} from the buffers' positions. */
    DeviceNet checked(DeviceNet net, FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        Checks.batch(x, d, batch, net.width(0), net.width(net.depth()));
        Checks.learningRate(learningRate);
        net.reserve(batch);
        write(net, x, d, batch);
        timer.start();
        return net;
    }

    /** Checks a batch of a device data set and {@code η}, starts the step's timer and gathers the batch. */
    DeviceNet checked(DeviceNet net, DeviceDataset data, int offset, int batch, float learningRate) {
        Checks.range(offset, batch, data.samples());
        Checks.learningRate(learningRate);
        data.requireOpen();
        data.requireWidths(net.width(0), net.width(net.depth()));
        net.reserve(batch);
        timer.start();
        gather(net, data, offset, batch);
        return net;
    }

    /** Uploads samples {@code offset .. offset+batch} of {@code x} and {@code d}. */
    void write(DeviceNet net, float[] x, float[] d, int offset, int batch) {
        int inputs = net.width(0);
        int outputs = net.width(net.depth());
        driver.write(net.z(0), 0, x, offset * inputs, batch * inputs);
        driver.write(net.teacher(), 0, d, offset * outputs, batch * outputs);
    }

    /** Uploads {@code batch} samples from the buffers' positions (not moved). */
    void write(DeviceNet net, FloatBuffer x, FloatBuffer d, int batch) {
        driver.write(net.z(0), 0, x, batch * net.width(0));
        driver.write(net.teacher(), 0, d, batch * net.width(net.depth()));
    }

    /**
     * Gathers samples {@code order[offset .. offset+batch)} of {@code data} (its last
     * {@link DeviceDataset#order}) on the device: two launches, timed as the family {@code gather}.
     */
    void gather(DeviceNet net, DeviceDataset data, int offset, int batch) {
        kernels.gather(data.inputs(), data.orderBuffer(), net.z(0), offset, batch, net.width(0));
        kernels.gather(data.teachers(), data.orderBuffer(), net.teacher(), offset, batch, net.width(net.depth()));
        timer.family("gather");
    }
}

package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import java.nio.FloatBuffer;

/**
 * Puts a batch of {@code B} samples into the net's {@code X = Z^0} ({@code B × n_0}) and
 * {@code D} ({@code B × n_L}): from host arrays or buffers by upload, or from a data set in device
 * memory by two gather launches (no host work but the launches). The caller has checked the
 * arguments and reserved the net for {@code B}.
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

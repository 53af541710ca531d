package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Optimizer;

/**
 * The device side of {@link dev.deltaprop.backend.GradientExchange}, what data-parallel training
 * asks of each replica: a backward pass whose gradient sums {@code S_W^l = Z^{l-1}ᵀ Δ^l},
 * {@code S_b^l = Σ_b Δ^l_b} stay on the device ({@link DeviceGradients}), their copy to and from
 * the host, and the optimizer step from them with {@code g = S / B}. The sums' buffers and
 * kernels are made on the first use after a load, so a backend that never trains data-parallel
 * never builds them.
 */
final class DeviceExchange implements AutoCloseable {
    private final Driver driver;
    private final Kernels kernels;
    private final LayerPath layers;
    private final BatchInput input;
    private final StepTimer timer;
    private GradientKernels gradientKernels;
    private DeviceGradients gradients;

    DeviceExchange(Driver driver, Kernels kernels, LayerPath layers, BatchInput input, StepTimer timer) {
        this.driver = driver;
        this.kernels = kernels;
        this.layers = layers;
        this.input = input;
        this.timer = timer;
    }

    /**
     * Forward and backward over samples {@code offset .. offset+batch} of {@code x} and {@code d},
     * then the sums: the layer path's launches without its updates, plus one per layer.
     *
     * @return {@code Σ_b E_b}, read back (this waits for the device)
     */
    double gradient(DeviceNet net, float[] x, float[] d, int offset, int batch) {
        Checks.batchSize(batch);
        int n0 = net.width(0);
        int nL = net.width(net.depth());
        if (offset < 0 || (long) (offset + batch) * n0 > x.length || (long) (offset + batch) * nL > d.length) {
            throw new IllegalArgumentException("offset: expected 0 ≤ offset with offset + batch ≤ the samples in x and d,"
                    + " found offset " + offset + ", batch " + batch);
        }
        DeviceGradients sums = sums(net);
        net.reserve(batch);
        input.write(net, x, d, offset, batch);
        timer.start();
        layers.backward(net, batch);
        sums.compute(batch);
        timer.family("gradient");
        float loss = net.readLoss();
        timer.finish();
        return (double) loss * batch;
    }

    /** {@code Σ_l (n_{l-1} + 1) · n_l}. */
    int length(DeviceNet net) {
        return sums(net).length();
    }

    /** Copies the sums to {@code target}, flat, layer by layer. */
    void read(DeviceNet net, float[] target) {
        DeviceGradients sums = sums(net);
        Checks.gradient("target", target, sums.length());
        sums.read(target);
    }

    /** Replaces the sums with {@code source}, flat, layer by layer. */
    void write(DeviceNet net, float[] source) {
        DeviceGradients sums = sums(net);
        Checks.gradient("source", source, sums.length());
        sums.write(source);
    }

    /** The optimizer step with {@code g = S / totalBatch} from the sums held now; {@code t} advances. */
    void apply(DeviceNet net, Optimizer optimizer, float learningRate, int totalBatch) {
        DeviceGradients sums = sums(net);
        Checks.learningRate(learningRate);
        Checks.batchSize(totalBatch);
        sums.apply(optimizer, learningRate, totalBatch);
    }

    private DeviceGradients sums(DeviceNet net) {
        if (gradients == null) {
            if (gradientKernels == null) {
                gradientKernels = new GradientKernels(driver, kernels);
            }
            gradients = new DeviceGradients(driver, gradientKernels, net);
        }
        return gradients;
    }

    /** Frees the sums of the network loaded until now (a load calls it; the next use makes new ones). */
    @Override
    public void close() {
        if (gradients != null) {
            gradients.close();
            gradients = null;
        }
    }
}

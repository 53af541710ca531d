package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import dev.deltaprop.model.Optimizer;

/**
 * The device half of {@link dev.deltaprop.backend.GradientExchange} for one loaded network: a
 * buffer of {@code (n_{l-1} + 1) × n_l} gradient sums per layer ({@code S_W^l} then the bias row
 * {@code S_b^l}, so the host's flat gradient is these buffers end to end), filled by
 * the update GEMM with a store for its epilogue after a backward pass, moved to and from the
 * host, and stepped by {@code update_reduce} ({@link GradientKernels}). Allocated on the first use after a load; {@link #close} frees them.
 */
final class DeviceGradients implements AutoCloseable {
    private final Driver driver;
    private final GradientKernels kernels;
    private final DeviceNet net;
    private final Memory[] sums;
    private final int length;

    DeviceGradients(Driver driver, GradientKernels kernels, DeviceNet net) {
        this.driver = driver;
        this.kernels = kernels;
        this.net = net;
        int depth = net.depth();
        int total = 0;
        for (int l = 1; l <= depth; l++) {
            total += (net.width(l - 1) + 1) * net.width(l);
        }
        this.length = total;
        this.sums = new Memory[depth + 1];
        try {
            for (int l = 1; l <= depth; l++) {
                sums[l] = driver.allocate((long) (net.width(l - 1) + 1) * net.width(l));
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    int length() {
        return length;
    }

    /** The sums of every layer from what the backward pass of {@code batch} samples left in {@code Z} and {@code Δ}. */
    void compute(int batch) {
        for (int l = 1; l <= net.depth(); l++) {
            kernels.sums(net.z(l - 1), net.delta(l), sums[l], batch, net.width(l - 1), net.width(l));
        }
    }

    void read(float[] target) {
        int at = 0;
        for (int l = 1; l <= net.depth(); l++) {
            int count = (net.width(l - 1) + 1) * net.width(l);
            driver.read(sums[l], 0, target, at, count);
            at += count;
        }
    }

    void write(float[] source) {
        int at = 0;
        for (int l = 1; l <= net.depth(); l++) {
            int count = (net.width(l - 1) + 1) * net.width(l);
            driver.write(sums[l], 0, source, at, count);
            at += count;
        }
    }

    /** Step {@code t} (counted on the net) of {@code optimizer} from the sums held now, with {@code g = S / totalBatch}. */
    void apply(Optimizer optimizer, float learningRate, int totalBatch) {
        OptimizerStep rule = OptimizerStep.of(optimizer, learningRate, net.nextStep());
        for (int l = 1; l <= net.depth(); l++) {
            kernels.apply(net.weights(l), net.bias(l), sums[l], net.weightsState(l), net.biasState(l), net.width(l - 1),
                    net.width(l), totalBatch, rule);
        }
    }

    @Override
    public void close() {
        for (int l = 0; l < sums.length; l++) {
            if (sums[l] != null) {
                driver.free(sums[l]);
                sums[l] = null;
            }
        }
    }
}

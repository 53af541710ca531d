package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Network;
import java.util.Objects;

/**
 * Whether the loaded network trains through the fused small-MLP kernel ({@link FusedMlp}: one
 * launch for forward and backward over chunks of the batch, one for the reduce and the optimizer
 * step), and that step. The choice is made at each load from the mode ({@code -D}{@value
 * FusedMlp#PROPERTY}, or the tests' {@link #mode(FusedMlp.Mode)}), the device's type and whether
 * the network fits ({@link FusedMlp#refusal}); the loss, optimizer and read-outs are those of the
 * layer path.
 */
final class FusedPath implements AutoCloseable {
    /** Launches per fused step: {@code fused_gradients}, then {@code fused_update}. */
    static final int LAUNCHES = 2;

    private final Driver driver;
    private final FusedMlp kernel;
    private FusedMlp.Mode mode;
    private boolean on;

    /** Builds the fused kernels on {@code driver}'s device; {@code mode} is the one read before (a bad property fails first). */
    FusedPath(Driver driver, Kernels kernels, FusedMlp.Mode mode) {
        this.driver = driver;
        this.mode = mode;
        this.kernel = new FusedMlp(driver, kernels);
    }

    /** The mode for the next {@link #choose}. */
    void mode(FusedMlp.Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** Decides for {@code network}, which is being loaded. */
    void choose(Network network) {
        on = FusedMlp.chosen(mode, driver.deviceType()) && FusedMlp.refusal(network, driver.maxGroupSize()) == null;
    }

    /** Whether the loaded network takes the fused step. */
    boolean on() {
        return on;
    }

    /** What the backend's {@code device()} says of it, for the loaded network {@code net} ({@code null}: none yet). */
    String description(DeviceNet net) {
        if (!FusedMlp.chosen(mode, driver.deviceType())) {
            return "fused small-MLP kernel off (" + FusedMlp.PROPERTY + "=" + (mode == FusedMlp.Mode.OFF ? "false"
                    : "auto: GPU devices only") + ")";
        }
        if (net == null) {
            return "fused small-MLP kernel for widths ≤ " + FusedMlp.WIDTH;
        }
        return on ? "fused small-MLP kernel: " + LAUNCHES + " launches per step"
                : "layer-by-layer kernels (not fused: " + FusedMlp.refusal(net.shape(), driver.maxGroupSize()) + ")";
    }

    /**
     * The fused step on the batch in {@code X} and {@code D}, as {@link LayerPath#step}: the
     * parameters take {@code rule}, the net's loss buffer holds the batch-mean loss (recorded when
     * {@code recordCapacity > 0}, {@link LossRecord}): {@value #LAUNCHES} launches.
     */
    void step(DeviceNet net, int batch, OptimizerStep rule, StepTimer timer, int recordCapacity) {
        kernel.step(net, batch, rule, timer, recordCapacity);
    }

    /** The kernel, for the device tests. */
    FusedMlp kernel() {
        return kernel;
    }

    @Override
    public void close() {
        kernel.close();
    }
}

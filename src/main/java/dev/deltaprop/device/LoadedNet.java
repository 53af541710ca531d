package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.util.Objects;

/**
 * The network loaded on one device with its optimizer, and the backend's open or closed state.
 * A load checks the network, the optimizer and a given state before any device memory is
 * allocated — the parameters and the optimizer's slots against the device's global memory —
 * then frees the previous {@link DeviceNet} and drops everything that holds its buffers (the
 * exchange's sums, the step plans and graphs, the predict plans) before the new one is made.
 * Closing frees the same and then closes the driver, which the backend owns.
 */
final class LoadedNet {
    private final String name;
    private final Driver driver;
    private final FusedPath fused;
    private final TrainingStep steps;
    private final DeviceExchange exchange;
    private final Prediction prediction;
    private DeviceNet net;
    private Optimizer optimizer;
    private boolean closed;

    LoadedNet(String name, Driver driver, FusedPath fused, TrainingStep steps, DeviceExchange exchange,
              Prediction prediction) {
        this.name = name;
        this.driver = driver;
        this.fused = fused;
        this.steps = steps;
        this.exchange = exchange;
        this.prediction = prediction;
    }

    /**
     * Puts the parameters and the optimizer's state into device memory: {@code state == null}
     * starts fresh ({@code t = 0}, every slot zero); a given state is checked against the
     * network and the optimizer before anything is allocated, and a refused load leaves the
     * previous network loaded.
     */
    void load(Network network, Optimizer optimizer, OptimizerState state) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(optimizer, "optimizer");
        if (state != null) {
            state.requireFits(network, optimizer);
        }
        open();
        // the parameters and the optimizer's state, against the device's memory, before any is allocated
        long bytes = MemoryEstimate.bytes(network.parameterCount(), (1 + optimizer.kind().slots()) * Float.BYTES);
        if (bytes > driver.globalMemoryBytes()) {
            throw new IllegalArgumentException(name + ": the network " + network.shape() + " (its parameters and "
                    + optimizer.kind() + " state) needs about " + MemoryEstimate.describe(bytes) + " of device memory,"
                    + " more than the device's " + MemoryEstimate.describe(driver.globalMemoryBytes()));
        }
        exchange.close();
        steps.unload();
        prediction.clear();
        if (net != null) {
            net.close();
            net = null;
        }
        net = new DeviceNet(driver, network, optimizer.kind(), state);
        steps.loaded(net);
        this.optimizer = optimizer;
        fused.choose(network);
    }

    /** The loaded network's device memory; refused when closed or before a load. */
    DeviceNet net() {
        open();
        if (net == null) {
            throw new IllegalStateException(name + ": no network loaded; call load(network) first");
        }
        return net;
    }

    /** The loaded network's device memory, or {@code null} before a load (no check: for descriptions). */
    DeviceNet current() {
        return net;
    }

    /** The optimizer of the last load; refused as {@link #net()}. */
    Optimizer optimizer() {
        net();
        return optimizer;
    }

    /** Refuses any work once closed. */
    void open() {
        if (closed) {
            throw new IllegalStateException(name + ": the backend is closed");
        }
    }

    /** Frees the net and what holds its buffers, then the fused kernel, then closes the driver; once. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            exchange.close();
            steps.close();
            prediction.clear();
            if (net != null) {
                net.close();
                net = null;
            }
            fused.close();
        } finally {
            driver.close();
        }
    }
}

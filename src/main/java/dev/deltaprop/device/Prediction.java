package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.device.driver.Driver;

/**
 * {@link DeviceBackend#predict}: {@code x} into {@code Z^0}, the forward pass
 * {@code Z^l = f_l(Z^{l-1} W^l + b^l)} for {@code l = 1..L} (a softmax output adds one row pass),
 * and {@code Z^L} read back. The forward pass's launches are a {@link LaunchPlan} recorded once
 * per batch size and replayed ({@link KeptPlans}, the {@value #KEPT} most recent sizes kept), so
 * that a caller predicting steady batch sizes allocates only the result.
 */
final class Prediction {
    /**
     * Batch sizes whose plans are kept, as {@link StepPlans#KEPT}: a caller cycling through a few
     * sizes (a batch, an epoch's last, an evaluation set's) replays each; a plan is a few launches
     * and holds only buffers the net keeps anyway, so four cost little.
     */
    static final int KEPT = 4;
    /** The one kind of work {@link #plans} keeps. */
    private static final int FORWARD = 0;

    private final Driver driver;
    private final LayerPath layers;
    private final StepTimer timer;
    private final KeptPlans plans;

    Prediction(Driver driver, Kernels kernels, LayerPath layers, StepTimer timer) {
        this.driver = driver;
        this.layers = layers;
        this.timer = timer;
        this.plans = new KeptPlans(driver, kernels, timer, KEPT);
    }

    /** {@code Z^L} for the {@code batch} rows of {@code x}, checked against {@code net}'s input width first. */
    float[] predict(DeviceNet net, float[] x, int batch) {
        Checks.inputs(x, batch, net.width(0));
        net.reserve(batch);
        driver.write(net.z(0), 0, x, 0, x.length);
        timer.start();
        LaunchPlan plan = plans.find(net, FORWARD, batch, 0);
        if (plan == null) {
            plan = plans.record(net, FORWARD, batch, 0, () -> layers.outputs(net, batch));
        }
        plan.run();
        float[] y = new float[batch * net.width(net.depth())];
        driver.read(net.z(net.depth()), 0, y, 0, y.length);
        timer.finish();
        return y;
    }

    /** Drops every plan (a load, a close: the buffers they hold are freed). */
    void clear() {
        plans.clear();
    }

    /** The kept plans, for the device tests. */
    KeptPlans plans() {
        return plans;
    }
}

package dev.deltaprop.device;

import dev.deltaprop.backend.Checks;
import dev.deltaprop.device.driver.Driver;
import java.nio.FloatBuffer;

/**
 * Puts a batch of {@code B} samples into the net's {@code X = Z^0} ({@code B × n_0}) and
 * {@code D} ({@code B × n_L}): from host arrays or buffers by upload (a step's on the upload
 * lane, {@link InputBuffers}), or from a data set in device memory by two gather launches (no
 * host work but the launches). The {@code checked} methods
 * check a step's arguments first (before any device work), reserve the net for {@code B} and start
 * the step's timer; the others trust their caller to have done so.
 *
 * <p>The two gathers of a batch are a {@link LaunchPlan} recorded once per (data set, net
 * buffers, batch size) — the two most recent kept, for an epoch's batch and its last, smaller
 * one — whose one changing argument, the row offset, is replaced in place each step. The offset
 * is boxed once per multiple of the batch size (the offsets an epoch steps through) and kept, and
 * the last other offset is kept too (an epoch's last batch, smaller, comes at the same offset each
 * epoch), so that gathering a batch allocates nothing from the second epoch on (for the first
 * {@value #MAX_BOXED_OFFSETS} batches of an epoch); any other offset is boxed at its step.
 */
final class BatchInput {
    private final Driver driver;
    private final Kernels kernels;
    private final StepTimer timer;
    private final InputBuffers buffers;
    /** The most offsets kept boxed per gather plan (256 KiB of references): an epoch of more batches boxes the rest at their steps. */
    private static final int MAX_BOXED_OFFSETS = 1 << 16;
    private final Gathers[] gathers = {new Gathers(), new Gathers()};
    private long clock;

    /** A gather plan and what it was recorded for. */
    private static final class Gathers {
        DeviceDataset data;
        DeviceNet net;
        long batchBuffers;
        int batch;
        LaunchPlan plan;
        /** {@code offsets[k]} is the boxed offset {@code k · batch}, or {@code null} until used. */
        Integer[] offsets;
        /** The last offset that is no multiple of the batch, boxed, or {@code null}. */
        Integer other;
        long used;

        boolean matches(DeviceDataset data, DeviceNet net, int batch) {
            return plan != null && this.data == data && this.net == net && this.batch == batch
                    && batchBuffers == net.batchBuffers();
        }

        Integer offset(int offset) {
            if (offset % batch != 0) {
                if (other == null || other != offset) {
                    other = offset;
                }
                return other;
            }
            int k = offset / batch;
            if (k >= offsets.length) {
                return offset; // past the kept boxes: an epoch of more than MAX_BOXED_OFFSETS batches
            }
            Integer boxed = offsets[k];
            if (boxed == null) {
                boxed = offset;
                offsets[k] = boxed;
            }
            return boxed;
        }
    }

    BatchInput(Driver driver, Kernels kernels, StepTimer timer) {
        this.driver = driver;
        this.kernels = kernels;
        this.timer = timer;
        this.buffers = new InputBuffers(driver);
    }

    /** Where host batches of steps go: the upload lane's input slots, or slot 0 on the queue. */
    InputBuffers buffers() {
        return buffers;
    }

    /** Checks a host batch and {@code η}, uploads the batch into {@code X} and {@code D} and starts the step's timer. */
    DeviceNet checked(DeviceNet net, float[] x, float[] d, int batch, float learningRate) {
        Checks.batch(x, d, batch, net.width(0), net.width(net.depth()));
        Checks.learningRate(learningRate);
        net.reserve(batch);
        buffers.upload(net, x, d, batch);
        timer.start();
        return net;
    }

    /** As {@link #checked(DeviceNet, float[], float[], int, float)} from the buffers' positions. */
    DeviceNet checked(DeviceNet net, FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
        Checks.batch(x, d, batch, net.width(0), net.width(net.depth()));
        Checks.learningRate(learningRate);
        net.reserve(batch);
        buffers.upload(net, x, d, batch);
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

    /**
     * Gathers samples {@code order[offset .. offset+batch)} of {@code data} (its last
     * {@link DeviceDataset#order}) on the device: two launches, timed as the family {@code gather}.
     */
    void gather(DeviceNet net, DeviceDataset data, int offset, int batch) {
        Gathers gathers = gathers(net, data, batch);
        Integer boxed = gathers.offset(offset);
        gathers.plan.argument(0, Kernels.GATHER_OFFSET, boxed);
        gathers.plan.argument(1, Kernels.GATHER_OFFSET, boxed);
        gathers.plan.run();
    }

    /** The gather plan for {@code batch} rows of {@code data} into {@code net}: a kept one, or recorded now. */
    private Gathers gathers(DeviceNet net, DeviceDataset data, int batch) {
        Gathers oldest = gathers[0];
        for (Gathers kept : gathers) {
            if (kept.matches(data, net, batch)) {
                kept.used = ++clock;
                return kept;
            }
            if (kept.used < oldest.used) {
                oldest = kept;
            }
        }
        oldest.plan = LaunchPlan.record(driver, kernels, timer, () -> {
            kernels.gather(data.inputs(), data.orderBuffer(), net.z(0), 0, batch, net.width(0));
            kernels.gather(data.teachers(), data.orderBuffer(), net.teacher(), 0, batch, net.width(net.depth()));
            timer.family("gather");
        });
        oldest.data = data;
        oldest.net = net;
        oldest.batch = batch;
        oldest.batchBuffers = net.batchBuffers();
        oldest.offsets = new Integer[Math.min(MAX_BOXED_OFFSETS, data.samples() / batch + 1)];
        oldest.other = null;
        oldest.used = ++clock;
        return oldest;
    }
}

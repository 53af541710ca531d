package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * Host batches uploaded on the driver's upload lane ({@link Driver#upload}), so that step
 * {@code n + 1}'s copy runs while step {@code n}'s kernels still run, instead of waiting behind
 * them on the one queue. Two pairs of {@code X} and {@code D} take turns (input slots 1 and 2 of
 * {@link DeviceNet}): step {@code n} reads one while step {@code n + 1}'s batch goes into the
 * other. Two fences per slot order the lane with the queue:
 *
 * <ul>
 * <li>{@code uploaded[s]}: signalled on the lane after slot {@code s}'s two copies; the queue
 *     awaits it before the step's first kernel, so no kernel reads a batch not yet copied;</li>
 * <li>{@code read[s]}: signalled on the queue after the step's last kernel that reads slot
 *     {@code s} ({@link #stepQueued}); the next copy into slot {@code s} waits for it on the lane,
 *     so no copy overwrites a batch that a queued kernel still reads.</li>
 * </ul>
 *
 * <p>Only a step's own launches read slots 1 and 2: every other path (a device data set's
 * gathers, the data-parallel exchange, {@code predict}) uses slot 0 with writes on the queue, so
 * the fences cover every reader. A slot is selected from its upload until the step's launches are
 * enqueued, and the step's plan is recorded per slot ({@link StepPlans}), so both plans replay.
 *
 * <p>{@code -D}{@value #PROPERTY}{@code =false} turns this off (for measurement): host batches are
 * then written on the queue into slot 0, as before. A driver without a lane
 * ({@link Driver#overlapsUploads()} false) is always so.
 */
final class InputBuffers {
    /** The system property that turns the overlap off ({@code false}) or on ({@code true}, the default). */
    static final String PROPERTY = "deltaprop.overlap";

    private final Driver driver;
    private final boolean on;
    private final Driver.Fence[] uploaded = new Driver.Fence[3];
    private final Driver.Fence[] read = new Driver.Fence[3];
    /** The slot the next host batch goes into: 1 or 2. */
    private int next = 1;

    /** @throws IllegalArgumentException for a {@value #PROPERTY} that is neither {@code true} nor {@code false} */
    InputBuffers(Driver driver) {
        this.driver = driver;
        this.on = requested() && driver.overlapsUploads();
        if (on) {
            for (int slot = 1; slot <= 2; slot++) {
                uploaded[slot] = driver.fence();
                read[slot] = driver.fence();
            }
        }
    }

    /** Whether {@value #PROPERTY} asks for the overlap (unset: yes). */
    static boolean requested() {
        String value = System.getProperty(PROPERTY, "true").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(PROPERTY + ": expected true or false, found '" + value + "'");
        };
    }

    /** Whether host batches go on the upload lane. */
    boolean on() {
        return on;
    }

    /** Puts samples {@code 0 .. batch} of {@code x} and {@code d} into {@code net}'s next input slot (or slot 0, when off). */
    void upload(DeviceNet net, float[] x, float[] d, int batch) {
        int inputs = batch * net.width(0);
        int outputs = batch * net.width(net.depth());
        if (!on) {
            driver.write(net.z(0), 0, x, 0, inputs);
            driver.write(net.teacher(), 0, d, 0, outputs);
            return;
        }
        int slot = select(net);
        try {
            driver.upload(net.z(0), 0, x, 0, inputs, read[slot], null);
            driver.upload(net.teacher(), 0, d, 0, outputs, null, uploaded[slot]);
            driver.await(uploaded[slot]);
        } catch (RuntimeException | Error e) {
            net.selectInputs(0);
            throw e;
        }
    }

    /** As {@link #upload(DeviceNet, float[], float[], int)} from the buffers' positions (not moved). */
    void upload(DeviceNet net, FloatBuffer x, FloatBuffer d, int batch) {
        int inputs = batch * net.width(0);
        int outputs = batch * net.width(net.depth());
        if (!on) {
            driver.write(net.z(0), 0, x, inputs);
            driver.write(net.teacher(), 0, d, outputs);
            return;
        }
        int slot = select(net);
        try {
            driver.upload(net.z(0), 0, x, inputs, read[slot], null);
            driver.upload(net.teacher(), 0, d, outputs, null, uploaded[slot]);
            driver.await(uploaded[slot]);
        } catch (RuntimeException | Error e) {
            net.selectInputs(0);
            throw e;
        }
    }

    /**
     * The step's launches are enqueued: where they read a lane slot, signals that its readers
     * are queued and selects slot 0 again. Allocates nothing.
     */
    void stepQueued(DeviceNet net) {
        int slot = net.inputSlot();
        if (slot != 0) {
            net.selectInputs(0);
            driver.signal(read[slot]);
        }
    }

    /** What {@code device()} says of host batches. */
    String description() {
        if (on) {
            return "host batches on the upload lane (" + PROPERTY + "=true)";
        }
        return "host batches on the queue (" + (driver.overlapsUploads() ? PROPERTY + "=false" : "no upload lane") + ")";
    }

    private int select(DeviceNet net) {
        int slot = next;
        next = 3 - next;
        net.selectInputs(slot);
        return slot;
    }
}

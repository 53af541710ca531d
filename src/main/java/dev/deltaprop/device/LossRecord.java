package dev.deltaprop.device;

import dev.deltaprop.backend.LossReading;
import dev.deltaprop.backend.LossTally;
import dev.deltaprop.device.driver.Driver;

/**
 * The host side of the loss record in device memory ({@code kernels/loss_record.h}): the net's
 * loss buffer holds {@code loss[0]} (the last step's loss), the count {@code k} of steps recorded
 * since the last drain, {@code 1 +} the index of the first non-finite one (0: none), then the
 * {@value #CAPACITY} recorded losses. A queued step passes {@link #CAPACITY} to the kernel that
 * writes the loss and enqueues nothing more; the host counts the steps it queued and drains the
 * record — one read of {@code 3 + k} floats, which waits for the device, and one write zeroing
 * the header — when asked for a reading or when the record is full (once per {@value #CAPACITY}
 * queued steps at most).
 */
final class LossRecord {
    /** Steps a record holds between two drains: 4 KiB of device memory. */
    static final int CAPACITY = 1024;
    /** The loss buffer's length in floats: {@code loss[0]}, the count, the flag, the record. */
    static final int LENGTH = 3 + CAPACITY;
    private static final float[] ZEROS = new float[3];

    private final Driver driver;
    private final LossTally tally = new LossTally();
    private final float[] read = new float[LENGTH];
    /** The steps queued with recording since the last drain, as the host counted them. */
    private int queued;

    LossRecord(Driver driver) {
        this.driver = driver;
    }

    /** Starts over on a freshly loaded net: zeroes its header (new device memory holds anything). */
    void reset(DeviceNet net) {
        driver.write(net.loss(), 0, ZEROS, 0, ZEROS.length);
        queued = 0;
        tally.clear();
    }

    /** A step that records its loss was just enqueued on {@code net}; drains a full record. */
    void queued(DeviceNet net) {
        if (++queued == CAPACITY) {
            drain(net);
        }
    }

    /** The losses of every step queued since the last reading, and starts over; waits for the device. */
    LossReading read(DeviceNet net) {
        drain(net);
        return tally.read();
    }

    private void drain(DeviceNet net) {
        if (queued == 0) {
            return;
        }
        driver.read(net.loss(), 0, read, 0, 3 + queued);
        int recorded = (int) read[1];
        if (recorded != queued) {
            throw new IllegalStateException("loss record: the device recorded " + recorded + " steps where "
                    + queued + " were queued");
        }
        tally.add(read, 3, recorded, (int) read[2] - 1);
        driver.write(net.loss(), 1, ZEROS, 0, 2);
        queued = 0;
    }
}

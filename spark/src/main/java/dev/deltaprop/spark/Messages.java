package dev.deltaprop.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * What the tasks tell each other through {@code BarrierTaskContext.allGather}, which carries
 * strings: a header of doubles then the floats, as little-endian bits in Base64, so that what
 * arrives is bit for bit what was sent.
 */
final class Messages {
    private Messages() {
    }

    static String encode(double[] header, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 + 8 * header.length + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(header.length);
        for (double h : header) {
            bytes.putDouble(h);
        }
        bytes.asFloatBuffer().put(values);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /** The header of a message from {@link #encode}. */
    static double[] header(String message) {
        ByteBuffer bytes = decode(message);
        double[] header = new double[bytes.getInt()];
        for (int k = 0; k < header.length; k++) {
            header[k] = bytes.getDouble();
        }
        return header;
    }

    /** Adds the floats of a message from {@link #encode} times {@code weight} into {@code sum}. */
    static void addValues(String message, double weight, double[] sum) {
        ByteBuffer bytes = decode(message);
        bytes.position(4 + 8 * bytes.getInt(0));
        int count = bytes.remaining() / 4;
        if (count != sum.length) {
            throw new IllegalStateException("message: expected " + sum.length + " numbers, found " + count);
        }
        for (int k = 0; k < count; k++) {
            sum[k] += weight * bytes.getFloat();
        }
    }

    private static ByteBuffer decode(String message) {
        return ByteBuffer.wrap(Base64.getDecoder().decode(message)).order(ByteOrder.LITTLE_ENDIAN);
    }
}

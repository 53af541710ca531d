package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.ArgumentKinds;
import dev.deltaprop.device.driver.Driver.Memory;
import java.util.function.ToLongFunction;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryUtil;

/**
 * The {@code kernelParams} of one kernel's launches in native memory allocated once per argument
 * shape: one 8-byte slot per argument (a device address, an {@code int} or a {@code float}) and
 * the array of pointers to the slots that {@code cuLaunchKernel} takes. It copies the values at
 * the call, so each launch refills the slots in place and allocates nothing, not even on the
 * thread's stack. {@link #free} releases it (the driver's close).
 */
final class LwjglArguments {
    private static final int SLOT_BYTES = Long.BYTES;

    private final ToLongFunction<Memory> address;
    private byte[] kinds;
    private long slots;
    private PointerBuffer parameters;
    private int layouts;

    /** @param address a buffer argument's device address */
    LwjglArguments(ToLongFunction<Memory> address) {
        this.address = address;
    }

    /** The {@code kernelParams} for {@code arguments}, laid out anew only when their kinds differ from the last launch's. */
    PointerBuffer fill(Object[] arguments) {
        if (!ArgumentKinds.match(kinds, arguments)) {
            layOut(arguments);
        }
        for (int a = 0; a < arguments.length; a++) {
            long slot = slots + (long) a * SLOT_BYTES;
            Object argument = arguments[a];
            switch (kinds[a]) {
                case ArgumentKinds.MEMORY -> MemoryUtil.memPutLong(slot, address.applyAsLong((Memory) argument));
                case ArgumentKinds.INT -> MemoryUtil.memPutInt(slot, (Integer) argument);
                default -> MemoryUtil.memPutFloat(slot, (Float) argument);
            }
        }
        return parameters;
    }

    private void layOut(Object[] arguments) {
        free();
        kinds = ArgumentKinds.of(arguments);
        int n = Math.max(1, arguments.length);
        slots = MemoryUtil.nmemCalloc(n, SLOT_BYTES);
        if (slots == 0) {
            throw new OutOfMemoryError("calloc of " + n * SLOT_BYTES + " bytes for kernel arguments");
        }
        parameters = MemoryUtil.memAllocPointer(arguments.length);
        for (int a = 0; a < arguments.length; a++) {
            parameters.put(a, slots + (long) a * SLOT_BYTES);
        }
        layouts++;
    }

    /** How many times the storage was laid out (once per shape): for the test that launches allocate nothing. */
    int layouts() {
        return layouts;
    }

    /** Frees the native storage; a later launch lays it out again. */
    void free() {
        if (parameters != null) {
            MemoryUtil.memFree(parameters);
            parameters = null;
        }
        if (slots != 0) {
            MemoryUtil.nmemFree(slots);
            slots = 0;
        }
        kinds = null;
    }
}

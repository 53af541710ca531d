package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.ArgumentKinds;
import dev.deltaprop.device.driver.Driver.Memory;
import java.util.function.Function;
import jcuda.Pointer;

/**
 * The {@code kernelParams} of one kernel's launches, allocated once per argument shape and
 * refilled in place: {@code cuLaunchKernel} copies the values at the call, so the next launch
 * may overwrite them. An {@code int} or {@code float} argument lives in its own one-element array
 * behind a {@link Pointer} made with it; a buffer argument is the {@link DevicePointer}'s own
 * argument pointer, made once when the buffer was allocated. A launch thus allocates nothing
 * but where a kernel's shape changes (it never does in the engine: each kernel has one signature).
 */
final class JcudaArguments {
    private final Function<Memory, Pointer> memoryArgument;
    private byte[] kinds;
    private Pointer[] parameters;
    private Pointer kernelParams;
    private int[][] ints;
    private float[][] floats;
    private Pointer[] valuePointers;
    private int layouts;

    /** @param memoryArgument the pointer that passes a buffer argument (its device address) */
    JcudaArguments(Function<Memory, Pointer> memoryArgument) {
        this.memoryArgument = memoryArgument;
    }

    /** The {@code kernelParams} for {@code arguments}, laid out anew only when their kinds differ from the last launch's. */
    Pointer fill(Object[] arguments) {
        if (!ArgumentKinds.match(kinds, arguments)) {
            layOut(arguments);
        }
        for (int a = 0; a < arguments.length; a++) {
            Object argument = arguments[a];
            switch (kinds[a]) {
                case ArgumentKinds.MEMORY -> parameters[a] = memoryArgument.apply((Memory) argument);
                case ArgumentKinds.INT -> ints[a][0] = (Integer) argument;
                default -> floats[a][0] = (Float) argument;
            }
        }
        return kernelParams;
    }

    private void layOut(Object[] arguments) {
        kinds = ArgumentKinds.of(arguments);
        int n = arguments.length;
        parameters = new Pointer[n];
        ints = new int[n][];
        floats = new float[n][];
        valuePointers = new Pointer[n];
        for (int a = 0; a < n; a++) {
            if (kinds[a] == ArgumentKinds.INT) {
                ints[a] = new int[1];
                valuePointers[a] = Pointer.to(ints[a]);
            } else if (kinds[a] == ArgumentKinds.FLOAT) {
                floats[a] = new float[1];
                valuePointers[a] = Pointer.to(floats[a]);
            }
            parameters[a] = valuePointers[a];
        }
        kernelParams = Pointer.to(parameters); // JCuda reads the array at each call, so refilled slots count
        layouts++;
    }

    /** How many times the storage was laid out (once per shape): for the test that launches allocate nothing. */
    int layouts() {
        return layouts;
    }

    /** The parameter slots, for the same test. */
    Pointer[] parameters() {
        return parameters;
    }

    int[] intSlot(int argument) {
        return ints[argument];
    }

    float[] floatSlot(int argument) {
        return floats[argument];
    }
}

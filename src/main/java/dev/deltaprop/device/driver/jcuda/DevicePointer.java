package dev.deltaprop.device.driver.jcuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A {@code CUdeviceptr} that carries the pointer a kernel launch passes it by: made once at
 * allocation instead of a {@code Pointer.to(buffer)} per argument per launch. JCuda reads the
 * address from this object at each call.
 */
final class DevicePointer extends CUdeviceptr {
    final Pointer argument = Pointer.to(this);

    /** The launch argument of {@code pointer}: its own when it is a {@link DevicePointer}, else a new one. */
    static Pointer argument(CUdeviceptr pointer) {
        return pointer instanceof DevicePointer device ? device.argument : Pointer.to(pointer);
    }
}

package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.cuda.CudaDriverContract;
import jcuda.driver.CUdeviceptr;

/** The driver contract on JCuda; skipped with the reason where CUDA cannot start (no GPU), failed when {@code DELTAPROP_REQUIRE} names {@code cuda}. */
class JcudaDriverTest extends CudaDriverContract {
    @Override
    protected String backend() {
        return "cuda";
    }

    @Override
    protected DriverFactory factory() {
        return new JcudaDriverFactory();
    }

    /** An address no allocation has: {@code cuMemFree} refuses it without touching memory. */
    @Override
    protected Object lostHandle() {
        return new CUdeviceptr().withByteOffset(1L << 44);
    }
}

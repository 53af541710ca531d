package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.cuda.CudaDriverContract;
import jcuda.driver.CUdeviceptr;

/**
 * The driver contract on JCuda; skipped with the reason where CUDA cannot start (no GPU), failed
 * when {@code DELTAPROP_REQUIRE} names {@code cuda}. The lost handle is an address no allocation
 * has, which {@code cuMemFree} refuses without touching memory.
 */
class JcudaDriverTest extends CudaDriverContract {
    JcudaDriverTest() {
        super("cuda", new JcudaDriverFactory(), new CUdeviceptr().withByteOffset(1L << 44));
    }
}

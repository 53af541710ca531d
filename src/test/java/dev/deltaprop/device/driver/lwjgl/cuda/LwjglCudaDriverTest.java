package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.cuda.CudaDriverContract;

/** The driver contract on LWJGL's CUDA binding; skipped with the reason where CUDA cannot start (no GPU). */
class LwjglCudaDriverTest extends CudaDriverContract {
    LwjglCudaDriverTest() {
        super("cuda-lwjgl", new LwjglCudaDriverFactory(), 1L << 44);
    }
}

package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.cuda.CudaDriverContract;

/** The driver contract on LWJGL's CUDA binding; skipped with the reason where CUDA cannot start (no GPU). */
class LwjglCudaDriverTest extends CudaDriverContract {
    @Override
    protected String backend() {
        return "cuda-lwjgl";
    }

    @Override
    protected DriverFactory factory() {
        return new LwjglCudaDriverFactory();
    }

    /** An address no allocation has: {@code cuMemFree} refuses it without touching memory. */
    @Override
    protected Object lostHandle() {
        return 1L << 44;
    }
}

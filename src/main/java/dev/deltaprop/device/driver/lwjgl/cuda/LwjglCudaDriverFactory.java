package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.cuda.CudaDriverFactory;
import dev.deltaprop.device.driver.lwjgl.Lwjgl;

/**
 * Opens {@link LwjglCudaDriver}s for the {@code cuda-lwjgl} backend. The first question checks
 * that LWJGL's CUDA binding is on the class path without initialising it, then loads
 * {@code libcuda.so.1} and initialises CUDA once per JVM ({@link LwjglCuda}).
 */
public final class LwjglCudaDriverFactory extends CudaDriverFactory {
    public LwjglCudaDriverFactory() {
        super("LWJGL");
    }

    @Override
    protected String classPathFailure() {
        return Lwjgl.classPathFailure("org.lwjgl.cuda.CU", "org.lwjgl:lwjgl-cuda");
    }

    @Override
    protected Binding binding() {
        return new LwjglCuda();
    }
}

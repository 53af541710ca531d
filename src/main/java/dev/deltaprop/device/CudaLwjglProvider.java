package dev.deltaprop.device;

/** Registers the {@code cuda-lwjgl} backend: the device engine on {@code device.driver.lwjgl} (LWJGL 3's CUDA driver API binding). */
public final class CudaLwjglProvider extends DeviceProvider {
    public CudaLwjglProvider() {
        super("cuda-lwjgl", "dev.deltaprop.device.driver.lwjgl.cuda.LwjglCudaDriverFactory",
                "LWJGL 3.3.6 (org.lwjgl:lwjgl, lwjgl-cuda)");
    }
}

package dev.deltaprop.device;

/** Registers the {@code cuda} backend: the device engine on {@code device.driver.jcuda} (CUDA's driver API through JCuda). */
public final class CudaProvider extends DeviceProvider {
    public CudaProvider() {
        super("cuda", "dev.deltaprop.device.driver.jcuda.JcudaDriverFactory", "JCuda 12.6.0 (org.jcuda:jcuda)");
    }
}

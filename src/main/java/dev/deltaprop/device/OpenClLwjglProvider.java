package dev.deltaprop.device;

/** Registers the {@code opencl-lwjgl} backend: the device engine on {@code device.driver.lwjgl} (LWJGL 3's OpenCL binding). */
public final class OpenClLwjglProvider extends DeviceProvider {
    public OpenClLwjglProvider() {
        super("opencl-lwjgl", "dev.deltaprop.device.driver.lwjgl.opencl.LwjglOpenClDriverFactory",
                "LWJGL 3.3.6 (org.lwjgl:lwjgl, lwjgl-opencl)");
    }
}

package dev.deltaprop.device;

/** Registers the {@code opencl} backend: the device engine on {@code device.driver.jocl}. */
public final class OpenClProvider extends DeviceProvider {
    public OpenClProvider() {
        super("opencl", "dev.deltaprop.device.driver.jocl.JoclDriverFactory", "JOCL 2.0.6 (org.jocl:jocl)");
    }
}

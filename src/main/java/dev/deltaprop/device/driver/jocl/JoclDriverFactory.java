package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;

/**
 * Opens {@link JoclDriver}s for the {@code opencl} backend. The first question loads JOCL's
 * native library and the OpenCL ICD loader and enumerates the devices, once per JVM (its base keeps the outcome).
 */
public final class JoclDriverFactory extends OpenClDriverFactory<JoclDevices.Found> {
    @Override
    protected Discovery<JoclDevices.Found> discover() {
        try {
            return JoclDevices.discover();
        } catch (NoClassDefFoundError e) {
            return Discovery.failed("JOCL is not on the class path (" + e.getMessage() + "); add org.jocl:jocl 2.0.6");
        } catch (UnsatisfiedLinkError e) {
            return Discovery.failed("no OpenCL ICD loader or JOCL native library could be loaded (" + e.getMessage()
                    + "); install an OpenCL driver and its ICD loader (e.g. ocl-icd-libopencl1 and pocl-opencl-icd)");
        } catch (LinkageError | RuntimeException e) {
            return Discovery.failed("OpenCL discovery failed: " + e);
        }
    }

    @Override
    protected Driver open(JoclDevices.Found device) {
        return new JoclDriver(device);
    }
}

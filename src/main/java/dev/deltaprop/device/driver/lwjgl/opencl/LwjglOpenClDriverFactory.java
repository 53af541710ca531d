package dev.deltaprop.device.driver.lwjgl.opencl;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.lwjgl.Lwjgl;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;

/**
 * Opens {@link LwjglOpenClDriver}s for the {@code opencl-lwjgl} backend. The first question
 * checks that LWJGL is on the class path without initialising it, then loads the OpenCL ICD
 * loader through LWJGL and enumerates the devices, once per JVM.
 */
public final class LwjglOpenClDriverFactory extends OpenClDriverFactory<LwjglClDevices.Found> {
    @Override
    protected Discovery<LwjglClDevices.Found> discover() {
        String missing = Lwjgl.classPathFailure("org.lwjgl.opencl.CL", "org.lwjgl:lwjgl-opencl");
        if (missing != null) {
            return Discovery.failed(missing);
        }
        try {
            return LwjglClDevices.discover();
        } catch (LinkageError e) {
            return Discovery.failed(Lwjgl.loadFailure(e, "the OpenCL ICD loader (libOpenCL.so.1)",
                    "install an OpenCL driver and its ICD loader (e.g. ocl-icd-libopencl1 and pocl-opencl-icd),"
                            + " or point -Dorg.lwjgl.opencl.libname at libOpenCL"));
        } catch (RuntimeException e) {
            return Discovery.failed("OpenCL discovery through LWJGL failed: " + e.getMessage());
        }
    }

    @Override
    protected Driver open(LwjglClDevices.Found device) {
        return new LwjglOpenClDriver(device);
    }

    /** What discovery found (for tests and measurements). */
    static Discovery<LwjglClDevices.Found> devices() {
        return new LwjglOpenClDriverFactory().discovery();
    }
}

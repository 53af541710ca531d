package dev.deltaprop.device.driver.lwjgl.opencl;

import dev.deltaprop.device.driver.lwjgl.Lwjgl;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.opencl.OpenClDeviceChoice;
import java.util.List;

/**
 * Opens {@link LwjglOpenClDriver}s for the {@code opencl-lwjgl} backend. The first question
 * checks that LWJGL is on the class path without initialising it, then loads the OpenCL ICD
 * loader through LWJGL and enumerates the devices, once per JVM: a native library that failed to
 * load will not load later, and platforms do not appear while a program runs.
 */
public final class LwjglOpenClDriverFactory implements DriverFactory {
    private static Probe probe;

    /** What discovery found (as an Object so that this class never names an LWJGL type in a field), or why it failed. */
    private record Probe(Object devices, String failure) {
        LwjglClDevices found() {
            return (LwjglClDevices) devices;
        }
    }

    private static synchronized Probe probe() {
        if (probe == null) {
            String missing = Lwjgl.classPathFailure("org.lwjgl.opencl.CL", "org.lwjgl:lwjgl-opencl");
            if (missing != null) {
                probe = new Probe(null, missing);
                return probe;
            }
            try {
                probe = new Probe(LwjglClDevices.discover(), null);
            } catch (LinkageError e) {
                probe = new Probe(null, Lwjgl.loadFailure(e, "the OpenCL ICD loader (libOpenCL.so.1)",
                        "install an OpenCL driver and its ICD loader (e.g. ocl-icd-libopencl1 and pocl-opencl-icd),"
                                + " or point -Dorg.lwjgl.opencl.libname at libOpenCL"));
            } catch (RuntimeException e) {
                probe = new Probe(null, "OpenCL discovery through LWJGL failed: " + e.getMessage());
            }
        }
        return probe;
    }

    @Override
    public String unavailableReason() {
        Probe p = probe();
        if (p.failure() != null) {
            return p.failure();
        }
        try {
            p.found().select(System.getenv(OpenClDeviceChoice.VARIABLE));
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    @Override
    public List<String> details() {
        Probe p = probe();
        if (p.failure() != null) {
            return List.of(p.failure());
        }
        return OpenClDeviceChoice.details(p.found().devices(), p.found().platformProblems());
    }

    @Override
    public Driver open() {
        Probe p = probe();
        if (p.failure() != null) {
            throw new DriverException(p.failure());
        }
        LwjglClDevices.Found chosen;
        try {
            chosen = p.found().select(System.getenv(OpenClDeviceChoice.VARIABLE));
        } catch (IllegalStateException e) {
            throw new DriverException(e.getMessage(), e);
        }
        return new LwjglOpenClDriver(chosen);
    }

    /** The devices found (for tests); discovery first. */
    static LwjglClDevices devices() {
        Probe p = probe();
        if (p.failure() != null) {
            throw new IllegalStateException(p.failure());
        }
        return p.found();
    }
}

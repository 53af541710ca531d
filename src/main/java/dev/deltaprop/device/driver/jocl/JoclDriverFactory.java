package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens {@link JoclDriver}s. The first question asked of it loads JOCL's native library and the
 * OpenCL ICD loader and enumerates the devices, once per JVM: a native library that failed to
 * load will not load later, and platforms do not appear while a program runs.
 */
public final class JoclDriverFactory implements DriverFactory {
    private static Probe probe;

    /** What discovery found, or why it failed. */
    private static final class Probe {
        final JoclDevices devices;
        final String failure;

        Probe(JoclDevices devices, String failure) {
            this.devices = devices;
            this.failure = failure;
        }
    }

    private static synchronized Probe probe() {
        if (probe == null) {
            try {
                probe = new Probe(JoclDevices.discover(), null);
            } catch (NoClassDefFoundError e) {
                probe = new Probe(null, "JOCL is not on the class path (" + e.getMessage() + "); add org.jocl:jocl 2.0.6");
            } catch (UnsatisfiedLinkError e) {
                probe = new Probe(null, "no OpenCL ICD loader or JOCL native library could be loaded (" + e.getMessage()
                        + "); install an OpenCL driver and its ICD loader (e.g. ocl-icd-libopencl1 and pocl-opencl-icd)");
            } catch (LinkageError | RuntimeException e) {
                probe = new Probe(null, "OpenCL discovery failed: " + e);
            }
        }
        return probe;
    }

    @Override
    public String unavailableReason() {
        Probe p = probe();
        if (p.failure != null) {
            return p.failure;
        }
        try {
            p.devices.select(System.getenv(JoclDevices.SELECTION_VARIABLE));
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    @Override
    public List<String> details() {
        Probe p = probe();
        if (p.failure != null) {
            return List.of(p.failure);
        }
        List<String> lines = new ArrayList<>();
        for (JoclDevices.Found found : p.devices.devices()) {
            lines.add(found.describe());
        }
        lines.addAll(p.devices.platformProblems());
        if (lines.isEmpty()) {
            lines.add("no OpenCL platform found");
        }
        return lines;
    }

    @Override
    public Driver open() {
        Probe p = probe();
        if (p.failure != null) {
            throw new DriverException(p.failure);
        }
        JoclDevices.Found chosen;
        try {
            chosen = p.devices.select(System.getenv(JoclDevices.SELECTION_VARIABLE));
        } catch (IllegalStateException e) {
            throw new DriverException(e.getMessage(), e);
        }
        return new JoclDriver(chosen);
    }

    /** The index of every usable device. */
    @Override
    public List<String> deviceSelections() {
        Probe p = probe();
        List<String> selections = new ArrayList<>();
        if (p.failure == null) {
            for (JoclDevices.Found found : p.devices.devices()) {
                if (found.unusableReason() == null) {
                    selections.add(String.valueOf(found.index()));
                }
            }
        }
        return selections;
    }

    @Override
    public Driver open(String selection) {
        Probe p = probe();
        if (p.failure != null) {
            throw new DriverException(p.failure);
        }
        JoclDevices.Found chosen;
        try {
            chosen = p.devices.select(selection);
        } catch (IllegalStateException e) {
            throw new DriverException(e.getMessage(), e);
        }
        return new JoclDriver(chosen);
    }
}

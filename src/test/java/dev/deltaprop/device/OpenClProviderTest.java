package dev.deltaprop.device;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery of the {@code opencl} backend: by name, under {@code auto}, and without its binding. */
class OpenClProviderTest {

    @Test
    void opensByNameAndListsItsDevices() {
        DeviceBackends.require("opencl");
        assertNull(Backends.unavailableReason("opencl"));
        try (Backend backend = Backends.open("opencl")) {
            assertEquals("opencl", backend.name());
            assertTrue(backend.device().contains("JOCL 2.0.6"), backend.device());
        }
        List<String> details = DeviceBackends.provider("opencl").details();
        assertTrue(details.get(0).startsWith("[0] "), "details: " + details);
    }

    /**
     * {@code auto} tries cuda first; where cuda cannot start it takes opencl on a GPU, but passes
     * over an OpenCL device that is the CPU itself (PoCL) for the faster cpu backend, saying why.
     */
    @Test
    void autoTakesOpenClOnAGpuAndCpuOverAnOpenClCpuDevice() {
        DeviceBackends.require("opencl");
        if (Backends.unavailableReason("cuda") == null) {
            return; // a CUDA machine: auto rightly takes cuda, which its own suite checks
        }
        boolean cpuDevice;
        try (dev.deltaprop.device.driver.Driver driver = DeviceBackends.provider("opencl").openDriver()) {
            cpuDevice = driver.deviceType() == dev.deltaprop.device.driver.Driver.DeviceType.CPU;
        }
        Backends.Selection selection = Backends.select("auto");
        try (Backend backend = selection.backend()) {
            String report = String.join("; ", selection.report());
            assertTrue(selection.report().get(0).startsWith("skipped cuda: "), report);
            if (cpuDevice) {
                assertEquals("cpu", backend.name(), report);
                assertTrue(report.contains("skipped opencl: its device is the CPU ("), report);
            } else {
                assertEquals("opencl", backend.name(), report);
            }
        }
        // by name it still opens
        try (Backend backend = Backends.open("opencl")) {
            assertEquals("opencl", backend.name());
        }
    }

    /** The real provider loaded from a class path that holds deltaprop but not JOCL: a reason, no error. */
    @Test
    void withoutJoclOnTheClassPathTheReasonSaysSo() throws Exception {
        java.net.URL classes = DeviceProvider.class.getProtectionDomain().getCodeSource().getLocation();
        try (java.net.URLClassLoader withoutJocl = new java.net.URLClassLoader(new java.net.URL[] {classes},
                ClassLoader.getPlatformClassLoader())) {
            dev.deltaprop.backend.BackendTable.Row row = dev.deltaprop.backend.BackendTable.STANDARD.rows().stream()
                    .filter(r -> r.name().equals("opencl")).findFirst().orElseThrow();
            Object provider = withoutJocl.loadClass(DeviceProvider.class.getName())
                    .getConstructor(String.class, String.class, String.class)
                    .newInstance(row.name(), row.driverFactory(), row.library());
            String reason = (String) provider.getClass().getMethod("unavailableReason").invoke(provider);
            assertTrue(reason.startsWith("JOCL is not on the class path"), reason);
            Object details = provider.getClass().getMethod("details").invoke(provider);
            assertEquals(List.of(reason), details);
        }
    }

    /** A binding that is not on the class path is a reason, not a NoClassDefFoundError. */
    @Test
    void aMissingBindingIsAReason() {
        DeviceProvider missing = new DeviceProvider("opencl", "org.example.NoSuchDriverFactory", "JOCL 2.0.6 (org.jocl:jocl)");
        String reason = missing.unavailableReason();
        assertTrue(reason.startsWith("JOCL 2.0.6 (org.jocl:jocl) is not on the class path"), reason);
        assertEquals(List.of(reason), missing.details());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, missing::open);
        assertTrue(e.getMessage().startsWith("opencl: JOCL 2.0.6"), e.getMessage());
    }
}

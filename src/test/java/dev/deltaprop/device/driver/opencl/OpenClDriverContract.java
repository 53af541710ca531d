package dev.deltaprop.device.driver.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverContract;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@link DriverContract} and what an OpenCL driver adds to it: the compiler's log on a
 * failed build, the defines reaching the compiler, statuses named with the call, and
 * {@value OpenClDeviceChoice#VARIABLE} by index or name; for both OpenCL bindings alike.
 */
public abstract class OpenClDriverContract extends DriverContract {
    /** {@code v[i] = v[i] * a + OFFSET}: OFFSET comes from the build's defines. */
    protected static final String SCALE = "__kernel void scale(__global float* v, float a, int n) {"
            + " int i = get_global_id(0); if (i < n) v[i] = v[i] * a + OFFSET; }";

    protected OpenClDriverContract(String backend, DriverFactory factory, Object lostHandle, String bufferRelease) {
        super(backend, factory, lostHandle, bufferRelease);
    }

    /** What the binding's discovery found. */
    protected abstract OpenClDriverFactory.Discovery<?> discovery();

    @Override
    protected final ProgramSource smallProgram() {
        return new ProgramSource("scale.cl", SCALE.replace("OFFSET", "0.5f"), null);
    }

    @Test
    void aFailedBuildCarriesTheLog() {
        try (Driver driver = open()) {
            KernelBuildException e = assertThrows(KernelBuildException.class, () -> driver.build(
                    new ProgramSource("broken.cl", "__kernel void broken(__global float* v) { v[0] = undeclared_name; }", null),
                    Map.of("TM", "64")));
            assertTrue(e.log().contains("undeclared_name"), "log: " + e.log());
            assertTrue(e.getMessage().startsWith("clBuildProgram(broken.cl, -DTM=64): CL_BUILD_PROGRAM_FAILURE (-11) on "
                    + driver.deviceName()), e.getMessage());
            KernelBuildException undefined = assertThrows(KernelBuildException.class,
                    () -> driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of()));
            assertTrue(undefined.log().contains("OFFSET"), "a define the source needs is missing: " + undefined.log());
        }
    }

    @Test
    void theDefinesReachTheCompilerAndStatusesNameTheCall() {
        try (Driver driver = open()) {
            Driver.Program program = driver.build(new ProgramSource("scale.cl", SCALE, null), Map.of("OFFSET", "0.5f"));
            Driver.Kernel scale = driver.kernel(program, "scale");
            Driver.Memory memory = driver.allocate(8);
            driver.write(memory, 0, new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 0, 8);
            driver.launch(scale, new int[] {2}, new int[] {4}, memory, 2.0f, 8);
            float[] out = new float[8];
            driver.read(memory, 0, out, 0, 8);
            assertEquals(14.5f, out[7]);
            DriverException noKernel = assertThrows(DriverException.class, () -> driver.kernel(program, "missing"));
            assertEquals("clCreateKernel(missing): CL_INVALID_KERNEL_NAME (-46)", noKernel.getMessage());
            DriverException extra = assertThrows(DriverException.class,
                    () -> driver.launch(scale, new int[] {1}, new int[] {1}, memory, 1.0f, 8, 3));
            assertEquals("clSetKernelArg(scale, 3): CL_INVALID_ARG_INDEX (-49)", extra.getMessage());
        }
    }

    /** {@value OpenClDeviceChoice#VARIABLE}: an index, a name substring in any case, and values that match nothing. */
    @Test
    void theDeviceIsChosenByIndexOrName() {
        OpenClDriverFactory.Discovery<?> devices = discovery();
        OpenClDeviceChoice.Candidate first = devices.devices().get(0);
        assertEquals(first.name(), devices.select("0").name());
        String part = first.name().substring(0, Math.min(5, first.name().length())).toUpperCase(Locale.ROOT);
        assertEquals(first.name(), devices.select(part).name());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> devices.select("no-such-device-xyz"));
        assertTrue(none.getMessage().startsWith("DELTAPROP_OPENCL_DEVICE=no-such-device-xyz matches no device")
                && none.getMessage().contains(first.name()), none.getMessage());
        IllegalStateException index = assertThrows(IllegalStateException.class, () -> devices.select("99"));
        assertTrue(index.getMessage().contains("expected an index below " + devices.devices().size()), index.getMessage());
        assertTrue(factory().details().get(0).startsWith("[0] " + first.name()), "details list the devices");
    }
}

package dev.deltaprop.device.driver.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deltaprop.device.driver.DriverException;
import org.junit.jupiter.api.Test;

/** The one table of OpenCL status names both bindings report with (no OpenCL needed). */
class ClStatusTest {
    @Test
    void statusesAreNamedWithTheirCode() {
        assertEquals("CL_INVALID_WORK_GROUP_SIZE (-54)", ClStatus.name(-54));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR (-1001)", ClStatus.name(-1001));
        assertEquals("CL_ERROR (-9999)", ClStatus.name(-9999));
        DriverException e = assertThrows(DriverException.class, () -> ClStatus.check("clFinish", -36));
        assertEquals("clFinish: CL_INVALID_COMMAND_QUEUE (-36)", e.getMessage());
    }
}

package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.DriverException;
import org.jocl.CL;

/** Turns an OpenCL status code into an exception naming the call and the error. */
final class ClCheck {
    private ClCheck() {
    }

    /** Throws unless {@code status} is {@code CL_SUCCESS}. */
    static void check(String call, int status) {
        if (status != CL.CL_SUCCESS) {
            throw new DriverException(call + ": " + name(status));
        }
    }

    /** {@code CL_INVALID_WORK_GROUP_SIZE (-54)}. */
    static String name(int status) {
        return CL.stringFor_errorCode(status) + " (" + status + ")";
    }
}

package dev.deltaprop.device.driver;

/** A native call failed: the message names the call and the error (e.g. {@code clEnqueueNDRangeKernel: CL_INVALID_WORK_GROUP_SIZE}). */
public class DriverException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DriverException(String message) {
        super(message);
    }

    public DriverException(String message, Throwable cause) {
        super(message, cause);
    }
}

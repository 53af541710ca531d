package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.opencl.OpenClDriverContract;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;
import org.jocl.cl_mem;

/** The driver contract on JOCL, on whatever OpenCL device this machine has (PoCL in CI). */
class JoclDriverTest extends OpenClDriverContract {
    @Override
    protected String backend() {
        return "opencl";
    }

    @Override
    protected DriverFactory factory() {
        return new JoclDriverFactory();
    }

    @Override
    protected OpenClDriverFactory.Discovery<?> discovery() {
        return JoclDevices.discover();
    }

    /** A {@code cl_mem} that points nowhere: the ICD loader answers {@code CL_INVALID_MEM_OBJECT} without touching it. */
    @Override
    protected Object lostHandle() {
        return new cl_mem();
    }

    @Override
    protected String bufferRelease() {
        return "clReleaseMemObject";
    }
}

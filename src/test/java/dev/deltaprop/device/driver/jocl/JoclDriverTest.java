package dev.deltaprop.device.driver.jocl;

import dev.deltaprop.device.driver.opencl.OpenClDriverContract;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;
import org.jocl.cl_mem;

/**
 * The driver contract on JOCL, on whatever OpenCL device this machine has (PoCL in CI). The lost
 * handle is a {@code cl_mem} that points nowhere: the ICD loader answers {@code CL_INVALID_MEM_OBJECT}.
 */
class JoclDriverTest extends OpenClDriverContract {
    JoclDriverTest() {
        super("opencl", new JoclDriverFactory(), new cl_mem(), "clReleaseMemObject");
    }

    @Override
    protected OpenClDriverFactory.Discovery<?> discovery() {
        return JoclDevices.discover();
    }
}

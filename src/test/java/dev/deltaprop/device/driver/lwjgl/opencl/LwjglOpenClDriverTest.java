package dev.deltaprop.device.driver.lwjgl.opencl;

import dev.deltaprop.device.driver.opencl.OpenClDriverContract;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;

/**
 * The driver contract on LWJGL's OpenCL binding, on whatever OpenCL device this machine has
 * (PoCL in CI). The lost handle is {@code NULL}, which LWJGL itself refuses in Java before OpenCL
 * sees it, so no OpenCL call is named in the failure.
 */
class LwjglOpenClDriverTest extends OpenClDriverContract {
    LwjglOpenClDriverTest() {
        super("opencl-lwjgl", new LwjglOpenClDriverFactory(), 0L, null);
    }

    @Override
    protected OpenClDriverFactory.Discovery<?> discovery() {
        return LwjglOpenClDriverFactory.devices();
    }
}

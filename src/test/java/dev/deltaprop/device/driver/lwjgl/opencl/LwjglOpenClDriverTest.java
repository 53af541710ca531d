package dev.deltaprop.device.driver.lwjgl.opencl;

import dev.deltaprop.device.driver.DriverFactory;
import dev.deltaprop.device.driver.opencl.OpenClDriverContract;
import dev.deltaprop.device.driver.opencl.OpenClDriverFactory;

/** The driver contract on LWJGL's OpenCL binding, on whatever OpenCL device this machine has (PoCL in CI). */
class LwjglOpenClDriverTest extends OpenClDriverContract {
    @Override
    protected String backend() {
        return "opencl-lwjgl";
    }

    @Override
    protected DriverFactory factory() {
        return new LwjglOpenClDriverFactory();
    }

    @Override
    protected OpenClDriverFactory.Discovery<?> discovery() {
        return LwjglOpenClDriverFactory.devices();
    }

    /** {@code NULL}, which LWJGL refuses in Java (a {@link NullPointerException}) before OpenCL sees it. */
    @Override
    protected Object lostHandle() {
        return 0L;
    }

    /** None: LWJGL's own check refuses the lost handle, so no OpenCL call fails. */
    @Override
    protected String bufferRelease() {
        return null;
    }
}

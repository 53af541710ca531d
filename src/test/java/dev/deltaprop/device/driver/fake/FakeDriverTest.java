package dev.deltaprop.device.driver.fake;

import dev.deltaprop.device.driver.DriverContract;
import dev.deltaprop.device.driver.ProgramSource;

/** The driver contract on {@link FakeDriver}: the base's checks, handles and close on any machine, no native library needed. */
class FakeDriverTest extends DriverContract {
    FakeDriverTest() {
        super("fake", new FakeDriver.Factory(), FakeDriver.LOST, "fakeFree");
    }

    @Override
    protected ProgramSource smallProgram() {
        return new ProgramSource("scale", "", null);
    }

    @Override
    protected boolean holdsNativeMemory() {
        return false;
    }
}

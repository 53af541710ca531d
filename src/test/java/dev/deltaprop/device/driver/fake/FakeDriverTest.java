package dev.deltaprop.device.driver.fake;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverContract;
import dev.deltaprop.device.driver.ProgramSource;

/** The driver contract on {@link FakeDriver}: the base's checks, handles and close on any machine, no native library needed. */
class FakeDriverTest extends DriverContract {
    @Override
    protected String backend() {
        return "fake";
    }

    @Override
    protected String unavailableReason() {
        return null;
    }

    @Override
    protected Driver open() {
        return new FakeDriver.Factory().open();
    }

    @Override
    protected Object lostHandle() {
        return FakeDriver.LOST;
    }

    @Override
    protected String bufferRelease() {
        return "fakeFree";
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

package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;

/** The engine's own program and its {@code gather_rows} kernel on a driver, for driver tests outside this package. */
public final class EngineProgram {
    private final Driver.Program program;
    private final int reduce;

    private EngineProgram(Driver.Program program, int reduce) {
        this.program = program;
        this.reduce = reduce;
    }

    /** Builds {@code kernels/mlp.cl} or {@code kernels/mlp.cu} (the shipped fatbin where it fits) with the device's tiles. */
    public static EngineProgram build(Driver driver) {
        TileProfile tiles = TileProfile.forDevice(driver.deviceType(), driver.maxGroupSize());
        return new EngineProgram(driver.build(KernelSource.load(driver.language()), tiles.defines()), tiles.reduce());
    }

    public Driver.Program program() {
        return program;
    }

    /** {@code REDUCE}: the work-items of one group of {@code gather_rows}, each moving one element. */
    public int reduce() {
        return reduce;
    }
}

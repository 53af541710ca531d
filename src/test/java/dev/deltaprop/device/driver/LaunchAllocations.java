package dev.deltaprop.device.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.EngineProgram;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * The allocation part of the {@link DriverContract}: 20,000 launches of {@code gather_rows} with
 * the same grid and the same argument array (made once, here) allocate no more Java heap than
 * a bound per launch, as the thread's allocation counter measures it after a warm-up of as many
 * launches (the JIT compiles the launch path first). The launch checks, the argument storage
 * and the native call reuse what they have.
 */
final class LaunchAllocations {
    private static final int LAUNCHES = 20_000;

    private LaunchAllocations() {
    }

    static void check(Driver driver, String backend, long bytesPerLaunch) {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean counting
                && counting.isThreadAllocatedMemorySupported(), "needs the JVM's per-thread allocation counter");
        com.sun.management.ThreadMXBean counting = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        EngineProgram engine = EngineProgram.build(driver);
        Driver.Kernel gather = driver.kernel(engine.program(), "gather_rows");
        Driver.Memory data = driver.allocate(64);
        Driver.Memory order = driver.allocate(8);
        driver.write(order, 0, new int[8], 0, 8);
        Driver.Memory out = driver.allocate(64);
        int[] groups = {1};
        int[] groupSize = {engine.reduce()};
        Object[] arguments = {data, order, out, 0, 8, 8};
        for (int k = 0; k < LAUNCHES; k++) {
            driver.launch(gather, groups, groupSize, arguments);
        }
        driver.finish();
        long thread = Thread.currentThread().getId();
        long before = counting.getThreadAllocatedBytes(thread);
        for (int k = 0; k < LAUNCHES; k++) {
            driver.launch(gather, groups, groupSize, arguments);
        }
        long bytes = counting.getThreadAllocatedBytes(thread) - before;
        driver.finish();
        System.out.println(backend + ": " + bytes + " heap bytes over " + LAUNCHES + " launches");
        // 64 KiB of slack: the counter's own objects and a late JIT recompilation, not one object per launch
        assertTrue(bytes <= bytesPerLaunch * LAUNCHES + 64 * 1024, backend + ": " + bytes + " heap bytes over " + LAUNCHES
                + " launches (allowed " + bytesPerLaunch + " per launch, and 64 KiB for the counter and the JIT)");
    }
}

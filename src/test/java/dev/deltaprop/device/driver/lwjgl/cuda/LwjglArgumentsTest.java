package dev.deltaprop.device.driver.lwjgl.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.deltaprop.device.driver.Driver;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryUtil;
import org.junit.jupiter.api.Test;

/**
 * LWJGL's CUDA launch arguments without a GPU (only LWJGL's core library): one native block per
 * kernel, each launch writing its values into the same slots that the same pointer array
 * points at, read back here as {@code cuLaunchKernel} would read them.
 */
class LwjglArgumentsTest {
    private record Buffer(long address) implements Driver.Memory {
        @Override
        public long elements() {
            return 1;
        }
    }

    @Test
    void launchesRefillOneBlockInPlace() {
        LwjglArguments arguments = new LwjglArguments(memory -> ((Buffer) memory).address());
        try {
            PointerBuffer first = arguments.fill(new Object[] {new Buffer(0x7f00_0000_1000L), 7, 0.5f});
            long[] slots = {first.get(0), first.get(1), first.get(2)};
            for (int launch = 0; launch < 1000; launch++) {
                long address = 0x7f00_0000_0000L + 256L * launch;
                PointerBuffer parameters = arguments.fill(new Object[] {new Buffer(address), launch, launch * 0.25f});
                assertSame(first, parameters, "launch " + launch);
                assertEquals(slots[0], parameters.get(0));
                assertEquals(address, MemoryUtil.memGetLong(parameters.get(0)));
                assertEquals(launch, MemoryUtil.memGetInt(parameters.get(1)));
                assertEquals(launch * 0.25f, MemoryUtil.memGetFloat(parameters.get(2)));
            }
            assertEquals(1, arguments.layouts(), "one layout for 1,001 launches of one shape");
            PointerBuffer other = arguments.fill(new Object[] {3, new Buffer(42)});
            assertEquals(2, arguments.layouts(), "another shape lays out anew");
            assertEquals(3, MemoryUtil.memGetInt(other.get(0)));
            assertEquals(42, MemoryUtil.memGetLong(other.get(1)));
        } finally {
            arguments.free();
        }
    }
}

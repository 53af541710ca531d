package dev.deltaprop.device.driver.jcuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.deltaprop.device.driver.Driver;
import jcuda.Pointer;
import org.junit.jupiter.api.Test;

/**
 * JCuda's launch arguments without a GPU ({@code Pointer} is plain Java until a call reads it):
 * the launches of one kernel reuse one {@code kernelParams}, one parameter array and one value
 * array per {@code int} or {@code float} argument, refilled in place; each buffer is passed by
 * the pointer its {@link DevicePointer} made once; only a new argument shape lays out anew.
 */
class JcudaArgumentsTest {
    /** A stand-in for a driver's buffer: the arguments only pass it to the resolver. */
    private record Buffer(DevicePointer pointer) implements Driver.Memory {
        @Override
        public long elements() {
            return 1;
        }
    }

    @Test
    void launchesRefillOneLayoutInPlace() {
        JcudaArguments arguments = new JcudaArguments(memory -> DevicePointer.argument(((Buffer) memory).pointer()));
        Buffer a = new Buffer(new DevicePointer());
        Buffer b = new Buffer(new DevicePointer());
        Pointer first = arguments.fill(new Object[] {a, 7, 0.5f});
        Pointer[] slots = arguments.parameters();
        int[] intSlot = arguments.intSlot(1);
        float[] floatSlot = arguments.floatSlot(2);
        assertSame(a.pointer().argument, slots[0]);
        assertEquals(7, intSlot[0]);
        assertEquals(0.5f, floatSlot[0]);
        for (int launch = 0; launch < 1000; launch++) {
            Buffer buffer = launch % 2 == 0 ? b : a;
            assertSame(first, arguments.fill(new Object[] {buffer, launch, launch * 0.25f}), "launch " + launch);
            assertSame(slots, arguments.parameters());
            assertSame(intSlot, arguments.intSlot(1));
            assertSame(floatSlot, arguments.floatSlot(2));
            assertSame(buffer.pointer().argument, slots[0], "the buffer's own argument pointer");
            assertEquals(launch, intSlot[0]);
            assertEquals(launch * 0.25f, floatSlot[0]);
        }
        assertEquals(1, arguments.layouts(), "one layout for 1,001 launches of one shape");
        arguments.fill(new Object[] {a, 1.5f, 3});
        assertEquals(2, arguments.layouts(), "another shape lays out anew");
        assertEquals(3, arguments.intSlot(2)[0]);
        assertEquals(1.5f, arguments.floatSlot(1)[0]);
    }
}

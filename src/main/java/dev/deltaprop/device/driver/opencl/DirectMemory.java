package dev.deltaprop.device.driver.opencl;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct buffers that are freed when their owner is done with them, not when a collection
 * happens to find them. A closed driver's host memory must go at its close: a program that
 * opens and closes drivers allocates little Java heap, so collections are rare, and every
 * buffer left to the collector stays resident meanwhile (1,000 open/close cycles left hundreds
 * of megabytes so).
 *
 * <p>The JDK frees a direct buffer through its cleaner; {@code sun.misc.Unsafe.invokeCleaner}
 * (module {@code jdk.unsupported}, there since Java 9 for exactly this) runs it at once. Looked up
 * reflectively, so that the compiler does not warn about a proprietary API; where a JDK lacks it,
 * {@link #free} leaves the buffer to the collector, as before, and {@link #explicit()} says so.
 */
final class DirectMemory {
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private DirectMemory() {
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(field.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@link #free} frees at once (the JDK has {@code invokeCleaner}). */
    static boolean explicit() {
        return INVOKE_CLEANER != null;
    }

    /** A direct buffer of {@code bytes}, native order, for {@link #free} to free. */
    static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Frees {@code buffer}, made by {@link #allocate} (not a view of it), now. Neither it nor any
     * view of it may be touched again, nor any native copy still read it: the caller has waited.
     */
    static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact(buffer);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("invokeCleaner", e);
        }
    }
}

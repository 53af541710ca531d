package dev.deltaprop.device.driver.opencl;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Direct buffers that are freed when their owner is done with them, not when a collection
 * happens to find them. A closed driver's host memory must go at its close: a program that
 * opens and closes drivers allocates little Java heap, so collections are rare, and every
 * buffer left to the collector stays resident meanwhile (1,000 open/close cycles left hundreds
 * of megabytes so).
 *
 * <p>How a buffer is freed at once depends on the JDK. From Java 22 on, the buffer is a view of
 * a {@code java.lang.foreign.Arena}'s segment and {@link #free} closes that arena: the supported
 * API, with no warning (Java 24+ warns at the first call of any {@code sun.misc.Unsafe} memory
 * method). Before 22, {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported},
 * there since Java 9 for exactly this; silent on those JDKs) runs the JDK's cleaner. Both are
 * looked up reflectively: the library compiles for Java 17, where neither may be named. Where
 * neither exists, {@link #free} leaves the buffer to the collector and {@link #explicit()} says so.
 */
final class DirectMemory {
    /** The foreign-memory calls, on Java 22+; {@code null} before. */
    private static final Foreign FOREIGN = Foreign.find();
    private static final MethodHandle INVOKE_CLEANER = FOREIGN == null ? invokeCleaner() : null;
    /** Each live buffer's arena (Java 22+), by identity: {@link #free} closes it. */
    private static final Map<ByteBuffer, Object> ARENAS = new IdentityHashMap<>();

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

    /** Whether {@link #free} frees at once. */
    static boolean explicit() {
        return FOREIGN != null || INVOKE_CLEANER != null;
    }

    /** A direct buffer of {@code bytes}, native order, for {@link #free} to free. */
    static ByteBuffer allocate(int bytes) {
        if (FOREIGN == null) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        Object arena = FOREIGN.open();
        ByteBuffer buffer = FOREIGN.buffer(arena, bytes).order(ByteOrder.nativeOrder());
        synchronized (ARENAS) {
            ARENAS.put(buffer, arena);
        }
        return buffer;
    }

    /**
     * Frees {@code buffer}, made by {@link #allocate} (not a view of it), now. Neither it nor any
     * view of it may be touched again, nor any native copy still read it: the caller has waited.
     */
    static void free(ByteBuffer buffer) {
        try {
            if (FOREIGN != null) {
                Object arena;
                synchronized (ARENAS) {
                    arena = ARENAS.remove(buffer);
                }
                if (arena == null) {
                    throw new IllegalArgumentException("buffer: expected one that DirectMemory.allocate made and has not freed");
                }
                FOREIGN.close(arena);
            } else if (INVOKE_CLEANER != null) {
                INVOKE_CLEANER.invokeExact(buffer);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("freeing a direct buffer", e);
        }
    }

    /** {@code Arena.ofShared()}, {@code arena.allocate(bytes, 64).asByteBuffer()}, {@code arena.close()}. */
    private record Foreign(MethodHandle ofShared, MethodHandle allocate, MethodHandle asByteBuffer, MethodHandle close) {
        static Foreign find() {
            if (Runtime.version().feature() < 22) {
                return null; // a preview API before 22
            }
            try {
                Class<?> arena = Class.forName("java.lang.foreign.Arena");
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                return new Foreign(
                        lookup.findStatic(arena, "ofShared", MethodType.methodType(arena)),
                        lookup.findVirtual(arena, "allocate", MethodType.methodType(segment, long.class, long.class)),
                        lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class)),
                        lookup.findVirtual(arena, "close", MethodType.methodType(void.class)));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        Object open() {
            try {
                return ofShared.invoke();
            } catch (Throwable e) {
                throw new IllegalStateException("Arena.ofShared", e);
            }
        }

        ByteBuffer buffer(Object arena, int bytes) {
            try {
                return (ByteBuffer) asByteBuffer.invoke(allocate.invoke(arena, (long) bytes, 64L));
            } catch (Throwable e) {
                throw new IllegalStateException("Arena.allocate(" + bytes + ")", e);
            }
        }

        void close(Object arena) {
            try {
                this.close.invoke(arena);
            } catch (Throwable e) {
                throw new IllegalStateException("Arena.close", e);
            }
        }
    }
}

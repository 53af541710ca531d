package dev.deltaprop.cpu;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chooses the micro-kernel: the Vector API one when {@code jdk.incubator.vector} is in the boot
 * layer (the JVM was started with {@code --add-modules jdk.incubator.vector}), the scalar one
 * otherwise. Measured on this project's 2-core AVX-512 machine, the Vector API kernel is several
 * times faster (docs/perf-cpu.md), so it wins whenever it can load. The system property
 * {@code deltaprop.cpu.kernel} ({@code auto}, {@code vector}, {@code scalar}) overrides the choice.
 *
 * <p>The vector kernel is compiled separately against the incubator module and loaded by name, so
 * that this class (and the whole library) loads on a JVM where the module is absent.
 */
final class MicroKernels {
    static final String PROPERTY = "deltaprop.cpu.kernel";
    /** The Vector API tile's rows: {@code auto} (the JVM's, {@code VectorMicroKernel.defaultRows}), {@code 14} or {@code 6}. */
    static final String TILE_PROPERTY = "deltaprop.cpu.tile";
    private static final String VECTOR_CLASS = "dev.deltaprop.cpu.VectorMicroKernel";
    private static final String MODULE = "jdk.incubator.vector";

    private MicroKernels() {
    }

    /**
     * Says once per JVM, at {@code INFO}, that {@code auto} fell back to the scalar kernel because
     * the JVM lacks the module: a library user's only hint that one flag makes the cpu backend and
     * {@code Predictor} several times faster.
     */
    private static final System.Logger LOG = System.getLogger("dev.deltaprop.cpu");
    private static final AtomicBoolean SCALAR_SAID = new AtomicBoolean();

    /** The kernel {@code deltaprop.cpu.kernel} asks for (default {@code auto}). */
    static MicroKernel chosen() {
        return chosen(System.getProperty(PROPERTY, "auto"), vectorAvailable());
    }

    /** The kernel for the setting {@code wanted} on a JVM where the vector kernel can load or not. */
    static MicroKernel chosen(String wanted, boolean vectorAvailable) {
        switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "scalar":
                return new ScalarMicroKernel();
            case "vector":
                return vector();
            case "auto":
                if (vectorAvailable) {
                    return vector();
                }
                if (SCALAR_SAID.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.INFO, "cpu: the scalar GEMM kernel runs, because " + MODULE
                            + " is not loaded; start the JVM with --add-modules " + MODULE
                            + " for the Vector API kernel (several times faster, docs/perf-cpu.md)");
                }
                return new ScalarMicroKernel();
            default:
                throw new IllegalArgumentException(PROPERTY + ": expected auto, vector or scalar, found '" + wanted.trim() + "'");
        }
    }

    /** Whether the Vector API kernel can load here. */
    static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * A new {@code className} (a Vector API class of {@code src/main/vector}, loaded by name so that
     * its interface links on a JVM without the module) as {@code type}; {@code what} names it in the
     * exception when it cannot load.
     */
    static <T> T loadVector(String className, Class<T> type, String what) {
        try {
            return type.cast(Class.forName(className).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cpu: the Vector API " + what + " did not load: " + e, e);
        }
    }

    /** Why the scalar kernel runs, for {@code devices}; {@code null} when the vector kernel can load. */
    static String whyScalar() {
        return vectorAvailable() ? null
                : MODULE + " not loaded (start the JVM with --add-modules " + MODULE + " for the Vector API kernel)";
    }

    /** The Vector API kernel, with the tile {@code deltaprop.cpu.tile} asks for (default: this JVM's). */
    static MicroKernel vector() {
        return vector(tileRows(System.getProperty(TILE_PROPERTY, "auto")));
    }

    /**
     * The tile rows the setting {@code wanted} of {@code deltaprop.cpu.tile} names: {@code 0} for
     * {@code auto}, else 14 or 6 (on any vector width: 14 rows with AVX2's 16 registers spill, but
     * run correctly).
     */
    static int tileRows(String wanted) {
        switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return 0;
            case "14":
                return 14;
            case "6":
                return 6;
            default:
                throw new IllegalArgumentException(TILE_PROPERTY + ": expected auto, 14 or 6, found '" + wanted.trim() + "'");
        }
    }

    /**
     * The Vector API kernel with a tile of {@code rows} rows (6 or 14: tests run both tiles on one
     * machine), or {@code 0} for the one this JVM's vector width calls for.
     */
    static MicroKernel vector(int rows) {
        if (!vectorAvailable()) {
            throw new IllegalStateException(PROPERTY + "=vector: " + whyScalar());
        }
        try {
            Class<?> type = Class.forName(VECTOR_CLASS);
            return (MicroKernel) (rows == 0 ? type.getDeclaredConstructor().newInstance()
                    : type.getDeclaredConstructor(int.class).newInstance(rows));
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException) {
                throw (IllegalArgumentException) e.getCause();
            }
            throw new IllegalStateException("cpu: the Vector API kernel did not load: " + e, e);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cpu: the Vector API kernel did not load: " + e, e);
        }
    }
}

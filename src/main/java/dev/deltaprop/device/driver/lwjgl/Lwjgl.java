package dev.deltaprop.device.driver.lwjgl;

/**
 * Whether LWJGL's classes are on the class path, asked without initialising any of them, and
 * its load failures in words a user can act on. Nothing here names an LWJGL type, so this class
 * loads on a class path without LWJGL.
 */
public final class Lwjgl {
    /** The Maven coordinates a user adds, in words. */
    public static final String COORDINATES = "org.lwjgl:lwjgl 3.3.6 with its natives-linux classifier";

    private Lwjgl() {
    }

    /**
     * {@code null} when {@code bindingClass} (e.g. {@code org.lwjgl.opencl.CL}) and LWJGL's core
     * are present and LWJGL's own native library loads; otherwise the reason, naming {@code module} (e.g. {@code org.lwjgl:lwjgl-opencl}).
     */
    public static String classPathFailure(String bindingClass, String module) {
        ClassLoader loader = Lwjgl.class.getClassLoader();
        try {
            Class.forName("org.lwjgl.system.MemoryStack", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return "LWJGL is not on the class path (" + e.getMessage() + "); add " + COORDINATES + " and " + module + " 3.3.6";
        }
        try {
            Class.forName(bindingClass, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return "LWJGL's binding " + module + " is not on the class path (" + e.getMessage() + "); add " + module + " 3.3.6";
        }
        return coreNativeFailure();
    }

    private static String coreFailure;
    private static boolean coreTried;

    /** Loads LWJGL's own JNI library once (its {@code Library} class does on initialisation); why it failed, or {@code null}. */
    private static synchronized String coreNativeFailure() {
        if (!coreTried) {
            coreTried = true;
            try {
                Class.forName("org.lwjgl.system.Library", true, Lwjgl.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                coreFailure = "LWJGL's native library could not load (" + firstLine(String.valueOf(root.getMessage()))
                        + "); add " + COORDINATES;
            }
        }
        return coreFailure;
    }

    /**
     * A failure to load a native library in words: LWJGL's own JNI library (its natives jar is
     * missing) or the API's library ({@code what}, e.g. the OpenCL ICD loader).
     */
    public static String loadFailure(Throwable e, String what, String remedy) {
        String message = String.valueOf(e.getMessage());
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            message = message + " " + cause.getMessage();
        }
        if (message.contains("liblwjgl")) {
            return "LWJGL's native library could not load (" + firstLine(message) + "); add " + COORDINATES;
        }
        return what + " could not be loaded (" + firstLine(message) + "); " + remedy;
    }

    /**
     * The LWJGL release on the class path, e.g. {@code 3.3.6}, read from {@code org.lwjgl.Version}'s
     * fields at run time (the compiler would inline the ones it built against, and
     * {@code Version.getVersion()} reads the jar's manifest, which a shaded jar no longer has).
     */
    public static String version() {
        try {
            Class<?> version = Class.forName("org.lwjgl.Version", true, Lwjgl.class.getClassLoader());
            return version.getField("VERSION_MAJOR").getInt(null) + "." + version.getField("VERSION_MINOR").getInt(null)
                    + "." + version.getField("VERSION_REVISION").getInt(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return "(version unknown: " + e + ")";
        }
    }

    private static String firstLine(String message) {
        return message.lines().findFirst().orElse(message).strip();
    }
}

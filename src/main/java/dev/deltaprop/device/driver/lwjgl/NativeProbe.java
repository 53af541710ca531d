package dev.deltaprop.device.driver.lwjgl;

import org.lwjgl.system.Platform;
import org.lwjgl.system.linux.DynamicLinkLoader;

/**
 * Whether a shared library can be opened, asked of the dynamic loader before LWJGL is asked to
 * load it: LWJGL prints a diagnostic to its debug stream (stderr) for every library it fails to
 * load, which {@code deltaprop devices} on a machine without CUDA should not show, and a binding
 * class whose library failed is unusable for the life of the JVM.
 */
public final class NativeProbe {
    private NativeProbe() {
    }

    /** {@code null} if {@code name} (a file name or a path) opens here, else the loader's message. Off Linux: {@code null}, LWJGL decides. */
    public static String openFailure(String name) {
        if (Platform.get() != Platform.LINUX) {
            return null;
        }
        long handle = DynamicLinkLoader.dlopen(name, DynamicLinkLoader.RTLD_LAZY | DynamicLinkLoader.RTLD_LOCAL);
        if (handle == 0) {
            String error = DynamicLinkLoader.dlerror();
            return error == null ? name + ": cannot be opened" : error;
        }
        DynamicLinkLoader.dlclose(handle);
        return null;
    }
}

package dev.deltaprop.device.driver.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CUDA version numbers as users meet them: the driver API's {@code 13000}, the toolkit's
 * {@code 13.0}, and the NVIDIA driver release ({@code 580.95.05}) that {@code nvidia-smi} shows and
 * that a user upgrades. Used by the CUDA drivers to say which driver a kernel image needs.
 */
public final class CudaVersions {

    private static final Pattern MODULE = Pattern.compile("Kernel Module\\s+(?:for \\S+\\s+)?([0-9]+(?:\\.[0-9]+)+)");

    private CudaVersions() {
    }

    /** {@code 13000} → {@code 13.0}, {@code 12060} → {@code 12.6}. */
    public static String format(int version) {
        return (version / 1000) + "." + (version % 1000) / 10;
    }

    /**
     * The oldest NVIDIA Linux driver release that implements CUDA {@code version} (the major
     * version's first driver: minor-version compatibility lets it load code from any later minor
     * toolkit of the same major, except PTX, which needs the exact minor's driver or newer).
     */
    public static String minimumLinuxDriver(int version) {
        int major = version / 1000;
        if (major >= 13) {
            return "580";
        }
        if (major == 12) {
            return "525.60.13";
        }
        if (major == 11) {
            return "450.80.02";
        }
        return "a driver for CUDA " + format(version);
    }

    /** The loaded NVIDIA kernel module's version (e.g. {@code 580.95.05}), or {@code null} when it cannot be read. */
    public static String kernelModule() {
        try {
            return parseKernelModule(Files.readString(Path.of("/proc/driver/nvidia/version")));
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** The version in the text of {@code /proc/driver/nvidia/version}, or {@code null}. */
    static String parseKernelModule(String text) {
        Matcher matcher = MODULE.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }
}

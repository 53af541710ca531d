package dev.deltaprop.device.driver.opencl;

import dev.deltaprop.device.driver.Driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which OpenCL device a driver opens, whichever binding enumerated them (the policy and its
 * messages live here once, so that {@code opencl} and {@code opencl-lwjgl} choose alike).
 *
 * <p>Devices are numbered in one flat list, platform by platform. {@link #VARIABLE} selects one
 * by that index or by a case-insensitive substring of its name or its platform's name; without
 * it the first usable GPU is taken, else the first usable device. A device is usable when it
 * reports itself available and has a compiler (the engine builds from source).
 */
public final class OpenClDeviceChoice {
    /** The environment variable that selects a device. */
    public static final String VARIABLE = "DELTAPROP_OPENCL_DEVICE";

    /** One device as a binding's discovery saw it. */
    public interface Candidate {
        /** Its place in the flat list. */
        int index();

        String name();

        String platformName();

        Driver.DeviceType type();

        /** Platform, device and driver versions in words. */
        String version();

        /** Why the engine cannot use it, or {@code null}. */
        String unusableReason();

        /** {@code [0] cpu-haswell (cpu, Portable Computing Language, OpenCL 3.0 PoCL …)}, and why it is unusable. */
        default String describe() {
            return "[" + index() + "] " + name() + " (" + type().name().toLowerCase(Locale.ROOT) + ", " + platformName()
                    + ", " + version() + ")" + (unusableReason() == null ? "" : ": unusable, " + unusableReason());
        }
    }

    private OpenClDeviceChoice() {
    }

    /** The platform problem when the ICD loader lists no platform, with its status in words ({@code 0 platforms}, {@code CL_PLATFORM_NOT_FOUND_KHR (-1001)}). */
    public static String noPlatform(String status) {
        return "no OpenCL platform found (clGetPlatformIDs: " + status
                + "); install an OpenCL driver with an ICD file, such as PoCL (pocl-opencl-icd) or a GPU vendor's";
    }

    /**
     * The device to open.
     *
     * @param devices          every device found, in index order
     * @param platformProblems a line per platform that gave no devices
     * @param selection        the variable's value, or {@code null}
     * @throws IllegalStateException saying why none can be chosen
     */
    public static <T extends Candidate> T select(List<T> devices, List<String> platformProblems, String selection) {
        if (devices.isEmpty()) {
            // a platform problem that already says there is no platform (with the loader's status) is said as it is
            throw new IllegalStateException(platformProblems.isEmpty()
                    ? "no OpenCL platform found (the ICD loader lists none; is a driver such as PoCL installed?)"
                    : (platformProblems.get(0).startsWith("no OpenCL platform") ? "" : "no OpenCL device found: ")
                            + String.join("; ", platformProblems));
        }
        if (selection != null && !selection.isBlank()) {
            T chosen = match(devices, platformProblems, selection.trim());
            if (chosen.unusableReason() != null) {
                throw new IllegalStateException(VARIABLE + "=" + selection + " selects " + chosen.describe());
            }
            return chosen;
        }
        T firstUsable = null;
        for (T found : devices) {
            if (found.unusableReason() == null) {
                if (found.type() == Driver.DeviceType.GPU) {
                    return found;
                }
                if (firstUsable == null) {
                    firstUsable = found;
                }
            }
        }
        if (firstUsable == null) {
            throw new IllegalStateException("no usable OpenCL device: " + describeAll(devices, platformProblems));
        }
        return firstUsable;
    }

    private static <T extends Candidate> T match(List<T> devices, List<String> platformProblems, String selection) {
        if (selection.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(selection);
            if (index >= devices.size()) {
                throw new IllegalStateException(VARIABLE + "=" + selection + ": expected an index below "
                        + devices.size() + " or a name; found " + describeAll(devices, platformProblems));
            }
            return devices.get(index);
        }
        String key = selection.toLowerCase(Locale.ROOT);
        for (T found : devices) {
            if (found.name().toLowerCase(Locale.ROOT).contains(key)
                    || found.platformName().toLowerCase(Locale.ROOT).contains(key)) {
                return found;
            }
        }
        throw new IllegalStateException(VARIABLE + "=" + selection + " matches no device name; found "
                + describeAll(devices, platformProblems));
    }

    /** Every device and platform problem, {@code ; }-separated. */
    public static String describeAll(List<? extends Candidate> devices, List<String> platformProblems) {
        List<String> lines = new ArrayList<>();
        for (Candidate found : devices) {
            lines.add(found.describe());
        }
        lines.addAll(platformProblems);
        return String.join("; ", lines);
    }

    /** The lines {@code deltaprop devices} shows: each device, then each platform problem. */
    public static List<String> details(List<? extends Candidate> devices, List<String> platformProblems) {
        List<String> lines = new ArrayList<>();
        for (Candidate found : devices) {
            lines.add(found.describe());
        }
        lines.addAll(platformProblems);
        if (lines.isEmpty()) {
            lines.add("no OpenCL platform found");
        }
        return lines;
    }
}

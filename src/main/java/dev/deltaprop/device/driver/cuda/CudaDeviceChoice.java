package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.DriverException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Which CUDA device a driver opens, whichever binding listed them: {@value #VARIABLE}, an ordinal or a name substring; else device 0. */
public final class CudaDeviceChoice {
    /** The environment variable that chooses the device. */
    public static final String VARIABLE = "DELTAPROP_CUDA_DEVICE";

    private CudaDeviceChoice() {
    }

    /**
     * The device {@code selector} chooses ({@code null} or blank: device 0).
     *
     * @throws DriverException          when the driver sees no device
     * @throws IllegalArgumentException when it selects none, listing the devices
     */
    public static CudaDevice select(List<CudaDevice> devices, String selector) {
        if (devices.isEmpty()) {
            throw new DriverException("no CUDA device: the driver sees none");
        }
        if (selector == null || selector.isBlank()) {
            return devices.get(0);
        }
        String wanted = selector.trim();
        if (wanted.chars().allMatch(Character::isDigit)) {
            int ordinal = Integer.parseInt(wanted);
            if (ordinal >= devices.size()) {
                throw new IllegalArgumentException(VARIABLE + ": expected an ordinal below " + devices.size()
                        + " or a name substring, found '" + selector + "'");
            }
            return devices.get(ordinal);
        }
        List<String> names = new ArrayList<>();
        for (CudaDevice candidate : devices) {
            if (candidate.name().toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT))) {
                return candidate;
            }
            names.add(candidate.describe());
        }
        throw new IllegalArgumentException(VARIABLE + ": no device's name contains '" + selector + "'; devices: "
                + String.join("; ", names));
    }
}

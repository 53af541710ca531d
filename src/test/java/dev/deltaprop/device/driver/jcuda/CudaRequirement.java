package dev.deltaprop.device.driver.jcuda;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Locale;

/**
 * GPU tests run where CUDA works, are skipped with the reason where it does not, and fail
 * instead when {@code DELTAPROP_REQUIRE} names {@code cuda} (the GPU check sets it).
 */
public final class CudaRequirement {

    private CudaRequirement() {
    }

    /** Whether {@code DELTAPROP_REQUIRE} (comma- or space-separated) names {@code backend}. */
    public static boolean required(String backend) {
        String require = System.getenv("DELTAPROP_REQUIRE");
        return require != null && Arrays.stream(require.toLowerCase(Locale.ROOT).split("[,\\s]+"))
                .anyMatch(backend::equals);
    }

    /** Skips (or, when required, fails) unless a CUDA device can be used through JCuda. */
    public static void assumeCuda() {
        String reason = Jcuda.unavailableReason();
        if (reason != null && required("cuda")) {
            fail("DELTAPROP_REQUIRE names cuda, but " + reason);
        }
        assumeTrue(reason == null, reason);
    }
}

package dev.deltaprop.device.driver;

import java.util.Objects;

/**
 * The checks of a launch's grid before it reaches the API: 1 to 3 dimensions, as many in
 * {@code groupSize} as in {@code groups}, every size at least 1, and no more work-items in a
 * group than the kernel may have on the device. OpenCL and CUDA would refuse each of these too,
 * but with a status that names neither the field nor the limit.
 */
final class Geometry {
    private Geometry() {
    }

    static void check(String kernel, String device, int groupLimit, int[] groups, int[] groupSize) {
        Objects.requireNonNull(groups, "groups: expected 1 to 3 sizes, found null");
        Objects.requireNonNull(groupSize, "groupSize: expected 1 to 3 sizes, found null");
        if (groups.length < 1 || groups.length > 3) {
            throw new IllegalArgumentException("groups: expected 1 to 3 dimensions, found " + groups.length);
        }
        if (groupSize.length != groups.length) {
            throw new IllegalArgumentException("groupSize: expected " + groups.length + " dimensions like groups, found "
                    + groupSize.length);
        }
        long items = 1;
        for (int d = 0; d < groups.length; d++) {
            if (groups[d] < 1) {
                throw new IllegalArgumentException("groups[" + d + "]: expected at least 1, found " + groups[d]);
            }
            if (groupSize[d] < 1) {
                throw new IllegalArgumentException("groupSize[" + d + "]: expected at least 1, found " + groupSize[d]);
            }
            items *= groupSize[d];
        }
        if (items > groupLimit) {
            throw new IllegalArgumentException("groupSize: expected at most " + groupLimit + " work-items in a group of "
                    + kernel + " on " + device + ", found " + items);
        }
    }
}

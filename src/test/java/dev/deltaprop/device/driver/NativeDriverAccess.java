package dev.deltaprop.device.driver;

/** Test access to {@link NativeDriver}'s seam for lost handles, from test packages other than this one. */
public final class NativeDriverAccess {
    private NativeDriverAccess() {
    }

    /** As {@link NativeDriver#loseHandle}: the buffer's next release fails as a lost handle's would. */
    public static void loseHandle(Driver.Memory memory, Object invalid) {
        NativeDriver.loseHandle(memory, invalid);
    }
}

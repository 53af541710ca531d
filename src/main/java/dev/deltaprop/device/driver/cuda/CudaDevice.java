package dev.deltaprop.device.driver.cuda;

import java.util.Locale;

/** What deltaprop needs to know of one CUDA device, read once by a binding; the same record for JCuda and LWJGL. */
public record CudaDevice(int ordinal, String name, int major, int minor, long memoryBytes, int maxThreadsPerBlock,
                         int multiprocessors) {

    /** E.g. {@code 0: NVIDIA H200, compute capability 9.0, 132 SMs, 139.8 GiB}. */
    public String describe() {
        return String.format(Locale.ROOT, "%d: %s, compute capability %d.%d, %d SMs, %.1f GiB",
                ordinal, name, major, minor, multiprocessors, memoryBytes / (double) (1L << 30));
    }
}

package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How a CUDA driver gets a module for a program, whichever binding it calls (JCuda, LWJGL): the
 * decisions and the messages, with the native calls left to the driver.
 *
 * <ol>
 *   <li>{@link #image()}: the fatbin shipped for the source (which the engine hands over as the
 *       source's binary), when its build record says it was built from the same text and macros,
 *       or a caller's own binary; {@code null} when there is none that fits, with the reason
 *       among {@link #attempts()}. The driver loads it with {@code cuModuleLoadData} and, if the
 *       CUDA driver refuses it, tells {@link #refused};</li>
 *   <li>otherwise the driver compiles {@link ProgramSource#text()} with NVRTC;</li>
 *   <li>and if that cannot be done, throws {@link #failure}: what each step found, the CUDA
 *       version of the driver found and the one the fatbin needs, and what to install.</li>
 * </ol>
 */
public final class CudaModulePlan {

    private final ShippedFatbin shipped;
    private final byte[] image;
    private final String origin;
    private final List<String> attempts = new ArrayList<>();
    private boolean driverTooOld;

    private CudaModulePlan(ShippedFatbin shipped, byte[] image, String origin) {
        this.shipped = shipped;
        this.image = image;
        this.origin = origin;
    }

    /** The plan for {@code source} with {@code defines}, using the fatbin shipped on the class path. */
    public static CudaModulePlan of(ProgramSource source, Map<String, String> defines) {
        return of(source, defines, ShippedFatbin.find(source.name()));
    }

    /** As {@link #of(ProgramSource, Map)} with the shipped fatbin given ({@code null}: none). */
    static CudaModulePlan of(ProgramSource source, Map<String, String> defines, ShippedFatbin shipped) {
        byte[] given = source.binary();
        boolean isShipped = shipped != null && (given == null || Arrays.equals(given, shipped.image()));
        if (isShipped) {
            String mismatch = shipped.mismatch(source, defines);
            if (mismatch == null) {
                return new CudaModulePlan(shipped, shipped.image(), shipped.resource());
            }
            CudaModulePlan plan = new CudaModulePlan(shipped, null, null);
            plan.attempts.add(mismatch);
            return plan;
        }
        if (given != null) {
            // a caller's own image: trusted as built for this program
            return new CudaModulePlan(null, given, "the binary given with " + source.name());
        }
        CudaModulePlan plan = new CudaModulePlan(null, null, null);
        plan.attempts.add("no fatbin is shipped for " + source.name() + " (the jar was built without nvcc)");
        return plan;
    }

    /** The image to load with {@code cuModuleLoadData}, or {@code null} when none fits the program. */
    public byte[] image() {
        return image == null ? null : image.clone();
    }

    /** Where {@link #image()} comes from, e.g. {@code kernels/mlp.fatbin}. */
    public String origin() {
        return origin;
    }

    /** What was tried and why it did not do, in order. */
    public List<String> attempts() {
        return List.copyOf(attempts);
    }

    /**
     * The CUDA driver refused {@link #image()} with {@code result} ({@code cuModuleLoadData}'s),
     * on a device of compute capability {@code major.minor} with a driver for CUDA
     * {@code driverVersion} ({@code 12040} for 12.4): records why, in terms of what the image holds.
     */
    public void refused(int result, int major, int minor, int driverVersion) {
        StringBuilder why = new StringBuilder("cuModuleLoadData " + origin + ": " + CudaResult.name(result));
        if (Fatbin.isFatbin(image)) {
            try {
                Fatbin fatbin = Fatbin.parse(image);
                why.append(" (it holds ").append(fatbin).append("; this GPU is sm_").append(major).append(minor)
                        .append(fatbin.runsOn(major, minor) ? "" : ", which none of them runs on").append(')');
            } catch (IllegalArgumentException e) {
                why.append(" (").append(e.getMessage()).append(')');
            }
        }
        if (shipped != null && shipped.minimumDriverVersion() > driverVersion) {
            driverTooOld = true;
            why.append("; built by nvcc ").append(shipped.nvccVersion()).append(", it needs a driver for CUDA ")
                    .append(CudaVersions.format(shipped.minimumDriverVersion())).append(" or newer");
        }
        attempts.add(why.toString());
    }

    /** NVRTC compiled the source but the driver refused the result: records it. */
    public void compiledButRefused(String compiler, String target, int result) {
        attempts.add("cuModuleLoadDataEx (" + compiler + ", " + target + "): " + CudaResult.name(result));
    }

    /**
     * The exception when no module can be had: what each step found, then what to do.
     *
     * @param device        the device in words, e.g. {@code 0: NVIDIA H200, compute capability 9.0, …}
     * @param driverVersion the CUDA version the driver implements ({@code 12040})
     * @param kernelModule  the NVIDIA driver release ({@code 550.54.14}), or {@code null}
     * @param nvrtcReason   why NVRTC could not compile, or {@code null} if it did (and the load failed)
     * @param log           the compiler's or JIT's log, or empty
     */
    public KernelBuildException failure(String programName, String device, int driverVersion, String kernelModule,
                                        String nvrtcReason, String log) {
        List<String> steps = new ArrayList<>(attempts);
        if (nvrtcReason != null) {
            steps.add("cannot compile at run time: " + nvrtcReason);
        }
        String found = "CUDA driver " + CudaVersions.format(driverVersion) + (kernelModule == null ? "" : " (NVIDIA " + kernelModule + ")");
        StringBuilder message = new StringBuilder(programName + ": no kernels can be loaded on " + device + " with "
                + found + ": " + String.join("; ", steps) + ". ");
        if (shipped != null && (driverTooOld || shipped.minimumDriverVersion() > driverVersion)) {
            message.append("Found a ").append(found).append("; the shipped kernels need CUDA ")
                    .append(CudaVersions.format(shipped.minimumDriverVersion())).append(", i.e. NVIDIA driver ")
                    .append(CudaVersions.minimumLinuxDriver(shipped.minimumDriverVersion()))
                    .append(" or newer: update the driver, or install NVRTC (the CUDA toolkit, or pip's nvidia-cuda-nvrtc;"
                            + " DELTAPROP_NVRTC may point at libnvrtc.so) so that deltaprop compiles them here");
        } else {
            message.append("Install NVRTC (the CUDA toolkit, or pip's nvidia-cuda-nvrtc; DELTAPROP_NVRTC may point at"
                    + " libnvrtc.so) so that deltaprop can compile the kernels for this GPU, or rebuild the jar with nvcc");
        }
        return new KernelBuildException(message.toString(), log == null ? "" : log);
    }
}

package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.ProgramSource;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;

/**
 * The order in which a CUDA driver gets a module, whichever binding makes the calls: the image
 * {@link CudaModulePlan} chooses, with {@code cuModuleLoadData}; when there is none that fits,
 * or the driver refuses it, the source compiled by NVRTC ({@link Nvrtc}) and loaded with
 * {@code cuModuleLoadDataEx}, the JIT's log kept; otherwise the plan's failure. Falling back to
 * NVRTC is said once, at INFO, on the logger of this package: it costs seconds, and a user who
 * expected the shipped fatbin should learn why it was not used.
 */
public final class CudaModules {
    private static final System.Logger LOG = System.getLogger(CudaModules.class.getPackageName());

    private CudaModules() {
    }

    /** The two loads, made by a binding. */
    public interface Calls<M> {
        /** {@code cuModuleLoadData(image)}: the module, or {@code null} with the result in {@code result[0]}. */
        M loadData(byte[] image, int[] result);

        /** {@code cuModuleLoadDataEx(image)} with an error log: the module, or {@code null} with the result and the log. */
        M loadJit(byte[] image, int[] result, String[] log);
    }

    /** A loaded module and where its code came from, e.g. {@code kernels/mlp.fatbin} or {@code NVRTC 13.0 …, sm_90 cubin}. */
    public record Loaded<M>(M module, String origin) {
    }

    public static <M> Loaded<M> load(ProgramSource source, Map<String, String> defines, CudaDevice device, int driverVersion,
                                     Calls<M> calls) {
        CudaModulePlan plan = CudaModulePlan.of(source, defines);
        byte[] image = plan.image();
        int[] result = new int[1];
        if (image != null) {
            M module = calls.loadData(image, result);
            if (module != null) {
                return new Loaded<>(module, plan.origin());
            }
            plan.refused(result[0], device.major(), device.minor(), driverVersion);
        }
        String nvrtcReason;
        try {
            nvrtcReason = Nvrtc.unavailableReason();
        } catch (LinkageError e) {
            nvrtcReason = "NVRTC is reached through LWJGL (org.lwjgl:lwjgl, lwjgl-cuda), which is not on the class path: " + e;
        }
        if (nvrtcReason != null) {
            throw plan.failure(source.name(), device.describe(), driverVersion, CudaVersions.kernelModule(), nvrtcReason, "");
        }
        List<String> why = plan.attempts();
        LOG.log(Level.INFO, () -> source.name() + ": compiling the kernels with " + Nvrtc.describe() + " for sm_"
                + device.major() + device.minor() + " on " + device.name() + ": " + String.join("; ", why));
        Nvrtc.Output output = Nvrtc.compile(source.name(), source.text(), defines, device.major(), device.minor());
        String target = output.target() + (output.cubin() ? " cubin" : " PTX");
        String[] log = {""};
        M module = calls.loadJit(output.image(), result, log);
        if (module != null) {
            return new Loaded<>(module, Nvrtc.describe() + ", " + target + (why.isEmpty() ? "" : " (" + String.join("; ", why) + ")"));
        }
        plan.compiledButRefused(Nvrtc.describe(), target, result[0]);
        throw plan.failure(source.name(), device.describe(), driverVersion, CudaVersions.kernelModule(), null, log[0]);
    }
}

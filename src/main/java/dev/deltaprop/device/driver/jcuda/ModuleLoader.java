package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.cuda.CudaModulePlan;
import dev.deltaprop.device.driver.cuda.CudaResult;
import dev.deltaprop.device.driver.cuda.CudaVersions;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.cuda.Nvrtc;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

/**
 * The JCuda calls of {@link CudaModulePlan}: the shipped fatbin with {@code cuModuleLoadData}
 * when it fits the program; otherwise, or when the driver refuses it, the source compiled by the
 * user's NVRTC ({@link Nvrtc}) and loaded with {@code cuModuleLoadDataEx} with the JIT's error
 * log kept; otherwise the plan's failure, which names the driver version found and the one needed.
 */
final class ModuleLoader {

    private final Jcuda.DeviceInfo device;
    private final int driverVersion;

    ModuleLoader(Jcuda.DeviceInfo device, int driverVersion) {
        this.device = device;
        this.driverVersion = driverVersion;
    }

    /** A loaded module and where its code came from, e.g. {@code kernels/mlp.fatbin} or {@code NVRTC 13.0 …, sm_90 cubin}. */
    record Loaded(CUmodule module, String origin) {
    }

    Loaded load(ProgramSource source, Map<String, String> defines) {
        CudaModulePlan plan = CudaModulePlan.of(source, defines);
        byte[] image = plan.image();
        if (image != null) {
            CUmodule module = new CUmodule();
            int result = JCudaDriver.cuModuleLoadData(module, image);
            if (result == CudaResult.SUCCESS) {
                return new Loaded(module, plan.origin());
            }
            plan.refused(result, device.major(), device.minor(), driverVersion);
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
        Nvrtc.Output output = Nvrtc.compile(source.name(), source.text(), defines, device.major(), device.minor());
        JITOptions options = new JITOptions();
        options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[16 * 1024]);
        CUmodule module = new CUmodule();
        int result = JCudaDriver.cuModuleLoadDataJIT(module, Pointer.to(output.image()), options);
        String target = output.target() + (output.cubin() ? " cubin" : " PTX");
        if (result == CudaResult.SUCCESS) {
            java.util.List<String> why = plan.attempts();
            return new Loaded(module, Nvrtc.describe() + ", " + target + (why.isEmpty() ? "" : " (" + String.join("; ", why) + ")"));
        }
        plan.compiledButRefused(Nvrtc.describe(), target, result);
        String log = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
        throw plan.failure(source.name(), device.describe(), driverVersion, CudaVersions.kernelModule(), null, log);
    }
}

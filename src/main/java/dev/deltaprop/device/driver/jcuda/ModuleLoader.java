package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.CudaResult;
import dev.deltaprop.device.driver.CudaVersions;
import dev.deltaprop.device.driver.Fatbin;
import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.ShippedFatbin;
import dev.deltaprop.device.driver.nvrtc.Nvrtc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.JITOptions;
import jcuda.driver.JCudaDriver;

/**
 * Turns a CUDA entry into a loaded module, in this order:
 * <ol>
 *   <li>the fatbin shipped for the source (which the engine hands over as the source's binary),
 *       when its build record says it was built from the same text and macros
 *       ({@link ShippedFatbin#mismatch}), or a caller's own binary, loaded with
 *       {@code cuModuleLoadData} (no compiling at start: it holds machine code for sm_80 to sm_90);</li>
 *   <li>when there is none, or the driver refuses it (a driver older than the {@code nvcc} that
 *       built it, or a GPU it has no code for), the same source compiled here by the user's
 *       NVRTC ({@link Nvrtc}) and loaded with {@code cuModuleLoadDataEx}, the JIT log kept;</li>
 *   <li>otherwise a {@link KernelBuildException} that says what each step found, the CUDA
 *       version of the driver found and the one the fatbin needs.</li>
 * </ol>
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
        List<String> attempts = new ArrayList<>();
        ShippedFatbin shipped = ShippedFatbin.find(source.name());
        byte[] image = source.binary();
        String origin = "the binary given with " + source.name();
        // the engine hands over the jar's fatbin as the source's binary; its build record says
        // whether it was built from this text with these macros (a caller's own binary is trusted)
        boolean isShipped = shipped != null && (image == null || Arrays.equals(image, shipped.image()));
        if (isShipped) {
            String mismatch = shipped.mismatch(source, defines);
            if (mismatch == null) {
                image = shipped.image();
                origin = shipped.resource();
            } else {
                image = null;
                attempts.add(mismatch);
            }
        } else if (image == null) {
            attempts.add("no fatbin is shipped for " + source.name() + " (the jar was built without nvcc)");
        } else {
            shipped = null;
        }
        if (image != null) {
            CUmodule module = new CUmodule();
            int result = JCudaDriver.cuModuleLoadData(module, image);
            if (result == CudaResult.SUCCESS) {
                return new Loaded(module, origin);
            }
            attempts.add("cuModuleLoadData " + origin + ": " + CudaResult.name(result) + explain(result, image, shipped));
        }
        String nvrtcReason;
        try {
            nvrtcReason = Nvrtc.unavailableReason();
        } catch (LinkageError e) {
            nvrtcReason = "NVRTC needs LWJGL (org.lwjgl:lwjgl, lwjgl-cuda), which is not on the class path: " + e;
        }
        if (nvrtcReason == null) {
            return compileAndLoad(source, defines, attempts);
        }
        attempts.add("cannot compile at run time: " + nvrtcReason);
        throw new KernelBuildException(source.name() + ": no kernels can be loaded on " + device.describe()
                + " with CUDA driver " + CudaVersions.format(driverVersion) + kernelModuleSuffix()
                + ": " + String.join("; ", attempts) + advice(shipped), "");
    }

    private Loaded compileAndLoad(ProgramSource source, Map<String, String> defines, List<String> attempts) {
        Nvrtc.Output output = Nvrtc.compile(source.name(), source.text(), defines, device.major(), device.minor());
        byte[] log = new byte[16 * 1024];
        JITOptions options = new JITOptions();
        options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, log);
        CUmodule module = new CUmodule();
        int result = JCudaDriver.cuModuleLoadDataJIT(module, Pointer.to(output.image()), options);
        if (result == CudaResult.SUCCESS) {
            return new Loaded(module, Nvrtc.describe() + ", " + output.target() + (output.cubin() ? " cubin" : " PTX")
                    + (attempts.isEmpty() ? "" : " (" + String.join("; ", attempts) + ")"));
        }
        String jitLog = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
        attempts.add("cuModuleLoadDataEx (" + Nvrtc.describe() + ", " + output.target() + "): " + CudaResult.name(result));
        throw new KernelBuildException(source.name() + ": no kernels can be loaded on " + device.describe()
                + " with CUDA driver " + CudaVersions.format(driverVersion) + kernelModuleSuffix() + ": "
                + String.join("; ", attempts), jitLog == null ? "" : jitLog);
    }

    /** Why the driver may have refused the image, in terms of what the image holds. */
    private String explain(int result, byte[] image, ShippedFatbin shipped) {
        String name = CudaResult.name(result);
        String holds = "";
        if (Fatbin.isFatbin(image)) {
            try {
                Fatbin fatbin = Fatbin.parse(image);
                holds = " (it holds " + fatbin + "; this GPU is sm_" + device.major() + device.minor()
                        + (fatbin.runsOn(device.major(), device.minor()) ? "" : ", which none of them runs on") + ")";
            } catch (IllegalArgumentException e) {
                holds = " (" + e.getMessage() + ")";
            }
        }
        if (shipped != null && shipped.minimumDriverVersion() > driverVersion) {
            holds += "; built by nvcc " + shipped.nvccVersion() + ", it needs a driver for CUDA "
                    + CudaVersions.format(shipped.minimumDriverVersion()) + " or newer";
        } else if (name.equals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION") || name.equals("CUDA_ERROR_INVALID_PTX")) {
            holds += "; its PTX is newer than this driver compiles";
        }
        return holds;
    }

    private String advice(ShippedFatbin shipped) {
        if (shipped != null && shipped.minimumDriverVersion() > driverVersion) {
            return ". Found a driver for CUDA " + CudaVersions.format(driverVersion) + kernelModuleSuffix()
                    + "; the shipped kernels need CUDA " + CudaVersions.format(shipped.minimumDriverVersion())
                    + ", i.e. NVIDIA driver " + CudaVersions.minimumLinuxDriver(shipped.minimumDriverVersion())
                    + " or newer: update the driver, or install NVRTC (the CUDA toolkit, or pip's nvidia-cuda-nvrtc) and "
                    + "point DELTAPROP_NVRTC at libnvrtc.so so deltaprop compiles them here";
        }
        return ". Install NVRTC (the CUDA toolkit, or pip's nvidia-cuda-nvrtc; DELTAPROP_NVRTC may point at "
                + "libnvrtc.so) so deltaprop can compile the kernels for this GPU, or rebuild the jar with nvcc";
    }

    private static String kernelModuleSuffix() {
        String module = CudaVersions.kernelModule();
        return module == null ? "" : " (NVIDIA " + module + ")";
    }

}

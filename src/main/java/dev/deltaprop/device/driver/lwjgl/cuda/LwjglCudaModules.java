package dev.deltaprop.device.driver.lwjgl.cuda;

import dev.deltaprop.device.driver.cuda.CudaModulePlan;
import dev.deltaprop.device.driver.cuda.CudaResult;
import dev.deltaprop.device.driver.cuda.CudaVersions;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.cuda.Nvrtc;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.List;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.cuda.CU;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The LWJGL calls of {@link CudaModulePlan} (whose decisions and messages the JCuda driver
 * shares): the fatbin the engine hands over as {@link ProgramSource#binary()} (or the one shipped
 * in the jar) with {@code cuModuleLoadData} when it was built for this program; otherwise, or
 * when the driver refuses it, the source compiled by NVRTC ({@link Nvrtc}) and loaded with
 * {@code cuModuleLoadDataEx}, keeping the JIT's error log; otherwise the plan's failure.
 *
 * <p>Images are copied into {@code memAlloc}'d memory (a fatbin is far larger than LWJGL's
 * stack) with a NUL after them (PTX is text and must end in one), and freed after the load, which
 * copies them.
 */
final class LwjglCudaModules {
    private static final int JIT_LOG_BYTES = 16 * 1024;

    private final LwjglCuda.DeviceInfo device;
    private final int driverVersion;

    LwjglCudaModules(LwjglCuda.DeviceInfo device, int driverVersion) {
        this.device = device;
        this.driverVersion = driverVersion;
    }

    /** A loaded {@code CUmodule} and where its code came from. */
    record Loaded(long module, String origin) {
    }

    Loaded load(ProgramSource source, Map<String, String> defines) {
        CudaModulePlan plan = CudaModulePlan.of(source, defines);
        byte[] image = plan.image();
        if (image != null) {
            ByteBuffer native_ = terminated(image);
            try (MemoryStack stack = MemoryStack.stackPush()) {
                PointerBuffer module = stack.mallocPointer(1);
                int result = CU.cuModuleLoadData(module, native_);
                if (result == CudaResult.SUCCESS) {
                    return new Loaded(module.get(0), plan.origin());
                }
                plan.refused(result, device.major(), device.minor(), driverVersion);
            } finally {
                MemoryUtil.memFree(native_);
            }
        }
        String nvrtcReason = Nvrtc.unavailableReason();
        if (nvrtcReason != null) {
            throw plan.failure(source.name(), device.describe(), driverVersion, CudaVersions.kernelModule(), nvrtcReason, "");
        }
        Nvrtc.Output output = Nvrtc.compile(source.name(), source.text(), defines, device.major(), device.minor());
        String target = output.target() + (output.cubin() ? " cubin" : " PTX");
        ByteBuffer compiled = terminated(output.image());
        ByteBuffer log = MemoryUtil.memCalloc(JIT_LOG_BYTES);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer options = stack.ints(CU.CU_JIT_ERROR_LOG_BUFFER, CU.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            PointerBuffer values = stack.mallocPointer(2).put(0, MemoryUtil.memAddress(log)).put(1, JIT_LOG_BYTES);
            PointerBuffer module = stack.mallocPointer(1);
            int result = CU.cuModuleLoadDataEx(module, compiled, options, values);
            if (result == CudaResult.SUCCESS) {
                List<String> why = plan.attempts();
                return new Loaded(module.get(0), Nvrtc.describe() + ", " + target
                        + (why.isEmpty() ? "" : " (" + String.join("; ", why) + ")"));
            }
            plan.compiledButRefused(Nvrtc.describe(), target, result);
            throw plan.failure(source.name(), device.describe(), driverVersion, CudaVersions.kernelModule(), null,
                    MemoryUtil.memUTF8(MemoryUtil.memAddress(log)));
        } finally {
            MemoryUtil.memFree(log);
            MemoryUtil.memFree(compiled);
        }
    }

    /** {@code bytes} and a NUL in malloc'd memory; the caller frees it. */
    private static ByteBuffer terminated(byte[] bytes) {
        ByteBuffer buffer = MemoryUtil.memAlloc(bytes.length + 1);
        buffer.put(bytes).put((byte) 0).flip();
        return buffer;
    }
}

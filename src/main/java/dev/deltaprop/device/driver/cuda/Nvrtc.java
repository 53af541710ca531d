package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.KernelBuildException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lwjgl.PointerBuffer;
import org.lwjgl.cuda.NVRTC;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * Compiles CUDA C at run time with the NVRTC library the user has, for the CUDA drivers when the
 * shipped fatbin cannot be used (a driver older than the {@code nvcc} that built it, a GPU the
 * fatbin has no code for, or tile macros other than the ones it was built with).
 *
 * <p>Why LWJGL's binding and not JCuda's: JCuda 12.6's {@code libJNvrtc} links
 * {@code libnvrtc.so.12} by name, so it cannot load on a CUDA 13 machine; LWJGL binds NVRTC's
 * functions by name at run time from whatever library it is pointed at, so NVRTC 12 and 13 both
 * work. The library is found by {@link NvrtcLibrary} (which never loads anything); LWJGL is told
 * its path before its NVRTC class initialises. The outcome of the first load is kept for the
 * life of the JVM, as with every native load.
 *
 * <p>Output: machine code ({@code --gpu-architecture=sm_XY}, a cubin) when this NVRTC knows the
 * device's architecture, else PTX for the highest {@code compute_XY} it knows below the device,
 * which the driver then compiles.
 */
public final class Nvrtc {

    private static String unavailable;
    private static boolean tried;
    private static String version;
    private static int[] architectures = new int[0];
    private static NvrtcLibrary.Found library;

    private Nvrtc() {
    }

    /** What {@link #compile} produced: the image, whether it is a cubin or PTX, and for which architecture. */
    public record Output(byte[] image, boolean cubin, String target, String log) {
    }

    /** Why NVRTC cannot be used here, or {@code null} when it can. Never throws; cached. */
    public static synchronized String unavailableReason() {
        if (!tried) {
            unavailable = load();
            tried = true;
        }
        return unavailable;
    }

    /** E.g. {@code NVRTC 13.0 (/usr/local/cuda-13.0/lib64/libnvrtc.so.13)}; {@code null} when unavailable. */
    public static synchronized String describe() {
        return unavailableReason() == null ? "NVRTC " + version + " (" + library.library() + ")" : null;
    }

    private static String load() {
        NvrtcLibrary.Found found = NvrtcLibrary.find(System.getenv());
        if (found == null) {
            return "no NVRTC library (" + String.join(", ", NvrtcLibrary.NAMES)
                    + ") in LD_LIBRARY_PATH, CUDA_HOME, /usr/local/cuda*, the system folders or a Python "
                    + "environment's nvidia wheels; set DELTAPROP_NVRTC to its path";
        }
        try {
            Configuration.CUDA_NVRTC_LIBRARY_NAME.set(found.library().toString());
            if (found.builtins() != null) {
                Configuration.CUDA_NVRTC_BUILTINS_LIBRARY_NAME.set(found.builtins().toString());
            }
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer major = stack.mallocInt(1);
                IntBuffer minor = stack.mallocInt(1);
                int result = NVRTC.nvrtcVersion(major, minor);
                if (result != NVRTC.NVRTC_SUCCESS) {
                    return "nvrtcVersion: " + NVRTC.nvrtcGetErrorString(result) + " (" + found.library() + ")";
                }
                version = major.get(0) + "." + minor.get(0);
                IntBuffer count = stack.mallocInt(1);
                if (NVRTC.nvrtcGetNumSupportedArchs(count) == NVRTC.NVRTC_SUCCESS) {
                    IntBuffer archs = stack.mallocInt(count.get(0));
                    if (NVRTC.nvrtcGetSupportedArchs(archs) == NVRTC.NVRTC_SUCCESS) {
                        architectures = new int[count.get(0)];
                        archs.get(architectures);
                    }
                }
            }
            library = found;
            return null;
        } catch (LinkageError | RuntimeException e) {
            // LWJGL (core or its natives) missing, or the library found does not load
            return "NVRTC at " + found.library() + " could not load: " + e;
        }
    }

    /**
     * Compiles {@code source} for a device of compute capability {@code major.minor}.
     *
     * @param name    for messages, e.g. {@code kernels/mlp.cu}
     * @param source  the CUDA C source, every include resolved
     * @param defines macros, passed as {@code -DNAME=value}
     * @throws KernelBuildException with NVRTC's log when the source does not compile
     * @throws IllegalStateException when NVRTC is unavailable (see {@link #unavailableReason()})
     */
    public static synchronized Output compile(String name, String source, Map<String, String> defines,
                                              int major, int minor) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
        int device = 10 * major + minor;
        int best = 0;
        boolean exact = false;
        for (int architecture : architectures) {
            exact |= architecture == device;
            if (architecture <= device && architecture > best) {
                best = architecture;
            }
        }
        if (best == 0) {
            throw new KernelBuildException(name + ": " + describe() + " cannot compile for compute capability "
                    + major + "." + minor + " (it supports " + java.util.Arrays.toString(architectures) + ")", "");
        }
        String target = exact ? "sm_" + device : "compute_" + best;
        List<String> options = new ArrayList<>();
        options.add("--gpu-architecture=" + target);
        for (Map.Entry<String, String> define : defines.entrySet()) {
            options.add("-D" + define.getKey() + "=" + define.getValue());
        }
        // the source goes through malloc'd memory, not the (64 KiB) MemoryStack: kernels grow
        ByteBuffer sourceText = MemoryUtil.memUTF8(source);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer program = stack.mallocPointer(1);
            check(name, "nvrtcCreateProgram", NVRTC.nvrtcCreateProgram(program, sourceText, stack.UTF8(name), null, null), "");
            long handle = program.get(0);
            try {
                PointerBuffer optionPointers = stack.mallocPointer(options.size());
                for (String option : options) {
                    optionPointers.put(MemoryUtil.memAddress(stack.UTF8(option)));   // valid until the stack pops
                }
                optionPointers.flip();
                int compiled = NVRTC.nvrtcCompileProgram(handle, optionPointers);
                String log = programLog(handle, stack);
                check(name, "nvrtcCompileProgram " + String.join(" ", options), compiled, log);
                PointerBuffer size = stack.mallocPointer(1);
                byte[] image;
                if (exact) {
                    check(name, "nvrtcGetCUBINSize", NVRTC.nvrtcGetCUBINSize(handle, size), log);
                    ByteBuffer bytes = MemoryUtil.memAlloc((int) size.get(0));
                    try {
                        check(name, "nvrtcGetCUBIN", NVRTC.nvrtcGetCUBIN(handle, bytes), log);
                        image = new byte[bytes.remaining()];
                        bytes.get(image);
                    } finally {
                        MemoryUtil.memFree(bytes);
                    }
                } else {
                    check(name, "nvrtcGetPTXSize", NVRTC.nvrtcGetPTXSize(handle, size), log);
                    ByteBuffer bytes = MemoryUtil.memAlloc((int) size.get(0));   // includes the NUL the driver needs
                    try {
                        check(name, "nvrtcGetPTX", NVRTC.nvrtcGetPTX(handle, bytes), log);
                        image = new byte[bytes.remaining()];
                        bytes.get(image);
                    } finally {
                        MemoryUtil.memFree(bytes);
                    }
                }
                return new Output(image, exact, target, log);
            } finally {
                program.put(0, handle);
                NVRTC.nvrtcDestroyProgram(program);
            }
        } finally {
            MemoryUtil.memFree(sourceText);
        }
    }

    private static String programLog(long handle, MemoryStack stack) {
        PointerBuffer size = stack.mallocPointer(1);
        if (NVRTC.nvrtcGetProgramLogSize(handle, size) != NVRTC.NVRTC_SUCCESS || size.get(0) <= 1) {
            return "";
        }
        ByteBuffer bytes = MemoryUtil.memAlloc((int) size.get(0));
        try {
            if (NVRTC.nvrtcGetProgramLog(handle, bytes) != NVRTC.NVRTC_SUCCESS) {
                return "";
            }
            byte[] text = new byte[bytes.remaining()];
            bytes.get(text);
            int length = text.length;
            while (length > 0 && text[length - 1] == 0) {
                length--;
            }
            return new String(text, 0, length, StandardCharsets.UTF_8);
        } finally {
            MemoryUtil.memFree(bytes);
        }
    }

    private static void check(String name, String call, int result, String log) {
        if (result != NVRTC.NVRTC_SUCCESS) {
            throw new KernelBuildException(name + ": " + call + ": " + NVRTC.nvrtcGetErrorString(result), log);
        }
    }
}

package dev.deltaprop.device.driver.cuda;

import dev.deltaprop.device.driver.DriverException;

import java.util.HashMap;
import java.util.Map;

/**
 * The names of the CUDA driver API's result codes ({@code CUresult} in {@code cuda.h}), so that
 * every CUDA driver (JCuda, LWJGL) reports a failed call the same way:
 * {@code cuModuleLoadData: CUDA_ERROR_NO_BINARY_FOR_GPU}.
 *
 * <p>The table is CUDA 13.0's {@code cuda.h}, generated from the header; codes that a later
 * driver adds and this table lacks are named {@code CUDA_ERROR_<number>} rather than dropped.
 * (JCuda's own {@code CUresult.stringFor} knows only CUDA 12.6's codes, and LWJGL has none.)
 */
public final class CudaResult {

    /** {@code CUDA_SUCCESS}. */
    public static final int SUCCESS = 0;

    /** {@code CUDA_ERROR_STREAM_CAPTURE_INVALIDATED}: what ending a capture that a failed call broke returns. */
    public static final int STREAM_CAPTURE_INVALIDATED = 901;

    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        Map<Integer, String> names = NAMES;
        names.put(0, "CUDA_SUCCESS");
        names.put(1, "CUDA_ERROR_INVALID_VALUE");
        names.put(2, "CUDA_ERROR_OUT_OF_MEMORY");
        names.put(3, "CUDA_ERROR_NOT_INITIALIZED");
        names.put(4, "CUDA_ERROR_DEINITIALIZED");
        names.put(5, "CUDA_ERROR_PROFILER_DISABLED");
        names.put(6, "CUDA_ERROR_PROFILER_NOT_INITIALIZED");
        names.put(7, "CUDA_ERROR_PROFILER_ALREADY_STARTED");
        names.put(8, "CUDA_ERROR_PROFILER_ALREADY_STOPPED");
        names.put(34, "CUDA_ERROR_STUB_LIBRARY");
        names.put(36, "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER");
        names.put(46, "CUDA_ERROR_DEVICE_UNAVAILABLE");
        names.put(100, "CUDA_ERROR_NO_DEVICE");
        names.put(101, "CUDA_ERROR_INVALID_DEVICE");
        names.put(102, "CUDA_ERROR_DEVICE_NOT_LICENSED");
        names.put(200, "CUDA_ERROR_INVALID_IMAGE");
        names.put(201, "CUDA_ERROR_INVALID_CONTEXT");
        names.put(202, "CUDA_ERROR_CONTEXT_ALREADY_CURRENT");
        names.put(205, "CUDA_ERROR_MAP_FAILED");
        names.put(206, "CUDA_ERROR_UNMAP_FAILED");
        names.put(207, "CUDA_ERROR_ARRAY_IS_MAPPED");
        names.put(208, "CUDA_ERROR_ALREADY_MAPPED");
        names.put(209, "CUDA_ERROR_NO_BINARY_FOR_GPU");
        names.put(210, "CUDA_ERROR_ALREADY_ACQUIRED");
        names.put(211, "CUDA_ERROR_NOT_MAPPED");
        names.put(212, "CUDA_ERROR_NOT_MAPPED_AS_ARRAY");
        names.put(213, "CUDA_ERROR_NOT_MAPPED_AS_POINTER");
        names.put(214, "CUDA_ERROR_ECC_UNCORRECTABLE");
        names.put(215, "CUDA_ERROR_UNSUPPORTED_LIMIT");
        names.put(216, "CUDA_ERROR_CONTEXT_ALREADY_IN_USE");
        names.put(217, "CUDA_ERROR_PEER_ACCESS_UNSUPPORTED");
        names.put(218, "CUDA_ERROR_INVALID_PTX");
        names.put(219, "CUDA_ERROR_INVALID_GRAPHICS_CONTEXT");
        names.put(220, "CUDA_ERROR_NVLINK_UNCORRECTABLE");
        names.put(221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND");
        names.put(222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION");
        names.put(223, "CUDA_ERROR_JIT_COMPILATION_DISABLED");
        names.put(224, "CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY");
        names.put(225, "CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC");
        names.put(226, "CUDA_ERROR_CONTAINED");
        names.put(300, "CUDA_ERROR_INVALID_SOURCE");
        names.put(301, "CUDA_ERROR_FILE_NOT_FOUND");
        names.put(302, "CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND");
        names.put(303, "CUDA_ERROR_SHARED_OBJECT_INIT_FAILED");
        names.put(304, "CUDA_ERROR_OPERATING_SYSTEM");
        names.put(400, "CUDA_ERROR_INVALID_HANDLE");
        names.put(401, "CUDA_ERROR_ILLEGAL_STATE");
        names.put(402, "CUDA_ERROR_LOSSY_QUERY");
        names.put(500, "CUDA_ERROR_NOT_FOUND");
        names.put(600, "CUDA_ERROR_NOT_READY");
        names.put(700, "CUDA_ERROR_ILLEGAL_ADDRESS");
        names.put(701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
        names.put(702, "CUDA_ERROR_LAUNCH_TIMEOUT");
        names.put(703, "CUDA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING");
        names.put(704, "CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED");
        names.put(705, "CUDA_ERROR_PEER_ACCESS_NOT_ENABLED");
        names.put(708, "CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE");
        names.put(709, "CUDA_ERROR_CONTEXT_IS_DESTROYED");
        names.put(710, "CUDA_ERROR_ASSERT");
        names.put(711, "CUDA_ERROR_TOO_MANY_PEERS");
        names.put(712, "CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED");
        names.put(713, "CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED");
        names.put(714, "CUDA_ERROR_HARDWARE_STACK_ERROR");
        names.put(715, "CUDA_ERROR_ILLEGAL_INSTRUCTION");
        names.put(716, "CUDA_ERROR_MISALIGNED_ADDRESS");
        names.put(717, "CUDA_ERROR_INVALID_ADDRESS_SPACE");
        names.put(718, "CUDA_ERROR_INVALID_PC");
        names.put(719, "CUDA_ERROR_LAUNCH_FAILED");
        names.put(720, "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE");
        names.put(721, "CUDA_ERROR_TENSOR_MEMORY_LEAK");
        names.put(800, "CUDA_ERROR_NOT_PERMITTED");
        names.put(801, "CUDA_ERROR_NOT_SUPPORTED");
        names.put(802, "CUDA_ERROR_SYSTEM_NOT_READY");
        names.put(803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH");
        names.put(804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE");
        names.put(805, "CUDA_ERROR_MPS_CONNECTION_FAILED");
        names.put(806, "CUDA_ERROR_MPS_RPC_FAILURE");
        names.put(807, "CUDA_ERROR_MPS_SERVER_NOT_READY");
        names.put(808, "CUDA_ERROR_MPS_MAX_CLIENTS_REACHED");
        names.put(809, "CUDA_ERROR_MPS_MAX_CONNECTIONS_REACHED");
        names.put(810, "CUDA_ERROR_MPS_CLIENT_TERMINATED");
        names.put(811, "CUDA_ERROR_CDP_NOT_SUPPORTED");
        names.put(812, "CUDA_ERROR_CDP_VERSION_MISMATCH");
        names.put(900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED");
        names.put(901, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED");
        names.put(902, "CUDA_ERROR_STREAM_CAPTURE_MERGE");
        names.put(903, "CUDA_ERROR_STREAM_CAPTURE_UNMATCHED");
        names.put(904, "CUDA_ERROR_STREAM_CAPTURE_UNJOINED");
        names.put(905, "CUDA_ERROR_STREAM_CAPTURE_ISOLATION");
        names.put(906, "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT");
        names.put(907, "CUDA_ERROR_CAPTURED_EVENT");
        names.put(908, "CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD");
        names.put(909, "CUDA_ERROR_TIMEOUT");
        names.put(910, "CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE");
        names.put(911, "CUDA_ERROR_EXTERNAL_DEVICE");
        names.put(912, "CUDA_ERROR_INVALID_CLUSTER_SIZE");
        names.put(913, "CUDA_ERROR_FUNCTION_NOT_LOADED");
        names.put(914, "CUDA_ERROR_INVALID_RESOURCE_TYPE");
        names.put(915, "CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION");
        names.put(916, "CUDA_ERROR_KEY_ROTATION");
        names.put(999, "CUDA_ERROR_UNKNOWN");
    }

    private CudaResult() {
    }

    /** The code's name from {@code cuda.h}, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}; {@code CUDA_ERROR_<code>} when unknown. */
    public static String name(int code) {
        String name = NAMES.get(code);
        return name != null ? name : "CUDA_ERROR_" + code;
    }

    /**
     * Throws a {@link DriverException} {@code "call: CUDA_ERROR_NAME"} unless {@code code} is
     * {@code CUDA_SUCCESS}.
     *
     * @param call the driver API function that returned {@code code}, e.g. {@code cuMemAlloc}
     */
    public static void check(String call, int code) {
        if (code != SUCCESS) {
            throw new DriverException(call + ": " + name(code));
        }
    }

    /** How many codes the table names (for tests). */
    static int size() {
        return NAMES.size();
    }
}

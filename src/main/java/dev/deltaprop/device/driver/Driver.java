package dev.deltaprop.device.driver;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The small surface every GPU binding (JOCL, JCuda, LWJGL) offers the engine: one device, one
 * in-order queue (OpenCL command queue / CUDA stream). It allocates, frees, copies, builds a
 * program with defines, launches with a grid, finishes and times; it knows nothing of networks.
 *
 * <p>Sizes and offsets are in elements (4-byte floats or ints), not bytes. Grids are given the
 * CUDA way, as a number of work-groups (blocks) and the size of one; an OpenCL driver launches
 * {@code groups[d] × groupSize[d]} work-items in dimension {@code d}. Copies from the host are
 * complete (the source may be reused) when the call returns; launches are asynchronous until
 * {@link #finish()} or a read. Every native call's result is checked; a failure throws a
 * {@link DriverException} naming the call and the error.
 *
 * <p>Uploads may also go on a second queue of their own, the <em>upload lane</em> (OpenCL: a
 * second command queue; CUDA: a second stream), so that a batch's copy runs while the kernels
 * before it still run ({@link #overlapsUploads()}). The two queues are ordered only by
 * {@link Fence}s: {@link #upload} waits on the lane for a fence the queue {@link #signal}ed (the
 * kernels that last read the target have run) and signals one on the lane when its copy is done,
 * which the queue {@link #await}s before the kernels that read what it copied. Where there is no
 * lane, an upload is a {@link #write} on the one queue and fences are nothing, which orders the
 * same.
 */
public interface Driver extends AutoCloseable {

    /** The kernel language this driver builds: which entry of {@code kernels/} the engine hands it. */
    enum Language { OPENCL_C, CUDA_C }

    /** The kind of device, which chooses the tile profile. */
    enum DeviceType { GPU, CPU, OTHER }

    /** The binding and its version, e.g. {@code JOCL 2.0.6}. */
    String binding();

    /** The device's name, e.g. {@code NVIDIA H200} or {@code cpu-haswell-AMD EPYC}. */
    String deviceName();

    /** Platform, driver and runtime versions of the device, in one line. */
    String deviceVersion();

    DeviceType deviceType();

    Language language();

    /** Global memory in bytes. */
    long globalMemoryBytes();

    /** The largest work-group (block) size a kernel may be launched with. */
    int maxGroupSize();

    /**
     * The device's compute units (CUDA multiprocessors, OpenCL {@code CL_DEVICE_MAX_COMPUTE_UNITS}):
     * how many work-groups run at once, at least one each, which sizes the engine's split-K choice.
     */
    int computeUnits();

    /** Device memory of {@code elements} 4-byte elements; freed by {@link #free} or {@link #close}. */
    Memory allocate(long elements);

    /** Frees {@code memory}; freeing twice is an error. */
    void free(Memory memory);

    /** Copies {@code count} floats from {@code source[sourceOffset..]} to {@code target[targetOffset..]}. */
    void write(Memory target, long targetOffset, float[] source, int sourceOffset, int count);

    /** Copies {@code count} floats from the buffer's position (not moved) to {@code target[targetOffset..]}. */
    void write(Memory target, long targetOffset, FloatBuffer source, int count);

    /** Copies {@code count} ints from {@code source[sourceOffset..]} to {@code target[targetOffset..]}. */
    void write(Memory target, long targetOffset, int[] source, int sourceOffset, int count);

    /** Waits for the queue, then copies {@code count} floats from {@code source[sourceOffset..]} to the host. */
    void read(Memory source, long sourceOffset, float[] target, int targetOffset, int count);

    /**
     * Builds a program from {@code source} with the macros {@code defines} ({@code -DNAME=value}).
     *
     * @throws KernelBuildException with the compiler's log when it does not build
     */
    Program build(ProgramSource source, Map<String, String> defines);

    /** The kernel called {@code name} in {@code program}. */
    Kernel kernel(Program program, String name);

    /**
     * Enqueues {@code kernel} on {@code groups} work-groups of {@code groupSize} work-items (1 to 3
     * dimensions each, same length). Arguments are {@link Memory}, {@link Integer} or
     * {@link Float}, in the kernel's order.
     */
    void launch(Kernel kernel, int[] groups, int[] groupSize, Object... arguments);

    /** Waits until everything enqueued has finished. */
    void finish();

    /** Records a point in the queue, for {@link #elapsedNanos}. */
    TimingMark mark();

    /** Waits for {@code end}, then the device time between the two marks in nanoseconds. */
    long elapsedNanos(TimingMark start, TimingMark end);

    /**
     * Whether this driver's device reads {@code peer}'s memory directly, turning that access on
     * from this side where it can (CUDA: {@code cuDeviceCanAccessPeer}, then
     * {@code cuCtxEnablePeerAccess}); called on the thread that drives this driver, once per peer
     * is enough. {@code false} for this driver itself, a peer of another binding or on the same
     * device, and always on OpenCL (no peer copies there).
     */
    boolean enablePeerAccess(Driver peer);

    /**
     * Enqueues a copy of {@code count} floats from {@code peer}'s {@code source[sourceOffset..]}
     * to this driver's {@code target[targetOffset..]} on this driver's queue
     * ({@code cuMemcpyPeerAsync}); only after {@link #enablePeerAccess} accepted {@code peer}.
     * Nothing orders it with the peer's queue: what wrote {@code source} must have finished
     * ({@link #finish()} on the peer's thread) first. Only the peer's buffer is read here, so the
     * peer's own thread may keep using the peer meanwhile.
     */
    void copyFromPeer(Memory target, long targetOffset, Driver peer, Memory source, long sourceOffset, int count);

    /**
     * Whether {@link #upload} runs on a queue of its own (the upload lane), ordered with the
     * queue only by {@link Fence}s; {@code false}: it is a {@link #write} on the one queue.
     */
    default boolean overlapsUploads() {
        return false;
    }

    /**
     * A fence of this driver, not yet signalled (waiting on it waits for nothing), reused by
     * signalling it again; freed by {@link #close()}. Made once per use, not per step.
     */
    default Fence fence() {
        return Fence.NONE;
    }

    /**
     * Copies {@code count} floats from {@code source[sourceOffset..]} to {@code target[targetOffset..]}
     * on the upload lane: after what {@code after} marks (the kernels that last read
     * {@code target}; {@code null} or never signalled: nothing), without waiting for the queue;
     * {@code done} ({@code null}: none) is signalled on the lane once the copy (and every lane
     * copy before it) has run. The source is free when the call returns, as for {@link #write}.
     * Nothing on the queue waits for the copy until it {@link #await}s {@code done}.
     */
    default void upload(Memory target, long targetOffset, float[] source, int sourceOffset, int count, Fence after,
                        Fence done) {
        write(target, targetOffset, source, sourceOffset, count);
    }

    /** As {@link #upload(Memory, long, float[], int, int, Fence, Fence)} from the buffer's position (not moved). */
    default void upload(Memory target, long targetOffset, FloatBuffer source, int count, Fence after, Fence done) {
        write(target, targetOffset, source, count);
    }

    /** Signals {@code fence} on the queue once everything enqueued on it so far has run (its previous signal forgotten). */
    default void signal(Fence fence) {
    }

    /** Makes what is enqueued on the queue from now on wait for {@code fence}'s last signal (none: no wait). */
    default void await(Fence fence) {
    }

    /**
     * Whether this driver can record launches into a graph and replay it ({@link #capture}):
     * the CUDA drivers can ({@code cuStreamBeginCapture} … {@code cuGraphLaunch}); OpenCL keeps
     * its queue.
     */
    default boolean capturesGraphs() {
        return false;
    }

    /**
     * Runs {@code launches}, whose kernel launches are recorded into a graph instead of running,
     * and returns the graph, ready for {@link #launch(Graph)}; nothing of it runs until then.
     * Inside {@code launches} only {@link #launch(Kernel, int[], int[], Object...)} is allowed (a
     * copy, a wait, a mark or an allocation throws {@link IllegalStateException}), since a
     * graph holds kernels and their arguments as they were at capture. A graph lives until
     * {@link #destroy(Graph)}, until a buffer it uses is freed, or until {@link #close()}.
     *
     * @throws UnsupportedOperationException where {@link #capturesGraphs()} is false
     */
    default Graph capture(Runnable launches) {
        throw new UnsupportedOperationException(binding() + ": no graphs (CUDA graphs are for cuda and cuda-lwjgl)");
    }

    /** Enqueues every launch {@code graph} recorded, in their order, with their arguments as captured. */
    default void launch(Graph graph) {
        throw new UnsupportedOperationException(binding() + ": no graphs (CUDA graphs are for cuda and cuda-lwjgl)");
    }

    /** Frees {@code graph}; a graph already destroyed (by a freed buffer) is left as it is. */
    default void destroy(Graph graph) {
        throw new UnsupportedOperationException(binding() + ": no graphs (CUDA graphs are for cuda and cuda-lwjgl)");
    }

    /** Frees every buffer, program, kernel, mark, fence and graph, and the queues and context. Idempotent. */
    @Override
    void close();

    /** Device memory owned by a driver. */
    interface Memory {
        /** Its size in 4-byte elements. */
        long elements();
    }

    /** A built program. */
    interface Program {
    }

    /** A kernel of a built program. */
    interface Kernel {
        String name();
    }

    /** A point in the queue. */
    interface TimingMark {
    }

    /**
     * A point in the queue or the upload lane that the other one can wait for ({@code cl_event},
     * {@code CUevent}): see {@link #upload}, {@link #signal} and {@link #await}.
     */
    interface Fence {
        /** The fence of a driver with no upload lane: nothing to wait for. */
        Fence NONE = new Fence() {
            @Override
            public String toString() {
                return "no fence (one queue)";
            }
        };
    }

    /** Launches recorded by {@link #capture}, replayed by {@link #launch(Graph)}. */
    interface Graph {
        /** Whether it may still be launched: not destroyed, no buffer it uses freed, its driver open. */
        boolean live();

        /** How many kernel launches it holds. */
        int launches();
    }
}

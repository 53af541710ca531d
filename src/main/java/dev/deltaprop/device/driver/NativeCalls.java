package dev.deltaprop.device.driver;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The native calls a binding makes for {@link NativeDriver}, which checks everything before it
 * calls them and owns every handle they return: a binding implements these and nothing else of
 * {@link Driver} but its device's description.
 *
 * @param <B> a device buffer ({@code cl_mem}, {@code CUdeviceptr})
 * @param <P> a built program ({@code cl_program}, {@code CUmodule})
 * @param <K> a kernel ({@code cl_kernel}, {@code CUfunction})
 * @param <E> a timing mark ({@code cl_event}, {@code CUevent})
 */
public abstract class NativeCalls<B, P, K, E> implements Driver {

    NativeCalls() {
    }

    /** Device memory of {@code bytes} bytes. */
    protected abstract B allocateNative(long bytes);

    /** Releases a buffer that the queue may still use; by default as {@link #releaseBuffer}. */
    protected void freeNative(B buffer) {
        releaseBuffer(buffer);
    }

    protected abstract void writeNative(B target, long targetOffset, float[] source, int sourceOffset, int count);

    /** From the buffer's position, which must not move. */
    protected abstract void writeNative(B target, long targetOffset, FloatBuffer source, int count);

    protected abstract void writeNative(B target, long targetOffset, int[] source, int sourceOffset, int count);

    /** Waits for the queue, then copies. */
    protected abstract void readNative(B source, long sourceOffset, float[] target, int targetOffset, int count);

    /** @throws KernelBuildException with the compiler's log when it does not build */
    protected abstract P buildNative(ProgramSource source, Map<String, String> defines);

    /** The kernel {@code name} of {@code program} (called {@code programName} in messages). */
    protected abstract K kernelNative(P program, String programName, String name);

    /** The most work-items a group of {@code kernel} may have; by default {@link #maxGroupSize()}. */
    protected int groupLimit(K kernel) {
        return maxGroupSize();
    }

    /** Sets the (checked) arguments and enqueues {@code groups[d] × groupSize[d]} work-items. */
    protected abstract void launchNative(K kernel, String name, int[] groups, int[] groupSize, Object[] arguments);

    protected abstract void finishNative();

    /** Whether this device reads {@code peer}'s memory directly (same binding, checked), turning it on; by default not. */
    protected boolean enablePeerNative(NativeDriver<B, P, K, E> peer) {
        return false;
    }

    /** Enqueues the peer copy of {@code count} floats; reached only for a peer that {@link #enablePeerNative} accepted. */
    protected void copyFromPeerNative(B target, long targetOffset, NativeDriver<B, P, K, E> peer, B source, long sourceOffset,
                                      int count) {
        throw new UnsupportedOperationException(binding() + ": peer copies");
    }

    protected abstract E markNative();

    /** Waits for {@code end}; the device time from {@code start} to {@code end}. */
    protected abstract long elapsedNanosNative(E start, E end);

    /** Whether a mark that has been read holds nothing native any more (so the driver may forget it); by default not. */
    protected boolean spent(E mark) {
        return false;
    }

    /** Makes the driver's context current on this thread, where the API has one; called before every native call. */
    protected void makeCurrent() {
    }

    /** Waits for everything queued: the first step of {@link #close()}, since releasing what a queued kernel uses is undefined. */
    protected abstract void quiesce();

    protected abstract void releaseMark(E mark);

    protected abstract void releaseBuffer(B buffer);

    /** Releases a kernel; by default nothing (a CUDA function belongs to its module). */
    protected void releaseKernel(K kernel) {
    }

    protected abstract void releaseProgram(P program);

    /** Whether the binding can capture the queue's launches into a graph; by default not (then no graph call is made). */
    protected boolean graphsNative() {
        return false;
    }

    /** Starts recording the queue's launches into a graph instead of running them ({@code cuStreamBeginCapture}). */
    protected void beginCaptureNative() {
        throw new UnsupportedOperationException(binding() + ": no graphs");
    }

    /**
     * Stops recording and returns the recorded graph made ready to launch ({@code cuStreamEndCapture},
     * {@code cuGraphInstantiate}, then {@code cuGraphDestroy} of the recorded graph, which the
     * launchable one does not need); on failure nothing is left behind.
     */
    protected Object endCaptureNative() {
        throw new UnsupportedOperationException(binding() + ": no graphs");
    }

    /** Stops a capture whose launches failed, freeing whatever it recorded. */
    protected void abortCaptureNative() {
        throw new UnsupportedOperationException(binding() + ": no graphs");
    }

    /** Enqueues a graph that {@link #endCaptureNative} returned ({@code cuGraphLaunch}). */
    protected void launchGraphNative(Object graph) {
        throw new UnsupportedOperationException(binding() + ": no graphs");
    }

    /** Frees a graph that {@link #endCaptureNative} returned ({@code cuGraphExecDestroy}). */
    protected void releaseGraph(Object graph) {
        throw new UnsupportedOperationException(binding() + ": no graphs");
    }

    /**
     * Whether the binding has an upload lane, a second queue or stream for {@link #upload}
     * ({@link Driver#overlapsUploads()}); by default not, and then no lane call below is made.
     */
    protected boolean uploadLaneNative() {
        return false;
    }

    /** A fence's native holder, not yet signalled: an event slot the binding reuses at each signal. */
    protected Object fenceNative() {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Releases a fence's holder and the event it holds, if any. */
    protected void releaseFence(Object fence) {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Makes the lane's next commands wait for {@code fence}'s last signal (it was signalled). */
    protected void laneWaitNative(Object fence) {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Copies on the lane, without waiting for the queue or the copy; the source is free on return. */
    protected void laneWriteNative(B target, long targetOffset, float[] source, int sourceOffset, int count) {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** As {@link #laneWriteNative(Object, long, float[], int, int)} from the buffer's position, which must not move. */
    protected void laneWriteNative(B target, long targetOffset, FloatBuffer source, int count) {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Signals {@code fence} on the lane behind every lane command so far (replacing its previous signal). */
    protected void laneSignalNative(Object fence) {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Signals {@code fence} on the queue behind everything enqueued there (replacing its previous signal). */
    protected void signalNative(Object fence) {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Makes the queue's next commands wait for {@code fence}'s last signal (it was signalled). */
    protected void awaitNative(Object fence) {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Waits for everything on the lane (reached only where there is one). */
    protected void laneFinishNative() {
        throw new UnsupportedOperationException(binding() + ": no upload lane");
    }

    /** Releases what marks share beyond each mark (a pool of idle events); by default nothing. */
    protected void releaseMarkPool(Releases releases) {
    }

    /** The last step of {@link #close()}: the queue, staging memory and context, each through {@code releases}. */
    protected abstract void releaseDevice(Releases releases);
}

package dev.deltaprop.device.driver;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What every binding's {@link Driver} does the same way, so that a binding only makes the native
 * calls: it owns the live buffers, programs, kernels and marks, the graphs ({@link GraphCapture})
 * and the upload lane's fences ({@link UploadLane}); checks every argument, range and
 * launch geometry before any native call, with messages that name the field and the expected
 * value (DESIGN §6); says one thing when used after {@link #close()}; and closes by releasing
 * everything even when a release fails, then throwing the first failure with the others
 * suppressed onto it ({@link Releases}).
 *
 * <p>A binding supplies its handles as the type parameters and implements the protected calls
 * of {@link NativeCalls}, each of which may assume that its arguments were checked: a buffer
 * handle is live, ranges lie inside the buffer and the host array, counts are positive, kernel
 * arguments are {@link Memory} of this driver (see {@link #handle}), {@link Integer} or
 * {@link Float}. A native call whose status is not success throws a {@link DriverException}
 * naming the call, e.g. {@code clEnqueueNDRangeKernel(scale): CL_INVALID_WORK_GROUP_SIZE (-54)}.
 *
 * @param <B> a device buffer ({@code cl_mem}, {@code CUdeviceptr})
 * @param <P> a built program ({@code cl_program}, {@code CUmodule})
 * @param <K> a kernel ({@code cl_kernel}, {@code CUfunction})
 * @param <E> a timing mark ({@code cl_event}, {@code CUevent})
 */
public abstract class NativeDriver<B, P, K, E> extends NativeCalls<B, P, K, E> {
    private final String binding;
    private final Set<Handles.Buffer<B>> buffers = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Handles.Built<P>> programs = new ArrayList<>();
    private final List<Handles.Function<K>> kernels = new ArrayList<>();
    private final Set<Handles.Mark<E>> marks = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The peers {@link #enablePeerAccess} accepted. */
    private final Set<Driver> peers = Collections.newSetFromMap(new IdentityHashMap<>());
    private final GraphCapture graphs = new GraphCapture(this);
    private final UploadLane<B> lane = new UploadLane<>(this);
    private boolean closed;

    /** @param binding the binding and its version, as {@link #binding()} returns it, e.g. {@code JOCL 2.0.6} */
    protected NativeDriver(String binding) {
        this.binding = binding;
    }

    /** The native handle of {@code memory}, a kernel argument that {@link #launch} has checked is a live buffer of this driver. */
    @SuppressWarnings("unchecked")
    protected final B handle(Memory memory) {
        return ((Handles.Buffer<B>) memory).handle;
    }

    @Override
    public final String binding() {
        return binding;
    }

    @Override
    public final Memory allocate(long elements) {
        outsideCapture("allocate");
        if (elements < 1) {
            throw new IllegalArgumentException("elements: expected at least 1, found " + elements);
        }
        Handles.Buffer<B> buffer = new Handles.Buffer<>(this, allocateNative(elements * Float.BYTES), elements);
        buffers.add(buffer);
        return buffer;
    }

    @Override
    public final void free(Memory memory) {
        outsideCapture("free");
        Handles.Buffer<B> buffer = live(memory, "memory");
        buffers.remove(buffer);
        buffer.freed = true;
        graphs.freed(buffer); // a graph's launches hold the buffer's address: it must never run again
        lane.finish(); // a lane copy into the buffer may still be under way (freeNative orders only with the queue)
        freeNative(buffer.handle);
    }

    @Override
    public final void write(Memory target, long targetOffset, float[] source, int sourceOffset, int count) {
        outsideCapture("write");
        Handles.Buffer<B> buffer = writeTarget(target, targetOffset, count, source == null ? -1 : source.length, sourceOffset);
        if (count > 0) {
            writeNative(buffer.handle, targetOffset, source, sourceOffset, count);
        }
    }

    @Override
    public final void write(Memory target, long targetOffset, FloatBuffer source, int count) {
        outsideCapture("write");
        Handles.Buffer<B> buffer = bufferTarget(target, targetOffset, source, count);
        if (count > 0) {
            writeNative(buffer.handle, targetOffset, source, count);
        }
    }

    @Override
    public final void write(Memory target, long targetOffset, int[] source, int sourceOffset, int count) {
        outsideCapture("write");
        Handles.Buffer<B> buffer = writeTarget(target, targetOffset, count, source == null ? -1 : source.length, sourceOffset);
        if (count > 0) {
            writeNative(buffer.handle, targetOffset, source, sourceOffset, count);
        }
    }

    /** The checks of a write from a buffer's position. */
    private Handles.Buffer<B> bufferTarget(Memory target, long targetOffset, FloatBuffer source, int count) {
        Handles.Buffer<B> buffer = live(target, "target");
        Objects.requireNonNull(source, "source: expected a buffer, found null");
        Ranges.device("targetOffset", targetOffset, count, buffer);
        Ranges.host("position", 0, count, source.remaining(), "source.remaining()");
        return buffer;
    }

    /** The checks of a write from an array of {@code sourceLength} elements ({@code -1}: none given). */
    private Handles.Buffer<B> writeTarget(Memory target, long targetOffset, int count, int sourceLength, int sourceOffset) {
        Handles.Buffer<B> buffer = live(target, "target");
        if (sourceLength < 0) {
            throw new NullPointerException("source: expected an array, found null");
        }
        Ranges.device("targetOffset", targetOffset, count, buffer);
        Ranges.host("sourceOffset", sourceOffset, count, sourceLength, "source.length");
        return buffer;
    }

    @Override
    public final void read(Memory source, long sourceOffset, float[] target, int targetOffset, int count) {
        outsideCapture("read");
        Handles.Buffer<B> buffer = live(source, "source");
        Objects.requireNonNull(target, "target: expected an array, found null");
        Ranges.device("sourceOffset", sourceOffset, count, buffer);
        Ranges.host("targetOffset", targetOffset, count, target.length, "target.length");
        if (count > 0) {
            readNative(buffer.handle, sourceOffset, target, targetOffset, count);
        }
    }

    @Override
    public final Program build(ProgramSource source, Map<String, String> defines) {
        outsideCapture("build");
        Objects.requireNonNull(source, "source: expected a program source, found null");
        Objects.requireNonNull(defines, "defines: expected a map of macros (empty for none), found null");
        Handles.Built<P> built = new Handles.Built<>(this, buildNative(source, defines), source.name());
        programs.add(built);
        return built;
    }

    @Override
    public final Kernel kernel(Program program, String name) {
        outsideCapture("kernel");
        if (!(program instanceof Handles.Built<?> built) || built.owner() != this) {
            throw new IllegalArgumentException("program: expected a program built by this driver, found " + program);
        }
        Objects.requireNonNull(name, "name: expected a kernel's name, found null");
        @SuppressWarnings("unchecked")
        P handle = (P) built.handle();
        K kernel = kernelNative(handle, built.name(), name);
        Handles.Function<K> function = new Handles.Function<>(this, kernel, name);
        kernels.add(function);
        function.groupLimit = groupLimit(kernel);
        return function;
    }

    @Override
    public final void launch(Kernel kernel, int[] groups, int[] groupSize, Object... arguments) {
        enter();
        if (!(kernel instanceof Handles.Function<?> function) || function.owner != this) {
            throw new IllegalArgumentException("kernel: expected a kernel of this driver, found " + kernel);
        }
        Geometry.check(function.name, deviceName(), function.groupLimit, groups, groupSize);
        Objects.requireNonNull(arguments, "arguments: expected the kernel's arguments, found null");
        for (int a = 0; a < arguments.length; a++) {
            Object argument = arguments[a];
            if (argument instanceof Memory memory) {
                if (!(memory instanceof Handles.Buffer<?> buffer) || buffer.owner != this || buffer.freed) {
                    live(memory, "argument " + a + " of " + function.name); // throws, naming the argument
                }
            } else if (!(argument instanceof Integer) && !(argument instanceof Float)) {
                throw new IllegalArgumentException("argument " + a + " of " + function.name
                        + ": expected Memory, Integer or Float, found "
                        + (argument == null ? "null" : argument.getClass().getSimpleName()));
            }
        }
        @SuppressWarnings("unchecked")
        K handle = (K) function.handle;
        launchNative(handle, function.name, groups, groupSize, arguments);
        graphs.launched(arguments);
    }

    @Override
    public final boolean capturesGraphs() {
        return graphsNative();
    }

    /**
     * Begins a capture, runs {@code launches}, ends it and makes the graph ready; when
     * {@code launches} throws, the capture is abandoned (what it recorded freed) and the
     * exception thrown, with any failure of the abandoning suppressed onto it.
     */
    @Override
    public final Graph capture(Runnable launches) {
        outsideCapture("capture");
        return graphs.capture(launches);
    }

    @Override
    public final void launch(Graph graph) {
        outsideCapture("launch(graph)");
        graphs.launch(graph);
    }

    @Override
    public final void destroy(Graph graph) {
        outsideCapture("destroy(graph)");
        graphs.destroy(graph);
    }

    /** How many graphs are live (for leak tests). */
    public final int liveGraphs() {
        return graphs.live();
    }

    @Override
    public final boolean overlapsUploads() {
        return lane.on();
    }

    @Override
    public final Fence fence() {
        outsideCapture("fence");
        return lane.fence();
    }

    @Override
    public final void upload(Memory target, long targetOffset, float[] source, int sourceOffset, int count, Fence after,
                             Fence done) {
        outsideCapture("upload");
        Handles.Buffer<B> buffer = writeTarget(target, targetOffset, count, source == null ? -1 : source.length, sourceOffset);
        lane.upload(buffer.handle, targetOffset, source, sourceOffset, count, lane.ours(after, "after"), lane.ours(done, "done"));
    }

    @Override
    public final void upload(Memory target, long targetOffset, FloatBuffer source, int count, Fence after, Fence done) {
        outsideCapture("upload");
        Handles.Buffer<B> buffer = bufferTarget(target, targetOffset, source, count);
        lane.upload(buffer.handle, targetOffset, source, count, lane.ours(after, "after"), lane.ours(done, "done"));
    }

    @Override
    public final void signal(Fence fence) {
        outsideCapture("signal");
        lane.signal(lane.ours(Objects.requireNonNull(fence, "fence: expected a fence, found null"), "fence"));
    }

    @Override
    public final void await(Fence fence) {
        outsideCapture("await");
        lane.await(lane.ours(Objects.requireNonNull(fence, "fence: expected a fence, found null"), "fence"));
    }

    @Override
    public final void finish() {
        outsideCapture("finish");
        finishNative();
        lane.finish();
    }

    @Override
    public final boolean enablePeerAccess(Driver peer) {
        outsideCapture("enablePeerAccess");
        Objects.requireNonNull(peer, "peer: expected a driver, found null");
        if (peer == this || peer.getClass() != getClass() || ((NativeDriver<?, ?, ?, ?>) peer).closed) {
            return false;
        }
        if (peers.contains(peer)) {
            return true;
        }
        @SuppressWarnings("unchecked")
        NativeDriver<B, P, K, E> other = (NativeDriver<B, P, K, E>) peer;
        boolean enabled = enablePeerNative(other);
        if (enabled) {
            peers.add(peer);
        }
        return enabled;
    }

    @Override
    public final void copyFromPeer(Memory target, long targetOffset, Driver peer, Memory source, long sourceOffset, int count) {
        outsideCapture("copyFromPeer");
        Handles.Buffer<B> to = live(target, "target");
        if (!peers.contains(peer)) {
            throw new IllegalArgumentException("peer: expected a driver that enablePeerAccess accepted, found " + peer);
        }
        // the peer's own set of buffers belongs to its thread: the handle's fields are enough to check
        if (!(source instanceof Handles.Buffer<?> buffer) || buffer.owner != peer || buffer.freed) {
            throw new IllegalArgumentException("source: expected a live buffer of the peer, found " + source);
        }
        Ranges.device("targetOffset", targetOffset, count, to);
        Ranges.device("sourceOffset", sourceOffset, count, source);
        @SuppressWarnings("unchecked")
        NativeDriver<B, P, K, E> other = (NativeDriver<B, P, K, E>) peer;
        @SuppressWarnings("unchecked")
        B from = ((Handles.Buffer<B>) buffer).handle;
        if (count > 0) {
            copyFromPeerNative(to.handle, targetOffset, other, from, sourceOffset, count);
        }
    }

    @Override
    public final TimingMark mark() {
        outsideCapture("mark");
        Handles.Mark<E> mark = new Handles.Mark<>(this, markNative());
        marks.add(mark);
        return mark;
    }

    @Override
    public final long elapsedNanos(TimingMark start, TimingMark end) {
        outsideCapture("elapsedNanos");
        Handles.Mark<E> from = ours(start, "start");
        Handles.Mark<E> to = ours(end, "end");
        long nanos = elapsedNanosNative(from.handle(), to.handle());
        // reading a span may spend marks between the two as well (a CUDA mark is timed from the one before it)
        marks.removeIf(mark -> spent(mark.handle()));
        return nanos;
    }

    /**
     * Releases every mark, graph, buffer, kernel and program, then the device's queue and context,
     * carrying on past a failed release; then throws the first failure, the later ones
     * suppressed onto it. The driver is closed either way; closing again does nothing.
     */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        Releases releases = new Releases();
        releases.attempt(this::makeCurrent);
        graphs.abort(releases);
        releases.attempt(lane::finish);
        releases.attempt(this::quiesce);
        for (Handles.Mark<E> mark : marks) {
            releases.attempt(() -> releaseMark(mark.handle()));
        }
        marks.clear();
        releaseMarkPool(releases);
        lane.close(releases);
        graphs.close(releases);
        for (Handles.Buffer<B> buffer : buffers) {
            buffer.freed = true;
            releases.attempt(() -> releaseBuffer(buffer.handle));
        }
        buffers.clear();
        for (Handles.Function<K> kernel : kernels) {
            releases.attempt(() -> releaseKernel(kernel.handle));
        }
        kernels.clear();
        for (Handles.Built<P> program : programs) {
            releases.attempt(() -> releaseProgram(program.handle()));
        }
        programs.clear();
        peers.clear();
        releaseDevice(releases);
        releases.report();
    }

    /** Whether {@link #close()} has run. */
    protected final boolean closed() {
        return closed;
    }

    /** How many buffers are live (for leak tests). */
    public final int liveBuffers() {
        return buffers.size();
    }

    /** Makes {@code memory}'s next release fail, as a lost handle would, by swapping in {@code invalid}: for the contract test only. */
    @SuppressWarnings("unchecked")
    static void loseHandle(Memory memory, Object invalid) {
        ((Handles.Buffer<Object>) memory).handle = invalid;
    }

    private void enter() {
        if (closed) {
            throw new IllegalStateException(binding + ": the driver is closed");
        }
        makeCurrent();
    }

    /** {@link #enter()}, refusing {@code call} while launches are being captured: a graph holds launches only. */
    private void outsideCapture(String call) {
        enter();
        if (graphs.capturing()) {
            throw new IllegalStateException(binding + ": " + call + " is not allowed while launches are captured into a graph"
                    + " (only kernel launches are)");
        }
    }

    private Handles.Buffer<B> live(Memory memory, String field) {
        enter();
        if (!(memory instanceof Handles.Buffer<?> buffer) || buffer.owner != this || buffer.freed) {
            throw new IllegalArgumentException(field + ": expected a live buffer of this driver, found "
                    + (memory instanceof Handles.Buffer<?> buffer && buffer.freed ? "a freed " : "") + memory);
        }
        @SuppressWarnings("unchecked")
        Handles.Buffer<B> ours = (Handles.Buffer<B>) buffer;
        return ours;
    }

    private Handles.Mark<E> ours(TimingMark mark, String field) {
        if (!(mark instanceof Handles.Mark<?> ours) || ours.owner() != this) {
            throw new IllegalArgumentException(field + ": expected a mark of this driver, found " + mark);
        }
        @SuppressWarnings("unchecked")
        Handles.Mark<E> typed = (Handles.Mark<E>) ours;
        return typed;
    }
}

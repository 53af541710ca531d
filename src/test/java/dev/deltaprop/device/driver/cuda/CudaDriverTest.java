package dev.deltaprop.device.driver.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.DriverException;
import dev.deltaprop.device.driver.Releases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.deltaprop.device.driver.ProgramSource;
import org.junit.jupiter.api.Test;

/**
 * What both CUDA drivers do the same way, on a recording stand-in for the native calls (no GPU
 * needed): {@code free} waits for the stream before {@code cuMemFree} (a queued kernel may still
 * use the buffer; the LWJGL driver did, the JCuda one did not), a failed launch reads
 * {@code cuLaunchKernel(NAME): …} for both, and close reports the releases' results by name.
 */
class CudaDriverTest {
    private static final CudaDevice H200 = new CudaDevice(0, "NVIDIA H200", 9, 0, 141L << 30, 1024, 132);

    /** Buffers are numbers; every native call is written down; a buffer numbered below 0 fails to free. */
    private static final class Recording extends CudaDriver<Integer, String, String, Integer> {
        final List<String> calls;
        private int next;

        Recording(List<String> calls) {
            this(calls, H200);
        }

        Recording(List<String> calls, CudaDevice device) {
            super("recording", device, 13000, new Releasers<>(
                    buffer -> { calls.add("cuMemFree " + buffer); return buffer < 0 ? 1 : 0; },
                    module -> { calls.add("cuModuleUnload"); return 0; },
                    event -> { calls.add("cuEventDestroy " + event); return 0; },
                    event -> { calls.add("cuEventSynchronize " + event); return 0; }));
            this.calls = calls;
        }

        @Override
        protected Integer allocateNative(long bytes) {
            return ++next;
        }

        @Override
        protected void upload(Integer target, long targetOffset, int count, Filler filler) {
            calls.add("upload " + target);
        }

        @Override
        protected void readNative(Integer source, long sourceOffset, float[] target, int targetOffset, int count) {
            calls.add("read " + source);
        }

        @Override
        protected CudaModules.Calls<String> moduleCalls() {
            return new CudaModules.Calls<>() {
                @Override
                public String loadData(byte[] image, int[] result) {
                    return "module";
                }

                @Override
                public String loadJit(byte[] image, int[] result, String[] log) {
                    throw new UnsupportedOperationException("no JIT here");
                }
            };
        }

        @Override
        protected String function(String module, String programName, String name) {
            return name;
        }

        @Override
        protected int maxThreadsPerBlock(String function, String name) {
            return 1024;
        }

        @Override
        protected void launchNative(Function<String> kernel, String name, int[] groups, int[] groupSize, Object[] arguments) {
            calls.add("cuLaunchKernel " + name);
        }

        @Override
        protected void synchronize() {
            calls.add("cuStreamSynchronize");
        }

        /** Graph handles are numbers too; {@code failInstantiate} makes the next instantiation fail. */
        boolean failInstantiate;

        @Override
        protected int beginCapture() {
            calls.add("cuStreamBeginCapture");
            return 0;
        }

        @Override
        protected int endCapture(Object[] graph) {
            graph[0] = ++next;
            calls.add("cuStreamEndCapture " + graph[0]);
            return 0;
        }

        @Override
        protected int instantiate(Object graph, Object[] exec) {
            if (failInstantiate) {
                calls.add("cuGraphInstantiate " + graph + " fails");
                return 1;
            }
            exec[0] = ++next;
            calls.add("cuGraphInstantiate " + graph + " -> " + exec[0]);
            return 0;
        }

        @Override
        protected int launchGraph(Object exec) {
            calls.add("cuGraphLaunch " + exec);
            return 0;
        }

        @Override
        protected int destroyExec(Object exec) {
            calls.add("cuGraphExecDestroy " + exec);
            return 0;
        }

        @Override
        protected int destroyGraph(Object graph) {
            calls.add("cuGraphDestroy " + graph);
            return 0;
        }

        int eventsCreated;

        @Override
        protected Integer createEvent(boolean timing) {
            if (!timing) {
                calls.add("cuEventCreate(DISABLE_TIMING) " + (next + 1));
                fences.add(next + 1);
                return ++next;
            }
            eventsCreated++;
            calls.add("cuEventCreate");
            return ++next;
        }

        /** The fences' events, whose records are written down (the marks' are not). */
        final java.util.Set<Integer> fences = new java.util.HashSet<>();

        @Override
        protected int recordEvent(Integer event, boolean lane) {
            if (lane) {
                calls.add("cuEventRecord lane " + event);
                return 0;
            }
            if (fences.contains(event)) {
                calls.add("cuEventRecord stream " + event);
            }
            return 0;
        }

        @Override
        protected int waitEvent(Integer event, boolean lane) {
            calls.add("cuStreamWaitEvent " + (lane ? "lane " : "stream ") + event);
            return 0;
        }

        @Override
        protected void laneUpload(Integer target, long targetOffset, int count, Filler filler) {
            calls.add("upload on the lane " + target);
        }

        @Override
        protected void synchronizeLane() {
            calls.add("cuStreamSynchronize lane");
        }

        @Override
        protected float elapsedMilliseconds(Integer start, Integer end) {
            return 0.5f;
        }

        @Override
        protected void releaseDevice(Releases releases) {
            calls.add("cuDevicePrimaryCtxRelease");
        }

        /** Which peers' devices this one can reach; what cuCtxEnablePeerAccess answers. */
        final java.util.Set<Integer> reachable = new java.util.HashSet<>();
        int enableResult;

        @Override
        protected boolean canAccessPeer(CudaDriver<Integer, String, String, Integer> peer) {
            calls.add("cuDeviceCanAccessPeer " + device().ordinal() + " " + peer.device().ordinal());
            return reachable.contains(peer.device().ordinal());
        }

        @Override
        protected int enablePeerContext(CudaDriver<Integer, String, String, Integer> peer) {
            calls.add("cuCtxEnablePeerAccess " + peer.device().ordinal());
            return enableResult;
        }

        @Override
        protected int copyPeer(Integer target, long targetByte, CudaDriver<Integer, String, String, Integer> peer,
                               Integer source, long sourceByte, long bytes) {
            calls.add("cuMemcpyPeerAsync " + target + "+" + targetByte + " <- device " + peer.device().ordinal() + " "
                    + source + "+" + sourceByte + ", " + bytes + " bytes");
            return 0;
        }

        void lose(Driver.Memory memory) {
            dev.deltaprop.device.driver.NativeDriverAccess.loseHandle(memory, -1);
        }
    }

    /**
     * The upload lane's calls, in order: a host batch's copy waits on the lane for the event the
     * stream recorded after the kernels that read its target ({@code cuStreamWaitEvent} on the
     * lane, none before the first signal), copies on the lane and records its own event there; the
     * stream waits for that event before the next kernel; freeing a buffer waits for the lane as
     * well as the stream, and close destroys the fences' events.
     */
    @Test
    void theUploadLaneWaitsOnEvents() {
        List<String> calls = new ArrayList<>();
        Recording driver = new Recording(calls);
        Driver.Memory x = driver.allocate(4);
        Driver.Kernel kernel = driver.kernel(driver.build(new ProgramSource("kernels/test.cu", "", new byte[] {1}), Map.of()), "reads");
        assertTrue(driver.overlapsUploads());
        Driver.Fence uploaded = driver.fence();
        Driver.Fence read = driver.fence();
        driver.upload(x, 0, new float[4], 0, 4, read, null);
        driver.upload(x, 0, new float[4], 0, 4, null, uploaded);
        driver.await(uploaded);
        driver.launch(kernel, new int[] {1}, new int[] {1}, x);
        driver.signal(read);
        driver.upload(x, 0, new float[4], 0, 4, read, uploaded);
        driver.await(uploaded);
        driver.free(x);
        driver.close();
        int from = calls.indexOf("cuEventCreate(DISABLE_TIMING) 2");
        assertEquals(List.of("cuEventCreate(DISABLE_TIMING) 2", "cuEventCreate(DISABLE_TIMING) 3",
                "upload on the lane 1", "upload on the lane 1", "cuEventRecord lane 2", "cuStreamWaitEvent stream 2",
                "cuLaunchKernel reads", "cuEventRecord stream 3",
                "cuStreamWaitEvent lane 3", "upload on the lane 1", "cuEventRecord lane 2", "cuStreamWaitEvent stream 2",
                "cuStreamSynchronize lane", "cuStreamSynchronize", "cuMemFree 1"),
                calls.subList(from, calls.indexOf("cuMemFree 1") + 1));
        List<String> closing = calls.subList(calls.indexOf("cuMemFree 1") + 1, calls.size());
        assertTrue(closing.contains("cuEventDestroy 2") && closing.contains("cuEventDestroy 3"), closing.toString());
        assertTrue(closing.indexOf("cuStreamSynchronize lane") < closing.indexOf("cuEventDestroy 2"), closing.toString());
    }

    @Test
    void freeWaitsForTheStreamFirst() {
        List<String> calls = new ArrayList<>();
        try (Recording driver = new Recording(calls)) {
            Driver.Memory memory = driver.allocate(4);
            driver.write(memory, 0, new float[4], 0, 4);
            calls.clear();
            driver.free(memory);
            assertEquals(List.of("cuStreamSynchronize", "cuMemFree 1"), calls);
        }
    }

    private static final CudaDevice H200_1 = new CudaDevice(1, "NVIDIA H200", 9, 0, 141L << 30, 1024, 132);

    /**
     * Peer copies: access is asked of cuDeviceCanAccessPeer, then turned on once with
     * cuCtxEnablePeerAccess (ALREADY_ENABLED counts as done); the same device, another binding's
     * driver or a device that cannot reach the peer is no peer, with no enable call; a copy is one
     * cuMemcpyPeerAsync in bytes, refused by name for a peer not enabled or a foreign buffer.
     */
    @Test
    void peerAccessIsAskedThenEnabledOnceAndCopiesAreOneCallInBytes() {
        List<String> calls = new ArrayList<>();
        try (Recording zero = new Recording(calls); Recording one = new Recording(calls, H200_1);
             Recording alsoZero = new Recording(calls)) {
            assertEquals(false, zero.enablePeerAccess(one), "device 1 not reachable yet");
            assertEquals(List.of("cuDeviceCanAccessPeer 0 1"), calls);
            calls.clear();
            assertEquals(false, zero.enablePeerAccess(alsoZero), "the same device is no peer");
            assertEquals(false, zero.enablePeerAccess(zero));
            assertEquals(List.of(), calls);
            zero.reachable.add(1);
            zero.enableResult = 704; // CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED: another driver of this context did it
            assertEquals(true, zero.enablePeerAccess(one));
            assertEquals(true, zero.enablePeerAccess(one), "asked once");
            assertEquals(List.of("cuDeviceCanAccessPeer 0 1", "cuCtxEnablePeerAccess 1"), calls);
            Driver.Memory target = zero.allocate(8);
            Driver.Memory source = one.allocate(6);
            calls.clear();
            zero.copyFromPeer(target, 2, one, source, 1, 5);
            assertEquals(List.of("cuMemcpyPeerAsync 1+8 <- device 1 1+4, 20 bytes"), calls);
            IllegalArgumentException notEnabled = assertThrows(IllegalArgumentException.class,
                    () -> one.copyFromPeer(source, 0, zero, target, 0, 1));
            assertEquals(true, notEnabled.getMessage().startsWith("peer: expected a driver that enablePeerAccess accepted"),
                    notEnabled.getMessage());
            IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                    () -> zero.copyFromPeer(target, 0, one, target, 0, 1));
            assertEquals(true, foreign.getMessage().startsWith("source: expected a live buffer of the peer"), foreign.getMessage());
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> zero.copyFromPeer(target, 0, one, source, 2, 5));
            assertEquals("sourceOffset + count: expected at most 6 (the elements of the buffer), found 2 + 5", range.getMessage());
            zero.reachable.clear();
            one.reachable.add(0);
            one.enableResult = 1;
            DriverException failed = assertThrows(DriverException.class, () -> one.enablePeerAccess(zero));
            assertEquals("cuCtxEnablePeerAccess(device 0): CUDA_ERROR_INVALID_VALUE", failed.getMessage());
        }
    }

    /**
     * Capture, instantiate, drop the recorded graph at once (the launchable one is independent of
     * it), replay; freeing a buffer it uses destroys it before the memory goes; a capture whose
     * launches throw is ended and what it recorded destroyed; a failed instantiation leaves
     * nothing; close destroys the rest.
     */
    @Test
    void graphCallsComeInOrderAndLeaveNothing() {
        List<String> calls = new ArrayList<>();
        Recording driver = new Recording(calls);
        Driver.Kernel kernel = driver.kernel(driver.build(new ProgramSource("kernels/test.cu", "", new byte[] {1}), Map.of()),
                "scale");
        Driver.Memory used = driver.allocate(4);
        Driver.Memory other = driver.allocate(4);
        calls.clear();
        Driver.Graph graph = driver.capture(() -> {
            driver.launch(kernel, new int[] {1}, new int[] {4}, used, 2.0f, 4);
            driver.launch(kernel, new int[] {1}, new int[] {4}, used, 0.5f, 4);
        });
        driver.launch(graph);
        assertEquals(List.of("cuStreamBeginCapture", "cuLaunchKernel scale", "cuLaunchKernel scale", "cuStreamEndCapture 3",
                "cuGraphInstantiate 3 -> 4", "cuGraphDestroy 3", "cuGraphLaunch 4"), calls);

        Driver.Graph kept = driver.capture(() -> driver.launch(kernel, new int[] {1}, new int[] {4}, other, 2.0f, 4));
        calls.clear();
        driver.free(used);
        assertEquals(List.of("cuGraphExecDestroy 4", "cuStreamSynchronize", "cuMemFree 1"), calls);
        assertTrue(kept.live() && !graph.live());

        calls.clear();
        IllegalStateException broken = assertThrows(IllegalStateException.class, () -> driver.capture(() -> {
            driver.launch(kernel, new int[] {1}, new int[] {4}, other, 2.0f, 4);
            throw new IllegalStateException("a launch failed");
        }));
        assertEquals("a launch failed", broken.getMessage());
        assertEquals(List.of("cuStreamBeginCapture", "cuLaunchKernel scale", "cuStreamEndCapture 7", "cuGraphDestroy 7"), calls);

        calls.clear();
        driver.failInstantiate = true;
        DriverException failed = assertThrows(DriverException.class,
                () -> driver.capture(() -> driver.launch(kernel, new int[] {1}, new int[] {4}, other, 2.0f, 4)));
        assertEquals("cuGraphInstantiate: CUDA_ERROR_INVALID_VALUE", failed.getMessage());
        assertEquals(List.of("cuStreamBeginCapture", "cuLaunchKernel scale", "cuStreamEndCapture 8", "cuGraphInstantiate 8 fails",
                "cuGraphDestroy 8"), calls);
        assertEquals(1, driver.liveGraphs());

        calls.clear();
        driver.close();
        assertEquals(List.of("cuGraphExecDestroy 6"), calls.stream().filter(call -> call.startsWith("cuGraph")).toList());
        assertTrue(!kept.live());
    }

    /**
     * A profiled loop reads each step's marks (a start and one per family): over 1,000 steps the
     * marks reuse a handful of events instead of holding one per mark until close, and the spans
     * still come out right (every link is 0.5 ms here).
     */
    @Test
    void marksReuseABoundedSetOfEvents() {
        List<String> calls = new ArrayList<>();
        try (Recording driver = new Recording(calls)) {
            for (int step = 0; step < 1000; step++) {
                Driver.TimingMark[] marks = new Driver.TimingMark[6];
                for (int k = 0; k < marks.length; k++) {
                    marks[k] = driver.mark();
                }
                for (int k = 1; k < marks.length; k++) {
                    assertEquals(500_000, driver.elapsedNanos(marks[k - 1], marks[k]), "step " + step + " span " + k);
                }
                assertEquals(2_500_000, driver.elapsedNanos(marks[0], marks[5]));
                assertTrue(driver.markEvents() <= 7, "step " + step + ": " + driver.markEvents() + " events");
            }
            assertTrue(driver.eventsCreated <= 7, driver.eventsCreated + " events created for 6,000 marks");
            Driver.TimingMark unread = driver.mark();
            Driver.TimingMark last = driver.mark();
            assertEquals(500_000, driver.elapsedNanos(unread, last));
        }
        assertEquals(calls.stream().filter(call -> call.equals("cuEventCreate")).count(),
                calls.stream().filter(call -> call.startsWith("cuEventDestroy")).count(), "close destroys every event made");
    }

    @Test
    void aFailedLaunchIsSpelledOneWay() {
        DriverException e = assertThrows(DriverException.class, () -> CudaDriver.checkLaunch("forward_gemm", 1));
        assertEquals("cuLaunchKernel(forward_gemm): CUDA_ERROR_INVALID_VALUE", e.getMessage());
        CudaDriver.checkLaunch("forward_gemm", 0);
    }

    @Test
    void closeWaitsThenReleasesEverythingAndReportsByName() {
        List<String> calls = new ArrayList<>();
        Recording driver = new Recording(calls);
        Driver.Memory lost = driver.allocate(4);
        driver.lose(lost);
        Driver.TimingMark start = driver.mark();
        Driver.TimingMark end = driver.mark();
        assertEquals(500_000, driver.elapsedNanos(start, end));
        calls.clear();
        DriverException e = assertThrows(DriverException.class, driver::close);
        assertEquals("cuMemFree: CUDA_ERROR_INVALID_VALUE", e.getMessage());
        assertEquals("cuStreamSynchronize", calls.get(0));
        assertEquals("cuDevicePrimaryCtxRelease", calls.get(calls.size() - 1));
        assertEquals(List.of("cuEventDestroy 2", "cuEventDestroy 3"),
                calls.stream().filter(call -> call.startsWith("cuEventDestroy")).sorted().toList());
    }
}

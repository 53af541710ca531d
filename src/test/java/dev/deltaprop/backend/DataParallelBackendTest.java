package dev.deltaprop.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link DataParallelBackend}'s contract without a real backend: how batches are cut, and bad
 * input refused — naming the field — before any replica does work, with every replica it was
 * given closed. (Agreement with one replica is {@code device.DataParallelTest} and
 * {@code DataParallelDeviceTest}.)
 */
class DataParallelBackendTest {

    /** A replica that records what was asked of it; its gradient is all ones. */
    static class Fake implements GradientExchange {
        final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean closed;
        private Network network;
        private Optimizer optimizer;

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String device() {
            return "nothing";
        }

        @Override
        public void load(Network network, Optimizer optimizer, OptimizerState state) {
            calls.add("load");
            this.network = network;
            this.optimizer = optimizer;
        }

        @Override
        public Optimizer optimizer() {
            return optimizer;
        }

        @Override
        public OptimizerState optimizerState() {
            return OptimizerState.initial(network, optimizer.kind());
        }

        @Override
        public Network network() {
            return network;
        }

        @Override
        public float step(float[] x, float[] d, int batch, float learningRate) {
            throw new AssertionError("a replica's step is never called");
        }

        @Override
        public float step(FloatBuffer x, FloatBuffer d, int batch, float learningRate) {
            throw new AssertionError("a replica's step is never called");
        }

        @Override
        public float[] predict(float[] x, int batch) {
            return new float[batch * network.outputs()];
        }

        @Override
        public double gradient(float[] x, float[] d, int offset, int batch) {
            calls.add("gradient " + offset + "+" + batch);
            return batch;
        }

        @Override
        public int gradientLength() {
            int length = 0;
            for (int l = 1; l <= network.depth(); l++) {
                length += count(l);
            }
            return length;
        }

        int count(int l) {
            dev.deltaprop.model.Layer layer = network.layers().get(l - 1);
            return (layer.inputs() + 1) * layer.outputs();
        }

        @Override
        public void beginGradient(float[] x, float[] d, int offset, int batch) {
            calls.add("begin " + offset + "+" + batch);
            this.batch = batch;
        }

        private int batch;

        @Override
        public void layerGradient(int layer) {
            calls.add("layer " + layer);
        }

        @Override
        public double gradientLoss() {
            return batch;
        }

        @Override
        public void readGradient(int layer, float[] target, int targetOffset) {
            calls.add("read " + layer);
            java.util.Arrays.fill(target, targetOffset, targetOffset + count(layer), 1f);
        }

        @Override
        public void writeGradient(int layer, float[] source, int sourceOffset) {
            calls.add("write " + layer + " " + java.util.Arrays.toString(
                    java.util.Arrays.copyOfRange(source, sourceOffset, sourceOffset + count(layer))));
        }

        @Override
        public void apply(int layer, float learningRate, int totalBatch) {
            calls.add("apply " + layer + " " + totalBatch);
        }

        @Override
        public void readGradient(float[] target) {
            java.util.Arrays.fill(target, 1f);
        }

        @Override
        public void writeGradient(float[] source) {
            calls.add("write " + java.util.Arrays.toString(source));
        }

        @Override
        public void apply(float learningRate, int totalBatch) {
            calls.add("apply " + totalBatch);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * A replica on a "device" that may reach the others' memory: what {@link #enablePeer} answers
     * is {@link #reach}; its sums (one number per layer here) are all ones until {@link #sumPeers} makes them the total, which
     * {@link #copyTotal} copies; every call also goes, named, into the replicas' one shared log.
     */
    static class FakePeer extends Fake implements PeerExchange {
        final String label;
        final List<String> log;
        boolean reach = true;
        float[] sums;

        FakePeer(String label, List<String> log) {
            this.label = label;
            this.log = log;
        }

        @Override
        public void load(Network network, Optimizer optimizer, OptimizerState state) {
            super.load(network, optimizer, state);
            sums = new float[network.depth() + 1];
        }

        @Override
        public void beginGradient(float[] x, float[] d, int offset, int batch) {
            super.beginGradient(x, d, offset, batch);
            java.util.Arrays.fill(sums, 1f);
        }

        @Override
        public void layerGradient(int layer) {
            super.layerGradient(layer);
            log.add(label + " layer " + layer);
        }

        @Override
        public void writeGradient(int layer, float[] source, int sourceOffset) {
            super.writeGradient(layer, source, sourceOffset);
            java.util.Arrays.fill(sums, 0f); // only an empty shard writes here: its zeros
        }

        @Override
        public boolean enablePeer(GradientExchange peer) {
            calls.add("enablePeer " + ((FakePeer) peer).label);
            return reach;
        }

        @Override
        public void settle() {
            calls.add("settle");
            log.add(label + " settle");
        }

        @Override
        public void sumPeers(int layer, List<? extends GradientExchange> peers) {
            StringBuilder names = new StringBuilder();
            float total = sums[layer];
            for (GradientExchange peer : peers) {
                names.append(' ').append(((FakePeer) peer).label);
                total += ((FakePeer) peer).sums[layer];
            }
            sums[layer] = total;
            calls.add("sumPeers " + layer + names);
            log.add(label + " sumPeers " + layer);
        }

        @Override
        public void copyTotal(int layer, GradientExchange root) {
            sums[layer] = ((FakePeer) root).sums[layer];
            calls.add("copyTotal " + layer + " = " + sums[layer]);
        }
    }

    private static Network network() {
        return Network.builder(2).layer(1, Activation.IDENTITY).build(1); // (2 + 1) · 1 = 3 gradient numbers
    }

    @Test
    void shardsFollowTheSharesAndAddUpToTheBatch() {
        assertArrayEquals(new int[] {17, 16}, BatchSplit.sizes(33, new double[] {1, 1}));
        assertArrayEquals(new int[] {8, 24}, BatchSplit.sizes(32, new double[] {1, 3}));
        assertArrayEquals(new int[] {12, 21}, BatchSplit.sizes(33, new double[] {0.7, 1.3}));
        assertArrayEquals(new int[] {5, 10, 19}, BatchSplit.sizes(34, new double[] {1, 2, 4}));
        assertArrayEquals(new int[] {1, 0}, BatchSplit.sizes(1, new double[] {1, 1}));
        for (int batch = 1; batch < 200; batch++) {
            int[] sizes = BatchSplit.sizes(batch, new double[] {0.3, 1e-3, 5, 2.2});
            assertEquals(batch, sizes[0] + sizes[1] + sizes[2] + sizes[3], "batch " + batch);
        }
    }

    @Test
    void aStepSumsTheShardsInReplicaOrderAndAppliesTheSameOnEvery() {
        Fake a = new Fake();
        Fake b = new Fake();
        try (DataParallelBackend parallel = new DataParallelBackend("two", List.of(a, b), new double[] {1, 1})) {
            parallel.overlap(false).load(network());
            float loss = parallel.step(new float[7 * 2], new float[7], 7, 0.1f);
            assertEquals(1f, loss, "the fakes' loss sums are their shard sizes: (4 + 3) / 7");
            assertEquals(List.of("load", "gradient 0+4", "write [2.0, 2.0, 2.0]", "apply 7"), a.calls);
            assertEquals(List.of("load", "gradient 4+3", "write [2.0, 2.0, 2.0]", "apply 7"), b.calls);
        }
        assertTrue(a.closed && b.closed, "close closes every replica");
    }

    private static Network threeLayers() {
        // (2+1)·3 + (3+1)·2 + (2+1)·1 = 20 gradient numbers
        return Network.builder(2).layer(3, Activation.TANH).layer(2, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
    }

    /**
     * Overlapped: each replica runs its layers from L to 1, every layer's step comes after the δ of
     * the layer below it ({@code apply l} after {@code layer l−1}), the steps go from L to 1, and
     * each writes back the replicas' total of that layer; an empty shard computes nothing and still steps.
     */
    @Test
    void anOverlappedStepRunsTheLayersDownwardAndStepsEachAfterTheDeltaThatReadsIt() {
        for (int batch : new int[] {7, 1}) {
            Fake a = new Fake();
            Fake b = new Fake();
            try (DataParallelBackend parallel = new DataParallelBackend("two", List.of(a, b), new double[] {1, 1})) {
                assertTrue(parallel.overlapped(), "overlap is the default");
                parallel.load(threeLayers());
                for (int step = 0; step < 3; step++) {
                    a.calls.clear();
                    b.calls.clear();
                    float loss = parallel.step(new float[batch * 2], new float[batch], batch, 0.1f);
                    assertEquals(1f, loss, "the loss sums are the shard sizes");
                    int[] sizes = parallel.shardSizes(batch);
                    checkOverlappedOrder(a.calls, 0, sizes[0], batch, sizes[0] + sizes[1] == sizes[0] ? 1 : 2);
                    checkOverlappedOrder(b.calls, sizes[0], sizes[1], batch, sizes[1] == 0 ? 1 : 2);
                }
            }
        }
    }

    /** {@code calls} of one replica's overlapped step; {@code total} is what every sum adds up to (1 per replica that had samples). */
    private static void checkOverlappedOrder(List<String> calls, int offset, int size, int batch, int total) {
        List<String> expected = new ArrayList<>();
        if (size > 0) {
            expected.addAll(List.of("begin " + offset + "+" + size, "layer 3", "layer 2", "layer 1"));
        }
        List<String> computed = calls.stream().filter(c -> c.startsWith("begin") || c.startsWith("layer")).toList();
        assertEquals(expected, computed, "the backward pass, layer by layer from L: " + calls);
        List<String> steps = calls.stream().filter(c -> c.startsWith("write") || c.startsWith("apply")).toList();
        String t = total + ".0";
        assertEquals(List.of("write 3 [" + t + ", " + t + ", " + t + "]", "apply 3 " + batch,
                "write 2 [" + t + ", " + t + ", " + t + ", " + t + ", " + t + ", " + t + ", " + t + ", " + t + "]",
                "apply 2 " + batch, "write 1 [" + String.join(", ", java.util.Collections.nCopies(9, t)) + "]",
                "apply 1 " + batch), steps, "each layer's total, stepped from L to 1: " + calls);
        if (size > 0) {
            assertTrue(calls.indexOf("apply 3 " + batch) > calls.indexOf("layer 2"), "W^3 steps after Δ^2 read it: " + calls);
            assertTrue(calls.indexOf("apply 2 " + batch) > calls.indexOf("layer 1"), "W^2 steps after Δ^1 read it: " + calls);
        }
    }

    /**
     * The sum of layer L and its step happen while a replica is still inside layer 1: replica a's
     * Δ^1 waits until replica b has stepped layer L, which needs the total of layer L, so the step
     * completes only if the reduction of layer L overlaps a's backward pass (the unoverlapped order
     * would wait for a's whole backward pass first, and this test would time out).
     */
    @Test
    void aLayersSumAndStepOverlapTheBackwardPassOfTheLayersBelow() throws Exception {
        java.util.concurrent.CountDownLatch stepped = new java.util.concurrent.CountDownLatch(1);
        boolean[] overlapped = new boolean[1];
        Fake a = new Fake() {
            @Override
            public void layerGradient(int layer) {
                super.layerGradient(layer);
                if (layer == 1) {
                    try {
                        overlapped[0] = stepped.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        Fake b = new Fake() {
            @Override
            public void apply(int layer, float learningRate, int totalBatch) {
                super.apply(layer, learningRate, totalBatch);
                if (layer == 3) {
                    stepped.countDown();
                }
            }
        };
        try (DataParallelBackend parallel = new DataParallelBackend("two", List.of(a, b), new double[] {1, 1})) {
            parallel.load(threeLayers());
            parallel.step(new float[8 * 2], new float[8], 8, 0.1f);
        }
        assertTrue(overlapped[0], "replica b stepped layer 3 while replica a was inside layer 1");
    }

    /**
     * The decision: device to device only where every replica is a {@link PeerExchange} and replica
     * 0 and each other reach each other both ways (each asked on its own thread, once per load),
     * unless {@value DataParallelBackend#PEER_PROPERTY} is {@code false}; otherwise the host path.
     */
    @Test
    void peerCopiesAreChosenOnlyWhereEveryReplicaReachesReplicaZeroBothWays() {
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String unreachable : new String[] {null, "a", "b", "c"}) {
            FakePeer a = new FakePeer("a", log);
            FakePeer b = new FakePeer("b", log);
            FakePeer c = new FakePeer("c", log);
            for (FakePeer each : List.of(a, b, c)) {
                each.reach = !each.label.equals(unreachable);
            }
            try (DataParallelBackend parallel = new DataParallelBackend("three", List.of(a, b, c), new double[] {1, 1, 1})) {
                parallel.load(threeLayers());
                assertEquals(unreachable == null, parallel.peerCopies(), "unreachable: " + unreachable);
                if (unreachable == null) {
                    assertEquals(List.of("load", "enablePeer b", "enablePeer c"), a.calls);
                    assertEquals(List.of("load", "enablePeer a"), b.calls);
                    assertEquals(List.of("load", "enablePeer a"), c.calls);
                }
            }
        }
        Fake plain = new Fake();
        try (DataParallelBackend mixed = new DataParallelBackend("mixed", List.of(new FakePeer("a", log), plain),
                new double[] {1, 1})) {
            mixed.load(threeLayers());
            assertEquals(false, mixed.peerCopies(), "a replica that is no PeerExchange: the host path");
        }
        try (DataParallelBackend alone = new DataParallelBackend("one", List.of(new FakePeer("a", log)), new double[] {1})) {
            alone.load(threeLayers());
            assertEquals(false, alone.peerCopies(), "one replica has no one to sum with");
        }
        System.setProperty(DataParallelBackend.PEER_PROPERTY, "false");
        try (DataParallelBackend off = new DataParallelBackend("two", List.of(new FakePeer("a", log), new FakePeer("b", log)),
                new double[] {1, 1})) {
            off.load(threeLayers());
            assertEquals(false, off.peerCopies(), DataParallelBackend.PEER_PROPERTY + "=false");
        } finally {
            System.clearProperty(DataParallelBackend.PEER_PROPERTY);
        }
    }

    /**
     * Device to device: no sums read to or written from the host; replica 0 sums each layer (from
     * L down, the others in replica order) only after every replica has settled it; the others
     * copy each layer's total in just before its step; each step still comes after the δ below it;
     * an empty shard writes zeros and takes part; with overlap(false), the host path instead.
     */
    @Test
    void aPeerStepSumsOnReplicaZerosDeviceAfterEverySettledAndCopiesTheTotalBack() {
        for (int batch : new int[] {8, 1}) {
            List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
            FakePeer a = new FakePeer("a", log);
            FakePeer b = new FakePeer("b", log);
            FakePeer c = new FakePeer("c", log);
            try (DataParallelBackend parallel = new DataParallelBackend("three", List.of(a, b, c), new double[] {1, 1, 1})) {
                parallel.load(threeLayers());
                assertTrue(parallel.peerCopies());
                for (FakePeer each : List.of(a, b, c)) {
                    each.calls.clear();
                }
                log.clear();
                assertEquals(1f, parallel.step(new float[batch * 2], new float[batch], batch, 0.1f));
                float total = batch >= 3 ? 3f : batch;
                for (FakePeer each : List.of(a, b, c)) {
                    List<String> calls = each.calls;
                    assertTrue(calls.stream().noneMatch(call -> call.startsWith("read")), "no host read: " + calls);
                    boolean empty = calls.stream().noneMatch(call -> call.startsWith("begin"));
                    assertEquals(empty ? 3 : 0, calls.stream().filter(call -> call.startsWith("write")).count(),
                            "only an empty shard writes (its zeros): " + calls);
                    for (int l = 3; l >= 1; l--) {
                        int applied = calls.indexOf("apply " + l + " " + batch);
                        assertTrue(applied >= 0, calls.toString());
                        if (!empty && l > 1) {
                            assertTrue(applied > calls.indexOf("layer " + (l - 1)), "W^" + l + " after Δ^" + (l - 1) + ": " + calls);
                        }
                        if (each != a) {
                            assertEquals(calls.indexOf("copyTotal " + l + " = " + total), applied - 1,
                                    "the total copied in just before the step: " + calls);
                        }
                    }
                    if (each != a) {
                        assertEquals("settle", calls.get(calls.size() - 1), "the copies finish within the step: " + calls);
                    }
                }
                assertEquals(List.of("sumPeers 3 b c", "sumPeers 2 b c", "sumPeers 1 b c"),
                        a.calls.stream().filter(call -> call.startsWith("sumPeers")).toList());
                for (int l = 3; l >= 1; l--) {
                    int summed = log.indexOf("a sumPeers " + l);
                    for (String label : List.of("a", "b", "c")) {
                        long settled = log.subList(0, summed).stream().filter(e -> e.equals(label + " settle")).count();
                        assertTrue(settled >= 4 - l, label + " settled layer " + l + " before replica 0 summed it: " + log);
                    }
                }
                parallel.overlap(false);
                a.calls.clear();
                parallel.step(new float[batch * 2], new float[batch], batch, 0.1f);
                assertTrue(a.calls.stream().noneMatch(call -> call.startsWith("sumPeers")), "overlap(false): " + a.calls);
            }
        }
    }

    /** A replica that fails mid-pass fails the step with its own exception, the other stops waiting, and the next step runs. */
    @Test
    void aReplicaFailingMidPassFailsTheStepWithoutHangingTheOthers() {
        boolean[] fail = {true};
        Fake a = new Fake();
        Fake b = new Fake() {
            @Override
            public void layerGradient(int layer) {
                if (layer == 2 && fail[0]) {
                    throw new IllegalStateException("replica b: device lost in layer 2");
                }
                super.layerGradient(layer);
            }
        };
        for (boolean overlap : new boolean[] {true, false}) {
            fail[0] = true;
            try (DataParallelBackend parallel = new DataParallelBackend("two", List.of(a, b), new double[] {1, 1})) {
                parallel.overlap(overlap).load(threeLayers());
                if (overlap) {
                    IllegalStateException e = assertThrows(IllegalStateException.class,
                            () -> parallel.step(new float[8 * 2], new float[8], 8, 0.1f));
                    assertEquals("replica b: device lost in layer 2", e.getMessage());
                }
                fail[0] = false;
                assertEquals(1f, parallel.step(new float[8 * 2], new float[8], 8, 0.1f));
            }
        }
    }

    @Test
    void badSharesAreRefusedNamingThemAndTheReplicasAreClosed() {
        for (double[] shares : new double[][] {{1, 0}, {1, -2}, {Double.NaN, 1}, {1, Double.POSITIVE_INFINITY}}) {
            Fake a = new Fake();
            Fake b = new Fake();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DataParallelBackend("two", List.of(a, b), shares));
            assertTrue(e.getMessage().startsWith("shares[") && e.getMessage().contains("expected a finite number > 0"),
                    e.getMessage());
            assertTrue(a.closed && b.closed, "a refused construction closes the replicas it was given");
        }
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new DataParallelBackend("two", List.of(new Fake(), new Fake()), new double[] {1}));
        assertEquals("shares: expected 2 (one per replica), found 1", count.getMessage());
    }

    @Test
    void replicasThatCannotExchangeOrRepeatAreRefused() {
        Fake a = new Fake();
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new DataParallelBackend("two", List.of(a, a), new double[] {1, 1}));
        assertTrue(twice.getMessage().startsWith("replicas[1]: expected a backend of its own"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataParallelBackend("none", List.of(), new double[0]));
    }

    @Test
    void aReplicaThatFailsToStartClosesTheOnesBeforeItAndNoneAfterIsOpened() {
        Fake first = new Fake();
        List<String> opened = new ArrayList<>();
        List<Supplier<Backend>> openers = List.of(() -> {
            opened.add("0");
            return first;
        }, () -> {
            throw new BackendUnavailableException("fake: device 1 is on fire");
        }, () -> {
            opened.add("2");
            return new Fake();
        });
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> DataParallelBackend.open("fake:0,1,2", List.of("device 0", "device 1", "device 2"), openers,
                        new double[] {1, 1, 1}));
        assertEquals("fake:0,1,2: replica 1 (device 1) could not start; the 1 opened before it were closed: fake: device 1"
                + " is on fire", e.getMessage());
        assertTrue(first.closed);
        assertEquals(List.of("0"), opened);
    }

    @Test
    void badSharesAreRefusedBeforeAnyReplicaIsOpened() {
        List<String> opened = new ArrayList<>();
        List<Supplier<Backend>> openers = List.of(() -> {
            opened.add("0");
            return new Fake();
        });
        assertThrows(IllegalArgumentException.class,
                () -> DataParallelBackend.open("fake:0", List.of("device 0"), openers, new double[] {0}));
        assertEquals(List.of(), opened);
    }

    @Test
    void aBadBatchIsRefusedBeforeAnyReplicaWorks() {
        Fake a = new Fake();
        Fake b = new Fake();
        try (DataParallelBackend parallel = new DataParallelBackend("two", List.of(a, b), new double[] {1, 1})) {
            assertThrows(IllegalStateException.class, () -> parallel.step(new float[2], new float[1], 1, 0.1f));
            parallel.load(network());
            assertThrows(IllegalArgumentException.class, () -> parallel.step(new float[3], new float[1], 1, 0.1f));
            assertThrows(IllegalArgumentException.class, () -> parallel.step(new float[2], new float[1], 1, Float.NaN));
            assertThrows(IllegalArgumentException.class, () -> parallel.step(new float[0], new float[0], 0, 0.1f));
            assertEquals(List.of("load"), a.calls);
            assertEquals(List.of("load"), b.calls);
        }
    }

    @Test
    void deviceListsAreCheckedBeforeAnyDeviceIsOpened() {
        assertMessage("backend: 'opencl:0,0': device 0 is listed twice", () -> Backends.open("opencl:0,0"));
        assertMessage("backend: 'opencl:0=0,1': the share of device 0: expected a finite number > 0, found '0'",
                () -> Backends.open("opencl:0=0,1"));
        assertMessage("backend: 'opencl:0=x': the share of device 0: expected a finite number > 0, found 'x'",
                () -> Backends.open("opencl:0=x"));
        assertMessage("backend: 'opencl:': expected devices after ':' (all, or e.g. 0,1 or 0=3,1=1)", () -> Backends.open("opencl:"));
        assertMessage("backend: 'opencl:0,,1': expected a device index or name in every item of the list, found ''",
                () -> Backends.open("opencl:0,,1"));
        assertMessage("backend: 'auto:all': auto takes no device list; name the backend, e.g. opencl:all",
                () -> Backends.open("auto:all"));
        assertThrows(IllegalArgumentException.class, () -> Backends.open("nosuch:0"));
        BackendUnavailableException cpu = assertThrows(BackendUnavailableException.class, () -> Backends.open("cpu:all"));
        assertTrue(cpu.getMessage().contains("cpu has no devices; build a DataParallelBackend from cpu backends"),
                cpu.getMessage());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}

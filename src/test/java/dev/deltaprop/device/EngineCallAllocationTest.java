package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.fake.FakeDriver;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.testing.Compare;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's calls outside a training step allocate nothing on the Java heap once their
 * launch plans exist ({@link KeptPlans}), as {@link StepAllocationTest} holds a step to it:
 * {@code predict} of three batch sizes in turn (a caller's batch, a smaller last one and a
 * single sample; with only two sizes' plans kept each call would record one) allocates only the
 * result array it returns, and a replica's share of a data-parallel step
 * ({@link dev.deltaprop.backend.GradientExchange}, called as {@code ReplicaPass} calls it, on one
 * thread) allocates nothing: whole (the gradient, its sums out and the total in, the step) and
 * layer by layer (the shard begun, each layer's δ and sums out, the loss, each layer's total in
 * and step), for every optimizer with weight decay, with two shard sizes and a changing
 * {@code η}. Measured on LWJGL's OpenCL binding (PoCL here) and on the fake driver running the
 * whole engine; JOCL is left out, its reads and non-blocking writes allocate inside JOCL. The
 * peer reduction ({@code sumPeers}, {@code copyTotal}) is measured on two LWJGL backends acting
 * as peers. The planned calls give the numbers of the same pieces launched directly, bit for
 * bit; results are compared with the reference by the data-parallel and training tests.
 */
class EngineCallAllocationTest {
    private static final long SEED = 20261202L;
    private static final int BATCH = 16;
    private static final int LAST = 5;
    /** {@code predict}'s third batch size, cycled with {@link #BATCH} and {@link #LAST}. */
    private static final int SINGLE = 1;
    private static final int SAMPLES = 3 * BATCH + LAST;
    private static final int WARM_UP = 1500;
    private static final int WINDOW = 60;
    private static final int RUN = 300;
    private static final int[] WIDTHS = {13, 33, 7, 3};
    private static volatile Object sink;

    private static Network network() {
        return Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.RELU).layer(3, Activation.SOFTMAX)
                .loss(Loss.CROSS_ENTROPY).build(SEED);
    }

    static Stream<String> openClLwjgl() {
        return DeviceBackends.engineNames().stream().filter("opencl-lwjgl"::equals);
    }

    static Stream<Arguments> exchangeOnOpenCl() {
        return openClLwjgl().flatMap(name -> Stream.of(Optimizer.Kind.values())
                .flatMap(kind -> Stream.of(false, true).map(layered -> Arguments.of(name, kind, layered))));
    }

    static Stream<Arguments> exchangeOnFake() {
        return Stream.of(Optimizer.Kind.values()).flatMap(kind -> Stream.of(false, true)
                .map(layered -> Arguments.of(kind, layered)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openClLwjgl")
    void aSteadyPredictAllocatesOnlyItsResult(String backend) {
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            assertPredictAllocatesOnlyItsResult(device, backend);
        }
    }

    @ParameterizedTest(name = "fake")
    @MethodSource("dev.deltaprop.device.EngineCallAllocationTest#fakeOnly")
    void aSteadyPredictOnTheFakeDriverAllocatesOnlyItsResult(String name) {
        try (DeviceBackend device = new DeviceBackend(name, FakeDriver.forEngine())) {
            assertPredictAllocatesOnlyItsResult(device, name);
        }
    }

    static Stream<String> fakeOnly() {
        return Stream.of("fake");
    }

    @ParameterizedTest(name = "{0} {1} layered {2}")
    @MethodSource("exchangeOnOpenCl")
    void aSteadyExchangeStepAllocatesNothing(String backend, Optimizer.Kind kind, boolean layered) {
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            assertExchangeAllocatesNothing(device, kind, layered, backend);
        }
    }

    @ParameterizedTest(name = "fake {0} layered {1}")
    @MethodSource("exchangeOnFake")
    void aSteadyExchangeStepOnTheFakeDriverAllocatesNothing(Optimizer.Kind kind, boolean layered) {
        try (DeviceBackend device = new DeviceBackend("fake", FakeDriver.forEngine())) {
            assertExchangeAllocatesNothing(device, kind, layered, "fake");
        }
    }

    static Stream<Arguments> peersOnOpenCl() {
        return openClLwjgl().flatMap(name -> Stream.of(Optimizer.Kind.SGD, Optimizer.Kind.ADAMW)
                .map(kind -> Arguments.of(name, kind)));
    }

    /**
     * The device-to-device reduction of two replicas, layer by layer as {@code ReplicaPass} runs
     * it on peers (here on one thread; the two backends act as peers by {@link
     * CountingDriver#emulatePeers}, whose copies reuse one host array): replica 0 sums the
     * other's sums into its own ({@code gradient_total}, a plan per layer), the other copies the
     * total back, and both step. Nothing is allocated, and the replicas stay bitwise equal.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("peersOnOpenCl")
    void aSteadyPeerReductionAllocatesNothing(String backend, Optimizer.Kind kind) {
        com.sun.management.ThreadMXBean threads = threads();
        try (DeviceBackend root = DeviceBackends.open(backend); DeviceBackend other = DeviceBackends.open(backend)) {
            ((CountingDriver) root.driver()).emulatePeers = true;
            ((CountingDriver) other.driver()).emulatePeers = true;
            assertTrue(root.enablePeer(other) && other.enablePeer(root), "emulated peers");
            Optimizer optimizer = Optimizer.builder(kind).weightDecay(0.01f).build();
            root.load(network(), optimizer);
            other.load(network(), optimizer);
            SplittableRandom random = new SplittableRandom(SEED);
            float[] x = Compare.uniform(random, SAMPLES * 13, 1.0);
            float[] d = new float[SAMPLES * 3];
            for (int s = 0; s < SAMPLES; s++) {
                d[s * 3 + s % 3] = 1;
            }
            java.util.List<dev.deltaprop.backend.GradientExchange> others = java.util.List.of(other);
            int depth = WIDTHS.length - 1;
            int[] step = {0};
            Runnable pair = () -> {
                for (int shard = 0; shard < 2; shard++) {
                    int k = step[0]++;
                    float learningRate = 0.01f / (1 + k % 3);
                    int size = shard == 0 ? BATCH : LAST;
                    root.beginGradient(x, d, 0, size);
                    other.beginGradient(x, d, size, size);
                    for (int l = depth; l >= 1; l--) {
                        root.layerGradient(l);
                        other.layerGradient(l);
                        other.settle();
                        root.sumPeers(l, others);
                    }
                    sink = root.gradientLoss() + other.gradientLoss() > 0 ? Boolean.TRUE : Boolean.FALSE;
                    for (int l = depth; l >= 1; l--) {
                        other.copyTotal(l, root);
                        root.apply(l, learningRate, 2 * size);
                        other.apply(l, learningRate, 2 * size);
                    }
                    other.settle();
                }
            };
            for (int k = 0; k < WARM_UP; k++) {
                pair.run();
            }
            assertSteady(threads, pair, 0, backend + " " + kind + " peer reduction");
            Network a = root.network();
            Network b = other.network();
            for (int l = 0; l < depth; l++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.layer(l).weights(), b.layer(l).weights(), "layer " + l);
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.layer(l).bias(), b.layer(l).bias(), "layer " + l + " bias");
            }
            assertTrue(Float.isFinite(a.layer(0).weights()[0]), "the parameters stay finite");
        }
    }

    /**
     * A replayed plan launches what the code it was recorded from launches: {@code predict} and
     * both ways of the exchange, planned, give the predictions, losses and parameters of the same
     * engine pieces launched directly (a second backend, its gradient sums made here), bit for
     * bit, over steps of two shard sizes with Adam, weight decay and a changing {@code η}.
     */
    @ParameterizedTest(name = "{0} layered {1}")
    @MethodSource("plannedAgainstDirect")
    void plannedCallsGiveTheDirectLaunchesNumbers(String backend, boolean layered) {
        Optimizer optimizer = Optimizer.builder(Optimizer.Kind.ADAMW).weightDecay(0.01f).build();
        SplittableRandom random = new SplittableRandom(SEED);
        System.out.println("planned = direct: " + backend + " layered " + layered + ", seed " + SEED);
        float[] x = Compare.uniform(random, SAMPLES * 13, 1.0);
        float[] d = new float[SAMPLES * 3];
        for (int s = 0; s < SAMPLES; s++) {
            d[s * 3 + s % 3] = 1;
        }
        try (DeviceBackend planned = DeviceBackends.open(backend); DeviceBackend direct = DeviceBackends.open(backend)) {
            planned.load(network(), optimizer);
            direct.load(network(), optimizer);
            DeviceNet net = direct.netForTests();
            LayerPath layers = new LayerPath(direct.kernels(), new StepTimer(direct.driver()));
            DeviceGradients gradients = new DeviceGradients(direct.driver(), new GradientKernels(direct.driver(),
                    direct.kernels(), new StepTimer(direct.driver())), net);
            int depth = WIDTHS.length - 1;
            float[] sums = new float[planned.gradientLength()];
            int[] at = offsets();
            for (int k = 0; k < 6; k++) {
                float learningRate = 0.01f / (1 + k % 3);
                int offset = k % 2 == 0 ? 0 : 3 * BATCH;
                int size = k % 2 == 0 ? BATCH : LAST;
                int total = k % 2 == 0 ? 2 * BATCH : BATCH + LAST;
                double loss;
                if (layered) {
                    planned.beginGradient(x, d, offset, size);
                    for (int l = depth; l >= 1; l--) {
                        planned.layerGradient(l);
                        planned.readGradient(l, sums, at[l]);
                    }
                    loss = planned.gradientLoss();
                    for (int l = depth; l >= 1; l--) {
                        planned.writeGradient(l, sums, at[l]);
                        planned.apply(l, learningRate, total);
                    }
                } else {
                    loss = planned.gradient(x, d, offset, size);
                    planned.readGradient(sums);
                    planned.writeGradient(sums);
                    planned.apply(learningRate, total);
                }
                net.reserve(size);
                direct.driver().write(net.z(0), 0, x, offset * 13, size * 13);
                direct.driver().write(net.teacher(), 0, d, offset * 3, size * 3);
                layers.backward(net, size, 0);
                gradients.compute(size);
                float[] directSums = new float[sums.length];
                java.util.Arrays.fill(directSums, Float.NaN);
                gradients.read(directSums);
                double directLoss = (double) net.readLoss() * size;
                gradients.write(directSums);
                gradients.beginStep(optimizer, learningRate);
                gradients.applyAll(total);
                assertEquals(directLoss, loss, backend + " step " + k + ": the loss");
                org.junit.jupiter.api.Assertions.assertArrayEquals(directSums, sums, backend + " step " + k + ": the sums");
            }
            Network a = planned.network();
            Network b = direct.network();
            for (int l = 0; l < depth; l++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(b.layer(l).weights(), a.layer(l).weights(), "layer " + l);
                org.junit.jupiter.api.Assertions.assertArrayEquals(b.layer(l).bias(), a.layer(l).bias(), "layer " + l + " bias");
            }
            float[] y = planned.predict(java.util.Arrays.copyOf(x, BATCH * 13), BATCH);
            y = planned.predict(java.util.Arrays.copyOf(x, BATCH * 13), BATCH); // the plan replayed
            float[] yDirect = new float[BATCH * 3];
            java.util.Arrays.fill(yDirect, Float.NaN);
            net.reserve(BATCH);
            direct.driver().write(net.z(0), 0, x, 0, BATCH * 13);
            layers.outputs(net, BATCH);
            direct.driver().read(net.z(depth), 0, yDirect, 0, yDirect.length);
            org.junit.jupiter.api.Assertions.assertArrayEquals(yDirect, y, backend + ": predictions");
            gradients.close();
        }
    }

    static Stream<Arguments> plannedAgainstDirect() {
        return openClLwjgl().flatMap(name -> Stream.of(false, true).map(layered -> Arguments.of(name, layered)));
    }

    /** Where layer {@code l}'s sums start in the flat gradient. */
    private static int[] offsets() {
        int[] at = new int[WIDTHS.length];
        for (int l = 1; l < WIDTHS.length - 1; l++) {
            at[l + 1] = at[l] + (WIDTHS[l - 1] + 1) * WIDTHS[l];
        }
        return at;
    }

    private static void assertPredictAllocatesOnlyItsResult(DeviceBackend device, String backend) {
        com.sun.management.ThreadMXBean threads = threads();
        device.load(network(), Optimizer.sgd());
        float[] x = Compare.uniform(new SplittableRandom(SEED), SAMPLES * 13, 1.0);
        float[] xLast = java.util.Arrays.copyOf(x, LAST * 13);
        float[] xBatch = java.util.Arrays.copyOf(x, BATCH * 13);
        float[] xSingle = java.util.Arrays.copyOf(x, SINGLE * 13);
        Runnable cycle = () -> {
            sink = device.predict(xBatch, BATCH);
            sink = device.predict(xLast, LAST);
            sink = device.predict(xSingle, SINGLE);
        };
        for (int k = 0; k < WARM_UP; k++) {
            cycle.run();
        }
        assertEquals(3, device.predictions().recorded(), backend + ": one predict plan per batch size");
        long results = arrayBytes(threads, BATCH * 3) + arrayBytes(threads, LAST * 3) + arrayBytes(threads, SINGLE * 3);
        assertSteady(threads, cycle, results, backend + " predict " + BATCH + ", " + LAST + " and " + SINGLE);
        assertEquals(3, device.predictions().recorded(), backend + ": no predict plan recorded again");
    }

    private static void assertExchangeAllocatesNothing(DeviceBackend device, Optimizer.Kind kind, boolean layered,
                                                       String backend) {
        com.sun.management.ThreadMXBean threads = threads();
        device.load(network(), Optimizer.builder(kind).weightDecay(0.01f).build());
        SplittableRandom random = new SplittableRandom(SEED);
        float[] x = Compare.uniform(random, SAMPLES * 13, 1.0);
        float[] d = new float[SAMPLES * 3];
        for (int s = 0; s < SAMPLES; s++) {
            d[s * 3 + s % 3] = 1;
        }
        int length = device.gradientLength();
        float[] sums = new float[length];
        int[] at = offsets();
        int depth = WIDTHS.length - 1;
        int[] step = {0};
        // one replica's share of two data-parallel steps: a full shard of a 2B batch, then the last one of a B + 5 batch
        Runnable pair = () -> {
            for (int shard = 0; shard < 2; shard++) {
                int k = step[0]++;
                float learningRate = 0.01f / (1 + k % 3);
                int offset = shard == 0 ? 0 : 3 * BATCH;
                int size = shard == 0 ? BATCH : LAST;
                int total = shard == 0 ? 2 * BATCH : BATCH + LAST;
                if (layered) {
                    device.beginGradient(x, d, offset, size);
                    for (int l = depth; l >= 1; l--) {
                        device.layerGradient(l);
                        device.readGradient(l, sums, at[l]);
                    }
                    sink = device.gradientLoss() > 0 ? Boolean.TRUE : Boolean.FALSE;
                    for (int l = depth; l >= 1; l--) {
                        device.writeGradient(l, sums, at[l]);
                        device.apply(l, learningRate, total);
                    }
                } else {
                    sink = device.gradient(x, d, offset, size) > 0 ? Boolean.TRUE : Boolean.FALSE;
                    device.readGradient(sums);
                    device.writeGradient(sums);
                    device.apply(learningRate, total);
                }
            }
        };
        for (int k = 0; k < WARM_UP; k++) {
            pair.run();
        }
        KeptPlans plans = device.exchangePlans();
        assertNotNull(plans, "the exchange made its plans");
        long recorded = plans.recorded();
        String what = backend + " " + kind + (layered ? " layer by layer" : " whole");
        assertSteady(threads, pair, 0, what + " exchange");
        assertEquals(recorded, plans.recorded(), what + ": no exchange plan recorded again in the steady state");
        float[] weights = device.network().layer(0).weights();
        assertTrue(backend.equals("fake") || Float.isFinite(weights[0]), what + ": the parameters stay finite");
    }

    /**
     * Runs {@code calls} in windows until one allocated at most {@code allowed} bytes per call
     * (the JIT may still be compiling on a loaded machine), then a longer run that must too.
     */
    private static void assertSteady(com.sun.management.ThreadMXBean threads, Runnable calls, long allowed, String what) {
        long thread = Thread.currentThread().getId();
        long smallest = Long.MAX_VALUE;
        for (int window = 0; window < 20 && smallest != 0; window++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int k = 0; k < WINDOW; k++) {
                calls.run();
            }
            long bytes = threads.getThreadAllocatedBytes(thread) - before;
            smallest = Math.min(smallest, Math.max(0, bytes - allowed * WINDOW));
        }
        assertEquals(0, smallest, what + ": bytes allocated by " + WINDOW + " steady calls beyond " + allowed + " each");
        long excess = Long.MAX_VALUE;
        long run = 0;
        for (int round = 0; round < 5 && excess > 0; round++) { // a late deoptimization may materialise an object once
            long before = threads.getThreadAllocatedBytes(thread);
            for (int k = 0; k < RUN; k++) {
                calls.run();
            }
            run = threads.getThreadAllocatedBytes(thread) - before;
            excess = Math.min(excess, run - allowed * RUN);
        }
        assertTrue(excess <= 0, what + ": " + run + " bytes allocated by " + RUN + " more calls, beyond " + allowed + " each");
    }

    /** What one {@code float[length]} that escapes takes on this JVM, measured as the counter sees it. */
    private static long arrayBytes(com.sun.management.ThreadMXBean threads, int length) {
        long thread = Thread.currentThread().getId();
        long smallest = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int k = 0; k < 1000; k++) {
                sink = new float[length];
            }
            smallest = Math.min(smallest, threads.getThreadAllocatedBytes(thread) - before);
        }
        return smallest / 1000;
    }

    private static com.sun.management.ThreadMXBean threads() {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean counting
                && counting.isThreadAllocatedMemorySupported(), "needs the JVM's per-thread allocation counter");
        return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }
}

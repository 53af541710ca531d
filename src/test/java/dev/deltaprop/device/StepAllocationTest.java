package dev.deltaprop.device;

import dev.deltaprop.testing.SteadyWindows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Dataset;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.device.driver.fake.FakeDriver;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once a step's buffers and launch plans exist, a training step on the device engine allocates
 * nothing on the Java heap, as the thread's allocation counter measures it (as {@code
 * CpuBackendTest} measures the cpu backend): for every optimizer (with weight decay), on the
 * layer-by-layer and the fused path, on both OpenCL drivers (PoCL here) and on the fake driver
 * with CUDA-style graphs on and off. A run of steps takes every way a batch comes — a host
 * array, a host buffer, a device data set at every offset of an epoch with its last, smaller
 * batch — eagerly (the loss read back) and queued (the loss recorded on the device, read between
 * the measured windows, as the trainer reads every N steps), with {@code η} changing between
 * steps (a schedule; so the step scalars are uploaded). Once a window of steps allocated nothing
 * (the JIT has compiled the path), a run long enough to switch the upload staging's halves must
 * allocate nothing either, and record no plan again.
 *
 * <p>Two exceptions, both outside the engine. The fake device runs no kernel but the gather, so
 * there the steps are eager only (the loss record is never written) and nothing is compared:
 * results are compared on PoCL by the other device tests. On JOCL every non-blocking write
 * allocates inside JOCL (it keeps the host pointer alive until the copy is done, with a task on
 * its own executor): there a step may allocate at most what its uploads cost JOCL, measured here
 * on the same driver as the bytes of one write, times the writes the steps made ({@link
 * CountingDriver}), with a quarter more for the executor's own variation (its bytes per write
 * move between runs). The engine's own bytes are held to 0 by LWJGL's OpenCL binding, which has
 * no such cost, and by the fake driver.
 */
class StepAllocationTest {
    private static final long SEED = 20261201L;
    private static final int BATCH = 16;
    /** Three full batches and a last one of 5. */
    private static final int SAMPLES = 3 * BATCH + 5;
    /** One window: three epochs of the data set in each of its ways in (a multiple of the rotation). */
    private static final int WINDOW = 60;
    private static final int WARM_UP = 1500;
    /** The run after the first clean window: 1,200 host-batch uploads, more than one staging half of 64 KiB. */
    private static final int RUN = 300;

    /** 13 → 33 tanh → 7 relu → 3 softmax with cross entropy: fits the fused kernel (every width ≤ 128). */
    private static Network network() {
        return Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.RELU).layer(3, Activation.SOFTMAX)
                .loss(Loss.CROSS_ENTROPY).build(SEED);
    }

    static Stream<Arguments> openCl() {
        return DeviceBackends.engineNames().stream().flatMap(name -> Stream.of(Optimizer.Kind.values())
                .flatMap(kind -> Stream.of(false, true).map(fused -> Arguments.of(name, kind, fused))));
    }

    static Stream<Arguments> fake() {
        return Stream.of(Optimizer.Kind.values()).flatMap(kind -> Stream.of(false, true)
                .flatMap(fused -> Stream.of(false, true).flatMap(graphs -> Stream.of(false, true)
                        .map(lane -> Arguments.of(kind, fused, graphs, lane)))));
    }

    @ParameterizedTest(name = "{0} {1} fused {2}")
    @MethodSource("openCl")
    void aSteadyStepAllocatesNothing(String backend, Optimizer.Kind kind, boolean fused) {
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            assertSteadyStateAllocatesNothing(device, kind, fused, true, backend);
        }
    }

    /** With {@code lane}, host batches take the upload lane's path: two input slots, two plans, fences (as on CUDA). */
    @ParameterizedTest(name = "fake {0} fused {1} graphs {2} upload lane {3}")
    @MethodSource("fake")
    void aSteadyStepOnTheFakeDriverAllocatesNothing(Optimizer.Kind kind, boolean fused, boolean graphs, boolean lane) {
        try (DeviceBackend device = new DeviceBackend("fake", FakeDriver.forEngine(lane))) {
            assertEquals(lane, device.device().contains("host batches on the upload lane"), device.device());
            device.graphMode(graphs ? StepGraph.Mode.ON : StepGraph.Mode.OFF);
            assertSteadyStateAllocatesNothing(device, kind, fused, false, "fake (graphs " + (graphs ? "on" : "off")
                    + ", upload lane " + (lane ? "on)" : "off)"));
            if (graphs) {
                assertTrue(device.graphs().replays() > 0, "graphs on: steps were replayed");
            } else {
                assertEquals(0, device.graphs().captures(), "graphs off: nothing captured");
            }
        }
    }

    private static void assertSteadyStateAllocatesNothing(DeviceBackend device, Optimizer.Kind kind, boolean fused,
                                                          boolean queued, String backend) {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean counting
                && counting.isThreadAllocatedMemorySupported(), "needs the JVM's per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Network network = network();
        SplittableRandom random = new SplittableRandom(SEED);
        float[] x = Compare.uniform(random, SAMPLES * 13, 1.0);
        float[] d = new float[SAMPLES * 3];
        for (int s = 0; s < SAMPLES; s++) {
            d[s * 3 + s % 3] = 1;
        }
        float[] xBatch = java.util.Arrays.copyOf(x, BATCH * 13);
        float[] dBatch = java.util.Arrays.copyOf(d, BATCH * 3);
        FloatBuffer xBuffer = FloatBuffer.wrap(xBatch);
        FloatBuffer dBuffer = FloatBuffer.wrap(dBatch);
        device.fusedMode(fused ? FusedMlp.Mode.ON : FusedMlp.Mode.OFF);
        device.load(network, Optimizer.builder(kind).weightDecay(0.01f).build());
        assertEquals(fused, device.fusedOn(), "the path asked for");
        Dataset data = device.upload(x, d, SAMPLES);
        assertTrue(data instanceof DeviceDataset, "the data set stays on the device");
        int[] order = new int[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            order[s] = (s * 7) % SAMPLES;
        }
        data.order(order);
        Stepper steps = new Stepper(device, data, xBatch, dBatch, xBuffer, dBuffer, queued);
        for (int k = 0; k < WARM_UP; k++) {
            steps.next(k);
        }
        steps.read();
        long perWrite = device.driver().binding().startsWith("JOCL") ? joclBytesPerWrite(device, threads) : 0;
        CountingDriver counting = device.driver() instanceof CountingDriver c ? c : null;
        String what = backend + " " + kind + (fused ? " fused" : " layers");
        long thread = Thread.currentThread().getId();
        long smallest = Long.MAX_VALUE;
        for (SteadyWindows windows = new SteadyWindows(); windows.another(smallest); ) { // until the JIT has compiled every path (SteadyWindows)
            int writes = counting == null ? 0 : counting.writes;
            long before = threads.getThreadAllocatedBytes(thread);
            for (int k = 0; k < WINDOW; k++) {
                steps.next(k);
            }
            long bytes = threads.getThreadAllocatedBytes(thread) - before;
            long allowed = perWrite * ((counting == null ? 0 : counting.writes) - writes) * 5 / 4;
            smallest = Math.min(smallest, Math.max(0, bytes - allowed));
            steps.read(); // outside the window: a reading allocates its result
        }
        assertEquals(0, smallest, what + ": bytes allocated by " + WINDOW + " steady-state steps, beyond "
                + perWrite + " per write and a quarter more");
        long plans = device.plans().recorded();
        long excess = Long.MAX_VALUE;
        long run = 0;
        long allowed = 0;
        for (int round = 0; round < 5 && excess > 0; round++) { // a late deoptimization may materialise an object once
            int writes = counting == null ? 0 : counting.writes;
            long before = threads.getThreadAllocatedBytes(thread);
            for (int k = 0; k < RUN; k++) {
                steps.next(k);
            }
            run = threads.getThreadAllocatedBytes(thread) - before;
            allowed = perWrite * ((counting == null ? 0 : counting.writes) - writes) * 5 / 4;
            excess = Math.min(excess, run - allowed);
            steps.read();
        }
        assertTrue(excess <= 0, what + ": " + run + " bytes allocated by " + RUN + " more steps, "
                + (allowed == 0 ? "where none may be" : "more than their writes' " + allowed + " on JOCL (with a quarter more)"));
        assertEquals(plans, device.plans().recorded(), what + ": no plan recorded again in the steady state");
        data.close();
    }

    /**
     * What one non-blocking write of a few floats allocates inside JOCL on this driver, once its
     * path is compiled: the bound of a JOCL step's uploads. At least one byte, so that a JOCL
     * that stopped allocating still passes and one that allocates more is seen.
     */
    private static long joclBytesPerWrite(DeviceBackend device, com.sun.management.ThreadMXBean threads) {
        dev.deltaprop.device.driver.Driver driver = device.driver();
        dev.deltaprop.device.driver.Driver.Memory scratch = driver.allocate(BATCH * 13);
        float[] values = new float[BATCH * 13];
        long thread = Thread.currentThread().getId();
        long smallest = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int k = 0; k < 2000; k++) {
                driver.write(scratch, 0, values, 0, 1 + k % values.length);
            }
            smallest = Math.min(smallest, threads.getThreadAllocatedBytes(thread) - before);
        }
        driver.finish();
        driver.free(scratch);
        long perWrite = Math.max(1, (smallest + 1999) / 2000);
        System.out.println(device.name() + ": JOCL allocates " + perWrite + " bytes per non-blocking write");
        return perWrite;
    }

    /** One step of the rotation {@code k}: the data set's epoch eagerly, then queued, then the host batch as an array and a buffer. */
    private record Stepper(DeviceBackend device, Dataset data, float[] x, float[] d, FloatBuffer xBuffer,
                           FloatBuffer dBuffer, boolean queued) {
        /** Steps in one rotation: the data set's four batches twice, then an array and a buffer step of each kind. */
        static final int ROTATION = 12;

        void next(int k) {
            int r = k % ROTATION;
            float learningRate = 0.01f / (1 + k % 3); // a schedule: η changes between steps
            if (r < 8) {
                int batch = r % 4;
                int offset = batch * BATCH;
                int size = Math.min(BATCH, SAMPLES - offset);
                if (queued && r >= 4) {
                    device.queueStep(data, offset, size, learningRate);
                } else {
                    device.step(data, offset, size, learningRate);
                }
            } else if (r == 8) {
                device.step(x, d, BATCH, learningRate);
            } else if (r == 9) {
                device.step(xBuffer, dBuffer, BATCH, learningRate);
            } else if (r == 10 && queued) {
                device.queueStep(x, d, BATCH, learningRate);
            } else if (queued) {
                device.queueStep(xBuffer, dBuffer, BATCH, learningRate);
            } else {
                device.step(x, d, BATCH, learningRate);
            }
        }

        void read() {
            if (queued) {
                device.readLoss();
            }
        }
    }
}

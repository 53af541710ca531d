package dev.deltaprop.device;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training steps on every backend of {@link DeviceBackends#NAMES}, through {@link Backend},
 * against the {@code reference} backend: same network, same batches, 10 steps, parameters and
 * losses within 1e-4 relative; a data set kept in the backend against the same batches gathered
 * on the host; B = 1; bad input refused (on the device engine: before any device work, counted on
 * its driver). Launch counting and per-family profiling are the device engine's and run there only.
 */
class DeviceTrainingTest {
    private static final double BOUND = 1e-4;
    private static final int STEPS = 10;

    /** 13-33-7-3 with every activation somewhere and an odd output width: no size is a tile multiple. */
    private static Network network(long seed) {
        return Network.builder(13)
                .layer(33, Activation.TANH)
                .layer(7, Activation.LEAKY_RELU)
                .layer(5, Activation.SOFTPLUS)
                .layer(3, Activation.SIGMOID)
                .build(seed);
    }

    private static void assertSameParameters(Network actual, Network expected, double bound, String what) {
        for (int l = 0; l < expected.depth(); l++) {
            Layer a = actual.layer(l);
            Layer e = expected.layer(l);
            Compare.close(a.weights(), Compare.toDouble(e.weights()), bound, what + " layer " + l + " weights");
            Compare.close(a.bias(), Compare.toDouble(e.bias()), bound, what + " layer " + l + " bias");
        }
    }

    /** Ten steps on fresh random batches equal ten reference steps, parameters and losses. */
    @ParameterizedTest(name = "{0}: batch {1}")
    @MethodSource("batches")
    void tenStepsEqualTheReference(String backend, int batch) {
        long seed = Seeds.seed();
        String what = backend + " (seed " + seed + ", batch " + batch + ")";
        Network start = network(seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (Backend device = DeviceBackends.backend(backend); ReferenceBackend reference = new ReferenceBackend()) {
            device.load(start);
            reference.load(start);
            for (int s = 0; s < STEPS; s++) {
                float[] x = Compare.uniform(random, batch * 13, 1.5);
                float[] d = Compare.uniform(random, batch * 3, 0.5);
                float lossDevice = s % 2 == 0 ? device.step(x, d, batch, 0.3f)
                        : device.step(FloatBuffer.wrap(x), FloatBuffer.wrap(d), batch, 0.3f);
                float lossReference = reference.step(x, d, batch, 0.3f);
                Compare.close(new float[] {lossDevice}, new double[] {lossReference}, BOUND, what + " step " + s + " loss");
            }
            assertSameParameters(device.network(), reference.network(), BOUND, what);
            float[] x = Compare.uniform(random, batch * 13, 1.5);
            Compare.close(device.predict(x, batch), Compare.toDouble(reference.predict(x, batch)), BOUND, what + " predict");
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> batches() {
        return DeviceBackends.names().stream().flatMap(name -> java.util.stream.Stream.of(1, 7, 33, 257)
                .map(batch -> org.junit.jupiter.params.provider.Arguments.of(name, batch)));
    }

    /**
     * A shuffled epoch from a data set uploaded to the backend equals the same batches gathered
     * on the host and stepped as arrays, bit for bit, and the reference. On the device engine, a
     * backend whose data-set share is 0 (which keeps the data set on the host) also agrees bit
     * for bit, the profile names the gather, and the launches are counted.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#names")
    void deviceDatasetEqualsHostBatches(String backend) {
        long seed = Seeds.seed();
        String what = backend + " (seed " + seed + ")";
        SplittableRandom random = new SplittableRandom(seed);
        int samples = 101;
        int batch = 16;
        float[] x = Compare.uniform(random, samples * 13, 1.0);
        float[] d = Compare.uniform(random, samples * 3, 0.5);
        int[] order = new int[samples];
        for (int k = 0; k < samples; k++) {
            order[k] = (k * 37 + 11) % samples; // 37 is prime to 101: a permutation
        }
        Network start = network(seed);
        boolean engine = DeviceBackends.isEngine(backend);
        try (Backend onDevice = DeviceBackends.backend(backend);
             Backend onHost = engine ? DeviceBackends.open(backend, 0.0) : null;
             Backend byArrays = DeviceBackends.backend(backend);
             ReferenceBackend reference = new ReferenceBackend()) {
            onDevice.load(start);
            byArrays.load(start);
            reference.load(start);
            Dataset deviceData = onDevice.upload(x, d, samples);
            Dataset referenceData = reference.upload(x, d, samples);
            Dataset hostData = null;
            if (engine) {
                onHost.load(start);
                hostData = onHost.upload(x, d, samples);
                assertTrue(deviceData instanceof DeviceDataset, "a small data set is kept on the device");
                assertTrue(!(hostData instanceof DeviceDataset), "with a share of 0 it stays on the host");
                hostData.order(order);
                ((DeviceBackend) onDevice).profiling(true);
            }
            deviceData.order(order);
            referenceData.order(order);
            for (int offset = 0; offset + batch <= samples; offset += batch) {
                float[] xBatch = new float[batch * 13];
                float[] dBatch = new float[batch * 3];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(x, order[offset + b] * 13, xBatch, b * 13, 13);
                    System.arraycopy(d, order[offset + b] * 3, dBatch, b * 3, 3);
                }
                float a = onDevice.step(deviceData, offset, batch, 0.2f);
                float h = byArrays.step(xBatch, dBatch, batch, 0.2f);
                float c = reference.step(referenceData, offset, batch, 0.2f);
                assertEquals(h, a, what + " loss at offset " + offset + " vs host-gathered arrays");
                if (engine) {
                    float b = onHost.step(hostData, offset, batch, 0.2f);
                    assertEquals(b, a, what + " loss at offset " + offset);
                }
                Compare.close(new float[] {a}, new double[] {c}, BOUND, what + " loss vs reference at offset " + offset);
            }
            Network a = onDevice.network();
            for (Backend other : engine ? new Backend[] {byArrays, onHost} : new Backend[] {byArrays}) {
                Network b = other.network();
                for (int l = 0; l < a.depth(); l++) {
                    assertArrayEquals(b.layer(l).weights(), a.layer(l).weights(), what + " layer " + l);
                    assertArrayEquals(b.layer(l).bias(), a.layer(l).bias(), what + " layer " + l);
                }
            }
            assertSameParameters(a, reference.network(), BOUND, what);
            if (engine) {
                DeviceBackend device = (DeviceBackend) onDevice;
                Map<String, Long> nanos = device.lastStepNanos();
                // a network that fits the fused small-MLP kernel takes it (FusedMlpTest): its one family, 2 launches
                assertEquals(device.fusedOn() ? java.util.Set.of("gather", "fused_gradients", "fused_update")
                        : java.util.Set.of("gather", "forward", "delta_output", "delta_hidden", "update"), nanos.keySet(),
                        what + " profiled families");
                assertEquals((device.fusedOn() ? 2 : 3 * 4 + 1) + 2, device.launchesPerStep(),
                        what + " launches on a device data set");
                hostData.close();
            }
            deviceData.close();
        }
    }

    /** Profiling names the families of a host-batch step ({@code 3L + 1} launches) and of predict (forward only). */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true) // none when only cpu is asked for
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void profilingTimesEachFamily(String backend) {
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            device.fusedMode(FusedMlp.Mode.OFF); // the layer-by-layer families (FusedMlpTest profiles the fused one)
            device.load(network(3));
            assertEquals(3 * 4 + 1, device.launchesPerStep(), "before any step");
            CountingDriver driver = (CountingDriver) device.driver();
            device.profiling(true);
            int before = driver.launches;
            device.step(new float[8 * 13], new float[8 * 3], 8, 0.1f);
            assertEquals(3 * 4 + 1, driver.launches - before, "launches in one step");
            assertEquals(3 * 4 + 1, device.launchesPerStep());
            Map<String, Long> step = device.lastStepNanos();
            assertEquals(java.util.List.of("forward", "delta_output", "delta_hidden", "update"),
                    new java.util.ArrayList<>(step.keySet()), "families in launch order");
            step.values().forEach(nanos -> assertTrue(nanos >= 0, "nanoseconds " + step));
            device.predict(new float[2 * 13], 2);
            assertEquals(java.util.Set.of("forward"), device.lastStepNanos().keySet(), "predict records forward");
        }
    }

    /**
     * Sizes, NaN, empty batches and a bad learning rate are refused with the field named; on the
     * device engine, before any device work (counted on its driver).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#names")
    void badInputIsRefusedBeforeAnyLaunch(String backend) {
        try (Backend device = DeviceBackends.backend(backend)) {
            device.load(network(1));
            CountingDriver driver = device instanceof DeviceBackend ? (CountingDriver) ((DeviceBackend) device).driver() : null;
            int before = driver == null ? 0 : driver.work();
            float[] x = new float[4 * 13];
            float[] d = new float[4 * 3];
            expect("x", () -> device.step(new float[4 * 13 - 1], d, 4, 0.1f));
            expect("d", () -> device.step(x, new float[4 * 3 + 1], 4, 0.1f));
            expect("batch", () -> device.step(new float[0], new float[0], 0, 0.1f));
            expect("learningRate", () -> device.step(x, d, 4, Float.NaN));
            expect("learningRate", () -> device.step(x, d, 4, -1f));
            float[] nanX = x.clone();
            nanX[2 * 13 + 5] = Float.NaN;
            expect("x[2][5]", () -> device.step(nanX, d, 4, 0.1f));
            float[] infD = d.clone();
            infD[7] = Float.POSITIVE_INFINITY;
            expect("d[2][1]", () -> device.step(x, infD, 4, 0.1f));
            expect("x", () -> device.step(FloatBuffer.wrap(x, 0, 10), FloatBuffer.wrap(d), 4, 0.1f));
            expect("x", () -> device.predict(new float[5], 1));
            expect("batch", () -> device.predict(new float[0], 0));
            Dataset data = device.upload(new float[10 * 13], new float[10 * 3], 10);
            expect("offset", () -> device.step(data, 5, 6, 0.1f));
            expect("order[1]", () -> data.order(new int[] {0, 0, 2, 3, 4, 5, 6, 7, 8, 9}));
            expect("offset", () -> device.step(data, -1, 2, 0.1f));
            if (driver != null) {
                int afterUpload = driver.work();
                assertTrue(before <= afterUpload);
                // only the upload itself wrote: three buffers (inputs, teachers, order)
                assertEquals(before + 3, afterUpload, "the refused calls did no device work");
                device.load(Network.builder(13).layer(2, Activation.RELU).build(2));
                int afterLoad = driver.work();
                expect("data", () -> device.step(data, 0, 2, 0.1f));
                assertEquals(afterLoad, driver.work(), "a data set of other widths is refused before any launch");
            }
            data.close();
        }
    }

    private static void expect(String field, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(field), "message names " + field + ": " + e.getMessage());
    }
}

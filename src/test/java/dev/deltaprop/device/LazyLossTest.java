package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Dataset;
import dev.deltaprop.backend.LossReading;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 3: a queued step ({@code queueStep}) keeps its loss in the device's loss record
 * and does not wait for the device; {@code readLoss} then returns, bit for bit, the losses the
 * eager {@code step} returns for the same steps, and the parameters end bit for bit alike (the
 * same launches on the same numbers). On both paths (layer by layer, fused), for every way a batch
 * arrives (array, buffer, device data set, host data set), over more steps than one record holds
 * (so it is drained when full), with batches of 1, 7 and 33; a non-finite loss sets the record's
 * flag at the step where it happened; bad arguments are refused before any device work.
 */
class LazyLossTest {
    /** 5-33-7-3 fits the fused kernel; every width odd. */
    private static Network network(long seed) {
        return Network.builder(5)
                .layer(33, Activation.TANH)
                .layer(7, Activation.RELU)
                .layer(3, Activation.SOFTMAX)
                .loss(dev.deltaprop.model.Loss.CROSS_ENTROPY)
                .build(seed);
    }

    enum Source { ARRAY, BUFFER, DEVICE_DATA, HOST_DATA }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : DeviceBackends.engineNames()) {
            for (FusedMlp.Mode mode : new FusedMlp.Mode[] {FusedMlp.Mode.OFF, FusedMlp.Mode.ON}) {
                for (Source source : Source.values()) {
                    cases.add(Arguments.of(backend, mode, source));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} fused={1} {2}")
    @MethodSource("cases")
    void queuedLossesEqualEagerOnesBitForBit(String backend, FusedMlp.Mode mode, Source source) {
        long seed = Seeds.seed();
        String what = backend + " fused=" + mode + " " + source + " (seed " + seed + ")";
        Network start = network(seed);
        SplittableRandom random = new SplittableRandom(seed);
        int samples = 40;
        float[] x = Compare.uniform(random, samples * 5, 1.0);
        float[] d = new float[samples * 3];
        for (int s = 0; s < samples; s++) {
            d[s * 3 + random.nextInt(3)] = 1f;
        }
        // more steps than a record holds, of batches 1, 7 and 33 taken from the 40 samples
        int[] batches = {1, 7, 33};
        int steps = LossRecord.CAPACITY + 11;
        double share = source == Source.HOST_DATA ? 0 : DeviceBackend.DATASET_SHARE_PERCENT / 100.0;
        try (DeviceBackend eager = DeviceBackends.open(backend, share);
             DeviceBackend lazy = DeviceBackends.open(backend, share)) {
            eager.fusedMode(mode);
            lazy.fusedMode(mode);
            Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
            eager.load(start, adam);
            lazy.load(start, adam);
            assertEquals(mode == FusedMlp.Mode.ON, lazy.fusedOn(), what + ": the path asked for");
            Dataset eagerData = eager.upload(x, d, samples);
            Dataset lazyData = lazy.upload(x, d, samples);
            CountingDriver driver = (CountingDriver) lazy.driver();
            float[] losses = new float[steps];
            int waitsBefore = driver.waits;
            for (int k = 0; k < steps; k++) {
                int batch = batches[k % batches.length];
                int offset = k % (samples - batch + 1);
                float rate = 0.01f;
                switch (source) {
                    case ARRAY: {
                        float[] xs = java.util.Arrays.copyOfRange(x, offset * 5, (offset + batch) * 5);
                        float[] ds = java.util.Arrays.copyOfRange(d, offset * 3, (offset + batch) * 3);
                        losses[k] = eager.step(xs, ds, batch, rate);
                        lazy.queueStep(xs, ds, batch, rate);
                        break;
                    }
                    case BUFFER: {
                        FloatBuffer xs = FloatBuffer.wrap(x, offset * 5, batch * 5).slice();
                        FloatBuffer ds = FloatBuffer.wrap(d, offset * 3, batch * 3).slice();
                        losses[k] = eager.step(xs, ds, batch, rate);
                        lazy.queueStep(xs, ds, batch, rate);
                        break;
                    }
                    default:
                        losses[k] = eager.step(eagerData, offset, batch, rate);
                        lazy.queueStep(lazyData, offset, batch, rate);
                }
                assertEquals(eager.launchesPerStep(), lazy.launchesPerStep(), what + ": the same launches, step " + k);
            }
            // the only waits of the queued steps are the drains of full records
            assertEquals(steps / LossRecord.CAPACITY, driver.waits - waitsBefore, what + ": waits for the device");
            LossReading reading = lazy.readLoss();
            assertEquals(steps, reading.steps(), what);
            assertEquals(steps, reading.kept(), what);
            assertFalse(reading.nonFinite(), what);
            double sum = 0;
            for (int k = 0; k < steps; k++) {
                assertEquals(Float.floatToIntBits(losses[k]), Float.floatToIntBits(reading.loss(k)),
                        what + ": step " + k + " eager " + losses[k] + ", queued " + reading.loss(k));
                sum += losses[k];
            }
            assertEquals(sum / steps, reading.mean(), 0.0, what + ": the mean");
            assertEquals(0, lazy.readLoss().steps(), what + ": a reading starts over");
            assertParametersEqual(eager.network(), lazy.network(), what);
            assertEquals(eager.optimizerState().steps(), lazy.optimizerState().steps(), what + ": t");
            eagerData.close();
            lazyData.close();
        }
    }

    static Stream<Arguments> paths() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : DeviceBackends.engineNames()) {
            cases.add(Arguments.of(backend, FusedMlp.Mode.OFF));
            cases.add(Arguments.of(backend, FusedMlp.Mode.ON));
        }
        return cases.stream();
    }

    /**
     * Inputs of 3e38 overflow the forward pass (data are checked finite, so this is how a batch
     * goes bad): the eager loss is not finite, and the record's flag names the same step.
     */
    @ParameterizedTest(name = "{0} fused={1}")
    @MethodSource("paths")
    void aNonFiniteLossSetsTheFlagAtItsStep(String backend, FusedMlp.Mode mode) {
        long seed = Seeds.seed();
        String what = backend + " fused=" + mode + " (seed " + seed + ")";
        Network start = Network.builder(5).layer(9, Activation.IDENTITY).layer(2, Activation.IDENTITY).build(seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (DeviceBackend eager = DeviceBackends.open(backend); DeviceBackend lazy = DeviceBackends.open(backend)) {
            eager.fusedMode(mode);
            lazy.fusedMode(mode);
            eager.load(start);
            lazy.load(start);
            float[] d = Compare.uniform(random, 4 * 2, 1.0);
            float[] good = Compare.uniform(random, 4 * 5, 1.0);
            float[] poisoned = good.clone();
            java.util.Arrays.fill(poisoned, 3e38f);
            int bad = 3;
            for (int k = 0; k < 6; k++) {
                float[] x = k == bad ? poisoned : good;
                float loss = eager.step(x, d, 4, 1e-3f);
                assertEquals(k >= bad, !Float.isFinite(loss), what + ": eager loss of step " + k + " is " + loss);
                lazy.queueStep(x, d, 4, 1e-3f);
            }
            LossReading reading = lazy.readLoss();
            assertTrue(reading.nonFinite(), what + ": " + reading);
            assertEquals(bad, reading.firstNonFinite(), what + ": " + reading);
            assertFalse(Float.isFinite(reading.loss(bad)), what);
            assertTrue(Float.isFinite(reading.loss(bad - 1)), what);
            // the flag is cleared by the reading: a fresh start is clean again
            lazy.load(start);
            lazy.queueStep(good, d, 4, 1e-3f);
            LossReading clean = lazy.readLoss();
            assertFalse(clean.nonFinite(), what + ": " + clean);
            assertEquals(1, clean.steps(), what);
        }
    }

    /** The same refusals as the eager step, with the field named, before any device work (counted). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void badArgumentsAreRefusedBeforeAnyDeviceWork(String backend) {
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            device.load(network(1));
            Dataset data = device.upload(new float[10 * 5], new float[10 * 3], 10);
            CountingDriver driver = (CountingDriver) device.driver();
            int before = driver.work();
            int waits = driver.waits;
            float[] x = new float[4 * 5];
            float[] d = new float[4 * 3];
            expect("x", () -> device.queueStep(new float[4 * 5 - 1], d, 4, 0.1f));
            expect("d", () -> device.queueStep(x, new float[4 * 3 + 1], 4, 0.1f));
            expect("batch", () -> device.queueStep(new float[0], new float[0], 0, 0.1f));
            expect("learningRate", () -> device.queueStep(x, d, 4, Float.NaN));
            float[] nanX = x.clone();
            nanX[7] = Float.NaN;
            expect("x[1][2]", () -> device.queueStep(nanX, d, 4, 0.1f));
            expect("x", () -> device.queueStep(FloatBuffer.wrap(x, 0, 10), FloatBuffer.wrap(d), 4, 0.1f));
            expect("offset", () -> device.queueStep(data, 5, 6, 0.1f));
            expect("learningRate", () -> device.queueStep(data, 0, 2, 0f));
            assertEquals(before, driver.work(), "the refused calls did no device work");
            assertEquals(waits, driver.waits, "nor waited for the device");
            assertEquals(0, device.readLoss().steps(), "and were not counted as steps");
            data.close();
        }
    }

    private static void expect(String field, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(field), "message names " + field + ": " + e.getMessage());
    }

    private static void assertParametersEqual(Network expected, Network actual, String what) {
        for (int l = 0; l < expected.depth(); l++) {
            Layer e = expected.layer(l);
            Layer a = actual.layer(l);
            assertArrayEquals(e.weights(), a.weights(), 0f, what + ": W^" + (l + 1));
            assertArrayEquals(e.bias(), a.bias(), 0f, what + ": b^" + (l + 1));
        }
    }
}

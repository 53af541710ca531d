package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.deltaprop.backend.Dataset;
import dev.deltaprop.backend.LossReading;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 3: a host batch's upload is staged and enqueued without waiting for the step
 * before it (OpenCL: {@code UploadStaging}; CUDA: pinned staging), on the upload lane into one of
 * two input buffers taken in turn ({@link InputBuffers}), so it overlaps that step. Each case runs
 * with the lane where the driver has one (both OpenCL bindings here); the gathered run is the path
 * without it (slot 0, no fences), so the two must agree bit for bit, at batches of 1, 7, 33 and
 * 257 and a short 5 after the 257. The
 * caller's arrays are free the moment {@code queueStep} returns: here they are overwritten with
 * NaN at once, and the run must still equal, bit for bit, the same batches gathered on the
 * device from an uploaded data set (no upload per step at all). Inputs of 1031 and 257 make a
 * step's upload 1–136 KiB, so the staging halves switch every step or two and grow mid-run.
 */
class UploadOverlapTest {
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : DeviceBackends.engineNames()) {
            for (int inputs : new int[] {257, 1031}) {
                cases.add(Arguments.of(backend, inputs, false));
                cases.add(Arguments.of(backend, inputs, true));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} n_0={1} buffers={2}")
    @MethodSource("cases")
    void stagedUploadsEqualDeviceGathersBitForBit(String backend, int inputs, boolean buffers) {
        long seed = Seeds.seed();
        String what = backend + " n_0=" + inputs + " buffers=" + buffers + " (seed " + seed + ")";
        Network start = Network.builder(inputs).layer(9, Activation.TANH).layer(3, Activation.IDENTITY).build(seed);
        SplittableRandom random = new SplittableRandom(seed);
        int samples = 300;
        float[] x = Compare.uniform(random, samples * inputs, 1.0);
        float[] d = Compare.uniform(random, samples * 3, 1.0);
        int[] batches = {33, 1, 7, 257, 5}; // 257 and then 5: an epoch's full batch and its short last one
        int steps = 40;
        float[][] xs = new float[258][];
        float[][] ds = new float[258][];
        for (int b : batches) {
            xs[b] = new float[b * inputs];
            ds[b] = new float[b * 3];
        }
        FloatBuffer direct = ByteBuffer.allocateDirect(257 * inputs * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer directD = ByteBuffer.allocateDirect(257 * 3 * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        try (DeviceBackend gathered = DeviceBackends.open(backend); DeviceBackend uploaded = DeviceBackends.open(backend)) {
            gathered.load(start);
            uploaded.load(start);
            if (uploaded.driver().overlapsUploads() && InputBuffers.requested()) {
                org.junit.jupiter.api.Assertions.assertTrue(uploaded.device().contains("host batches on the upload lane"),
                        uploaded.device());
            }
            Dataset data = gathered.upload(x, d, samples);
            for (int k = 0; k < steps; k++) {
                int batch = batches[k % batches.length];
                int offset = (k * 37) % (samples - batch + 1);
                gathered.queueStep(data, offset, batch, 0.05f);
                if (buffers) {
                    direct.clear().put(x, offset * inputs, batch * inputs).flip();
                    directD.clear().put(d, offset * 3, batch * 3).flip();
                    uploaded.queueStep(direct, directD, batch, 0.05f);
                    direct.clear();
                    for (int i = 0; i < batch * inputs; i++) {
                        direct.put(i, Float.NaN); // free again once queueStep returned
                    }
                } else {
                    System.arraycopy(x, offset * inputs, xs[batch], 0, batch * inputs);
                    System.arraycopy(d, offset * 3, ds[batch], 0, batch * 3);
                    uploaded.queueStep(xs[batch], ds[batch], batch, 0.05f);
                    java.util.Arrays.fill(xs[batch], Float.NaN);
                    java.util.Arrays.fill(ds[batch], Float.NaN);
                }
            }
            LossReading expected = gathered.readLoss();
            LossReading actual = uploaded.readLoss();
            assertFalse(actual.nonFinite(), what + ": a caller's overwritten array reached the device: " + actual);
            assertEquals(steps, actual.steps(), what);
            for (int k = 0; k < steps; k++) {
                assertEquals(Float.floatToIntBits(expected.loss(k)), Float.floatToIntBits(actual.loss(k)),
                        what + ": loss of step " + k);
            }
            Network a = gathered.network();
            Network b = uploaded.network();
            for (int l = 0; l < a.depth(); l++) {
                assertArrayEquals(a.layer(l).weights(), b.layer(l).weights(), 0f, what + ": W^" + (l + 1));
                assertArrayEquals(a.layer(l).bias(), b.layer(l).bias(), 0f, what + ": b^" + (l + 1));
            }
            data.close();
        }
    }
}

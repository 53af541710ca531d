package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Dataset;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A step replayed from a CUDA graph equals the same step launched, bit for bit: two backends on
 * one device, graphs off and on, train the same network on the same batches — host batches and
 * a device data set, η scheduled (a new value every step, and a lower one in the second epoch),
 * a shorter last batch, eager steps in the first epoch and queued ones (the loss kept on the
 * device, {@code queueStep}) in the second, on the layer path and the fused one, with SGD,
 * momentum, Adam and AdamW — and every loss and every parameter agrees to the bit. η and Adam's bias
 * corrections are read from {@link StepScalars}, not held in the graph, so every optimizer and
 * every η replays the same steps (the counts are checked). Runs where a CUDA GPU exists;
 * elsewhere it is skipped with the reason CUDA cannot start.
 */
class GraphReplayTest {
    private static final int SAMPLES = 101;
    private static final int BATCH = 16;

    static Stream<Arguments> cases() {
        // both CUDA names always, so that a run limited to other backends skips them with the reason
        return Stream.of("cuda", "cuda-lwjgl")
                .flatMap(name -> Stream.of(FusedMlp.Mode.OFF, FusedMlp.Mode.ON)
                        .flatMap(fused -> Stream.of(Optimizer.Kind.SGD, Optimizer.Kind.MOMENTUM, Optimizer.Kind.ADAM,
                                        Optimizer.Kind.ADAMW)
                                .map(kind -> Arguments.of(name, fused, kind))));
    }

    /** 13-33-7-3: odd widths, every one within the fused kernel's limit. */
    private static Network network(long seed) {
        return Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.RELU).layer(3, Activation.IDENTITY)
                .build(seed);
    }

    @ParameterizedTest(name = "{0}, fused {1}, {2}")
    @MethodSource("cases")
    void aReplayedStepEqualsALaunchedOne(String name, FusedMlp.Mode fused, Optimizer.Kind kind) {
        Assumptions.assumeTrue(DeviceBackends.names().contains(name), name + " is not among -Ddeltaprop.test.backends");
        DeviceBackends.require(name);
        long seed = Seeds.seed();
        String what = name + ", fused " + fused + ", " + kind + Seeds.rerun(seed);
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = Compare.uniform(random, SAMPLES * 13, 1.0);
        float[] d = Compare.uniform(random, SAMPLES * 3, 0.5);
        int[] order = new int[SAMPLES];
        for (int k = 0; k < SAMPLES; k++) {
            order[k] = (k * 37 + 11) % SAMPLES;
        }
        Network start = network(seed);
        Optimizer optimizer = Optimizer.of(kind);
        try (DeviceBackend launched = DeviceBackends.open(name); DeviceBackend replayed = DeviceBackends.open(name)) {
            launched.graphMode(StepGraph.Mode.OFF);
            replayed.graphMode(StepGraph.Mode.ON);
            for (DeviceBackend backend : new DeviceBackend[] {launched, replayed}) {
                backend.fusedMode(fused);
                backend.load(start, optimizer);
            }
            Dataset launchedData = launched.upload(x, d, SAMPLES);
            Dataset replayedData = replayed.upload(x, d, SAMPLES);
            launchedData.order(order);
            replayedData.order(order);
            int step = 0;
            for (int epoch = 0; epoch < 2; epoch++) {
                for (int offset = 0; offset < SAMPLES; offset += BATCH, step++) {
                    int batch = Math.min(BATCH, SAMPLES - offset);
                    // a schedule: a new η every step, so a replay that kept its capture's η would differ
                    float learningRate = (epoch == 0 ? 0.05f : 0.02f) / (1 + 0.125f * step);
                    float a;
                    float b;
                    if (step % 3 == 2) { // host batches now and then: the same graph serves both inputs
                        float[] xBatch = java.util.Arrays.copyOfRange(x, offset * 13, (offset + batch) * 13);
                        float[] dBatch = java.util.Arrays.copyOfRange(d, offset * 3, (offset + batch) * 3);
                        a = launched.step(xBatch, dBatch, batch, learningRate);
                        b = replayed.step(xBatch, dBatch, batch, learningRate);
                    } else if (epoch == 1) { // queued: the loss recorded on the device, read at the epoch's end
                        launched.queueStep(launchedData, offset, batch, learningRate);
                        replayed.queueStep(replayedData, offset, batch, learningRate);
                        a = Float.NaN;
                        b = Float.NaN;
                    } else {
                        a = launched.step(launchedData, offset, batch, learningRate);
                        b = replayed.step(replayedData, offset, batch, learningRate);
                    }
                    assertEquals(Float.floatToRawIntBits(a), Float.floatToRawIntBits(b), what + ": step " + step + " loss " + a + " vs " + b);
                    assertEquals(launched.launchesPerStep(), replayed.launchesPerStep(), what + ": launches of step " + step);
                }
            }
            dev.deltaprop.backend.LossReading launchedLosses = launched.readLoss();
            dev.deltaprop.backend.LossReading replayedLosses = replayed.readLoss();
            assertEquals(launchedLosses.kept(), replayedLosses.kept(), what + ": queued steps");
            assertTrue(launchedLosses.kept() > 0, what + ": the second epoch queued steps");
            for (int k = 0; k < launchedLosses.kept(); k++) {
                assertEquals(Float.floatToRawIntBits(launchedLosses.loss(k)), Float.floatToRawIntBits(replayedLosses.loss(k)),
                        what + ": queued step " + k + " loss");
            }
            Network expected = launched.network();
            Network actual = replayed.network();
            for (int l = 0; l < expected.depth(); l++) {
                assertArrayEquals(expected.layer(l).weights(), actual.layer(l).weights(), what + ": layer " + l + " weights");
                assertArrayEquals(expected.layer(l).bias(), actual.layer(l).bias(), what + ": layer " + l + " bias");
            }
            assertEquals(0, launched.graphs().captures(), what + ": graphs off");
            // epoch 1 (eager): launched, captured at offset 16, replayed through offset 80 (5 steps from the
            // graph), the short batch launched; epoch 2 (queued, its host batches eager): the host batch at
            // offset 16 replays epoch 1's eager graph with its own η, the queued key is captured at offset 48
            // and replayed at 80 (3 steps from a graph). Adam's t and the schedule's η are not in the key.
            assertEquals(2, replayed.graphs().captures(), what + ": one capture per recorded-or-not key");
            assertEquals(8, replayed.graphs().replays(), what + ": steps run from a graph");
            launchedData.close();
            replayedData.close();
        }
    }
}

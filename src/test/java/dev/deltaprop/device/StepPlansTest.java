package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.ReferenceBackend;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Step plans ({@link StepPlans}) follow the buffers they hold: one backend steps batches that
 * grow and shrink (5, 33, 7, 257, 33, 5, 300, 7: each larger one regrows the net's batch buffers,
 * and with them the split-K and fused partial buffers, so every plan recorded before is stale),
 * eagerly and queued, more batch sizes than plans are kept, with Adam and weight decay (new bias
 * corrections every step) on the layer path and the fused one; every loss and the parameters
 * equal the reference's, so no stale plan ran (one would also launch a freed buffer, which the
 * driver refuses). Then a size that comes again in a row is not recorded again.
 */
class StepPlansTest {
    private static final int[] BATCHES = {5, 33, 7, 257, 33, 5, 300, 7};
    private static final double BOUND = 1e-3;

    static Stream<Arguments> cases() {
        return DeviceBackends.engineNames().stream()
                .flatMap(name -> Stream.of(FusedMlp.Mode.OFF, FusedMlp.Mode.ON).map(fused -> Arguments.of(name, fused)));
    }

    /** 13-33-7-3: within the fused kernel's limits. */
    private static Network network(long seed) {
        return Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.RELU).layer(3, Activation.IDENTITY)
                .build(seed);
    }

    @ParameterizedTest(name = "{0}, fused {1}")
    @MethodSource("cases")
    void plansFollowTheBuffersTheyHold(String name, FusedMlp.Mode fused) {
        long seed = Seeds.seed();
        String what = name + ", fused " + fused + Seeds.rerun(seed);
        SplittableRandom random = new SplittableRandom(seed);
        Network start = network(seed);
        Optimizer adam = Optimizer.builder(Optimizer.Kind.ADAM).weightDecay(0.01f).build();
        try (DeviceBackend device = DeviceBackends.open(name); ReferenceBackend reference = new ReferenceBackend()) {
            device.fusedMode(fused);
            device.load(start, adam);
            reference.load(start, adam);
            for (int s = 0; s < BATCHES.length + 2; s++) {
                int batch = s < BATCHES.length ? BATCHES[s] : 33; // then 33 twice in a row
                float[] x = Compare.uniform(random, batch * 13, 1.0);
                float[] d = Compare.uniform(random, batch * 3, 0.5);
                float learningRate = 0.01f / (1 + s);
                double expected = reference.step(x, d, batch, learningRate);
                if (s % 2 == 1) {
                    device.queueStep(x, d, batch, learningRate);
                    float queued = device.readLoss().loss(0);
                    Compare.close(new float[] {queued}, new double[] {expected}, BOUND, what + " step " + s + " (queued) loss");
                } else {
                    float loss = device.step(x, d, batch, learningRate);
                    Compare.close(new float[] {loss}, new double[] {expected}, BOUND, what + " step " + s + " loss");
                }
                if (s == BATCHES.length) {
                    // the same eager step again, on both: once for the other input slot of host batches on the
                    // upload lane (InputBuffers: one plan per slot), then once more, which must record nothing
                    device.step(x, d, batch, learningRate);
                    reference.step(x, d, batch, learningRate);
                    long recorded = device.plans().recorded();
                    device.step(x, d, batch, learningRate);
                    reference.step(x, d, batch, learningRate);
                    assertEquals(recorded, device.plans().recorded(), what + ": a repeated step replays its plan");
                }
            }
            Network a = device.network();
            Network e = reference.network();
            for (int l = 0; l < e.depth(); l++) {
                Layer al = a.layer(l);
                Layer el = e.layer(l);
                Compare.close(al.weights(), Compare.toDouble(el.weights()), BOUND, what + " layer " + l + " weights");
                Compare.close(al.bias(), Compare.toDouble(el.bias()), BOUND, what + " layer " + l + " bias");
            }
        }
    }
}

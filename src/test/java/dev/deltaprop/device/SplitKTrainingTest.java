package dev.deltaprop.device;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import dev.deltaprop.testing.Compare;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole steps whose forward and δ GEMMs the engine splits along K ({@link GemmPlan}): a deep
 * first layer on a small batch (M = 5, K = 1031 gives one group on any device, so K is split),
 * against the reference; each split GEMM adds one reduce launch to the step's count; and two
 * backends given the same steps end bit for bit alike (the partial sums are added in a fixed order).
 */
class SplitKTrainingTest {
    private static final double BOUND = 1e-4;
    private static final int BATCH = 5;

    private static Network network(long seed) {
        return Network.builder(1031)
                .layer(40, Activation.TANH)
                .layer(2000, Activation.RELU)
                .layer(3, Activation.IDENTITY)
                .build(seed);
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void splitStepsEqualTheReferenceAndEachOther(String backend) {
        long seed = dev.deltaprop.testing.Seeds.seed();
        String what = backend + " (seed " + seed + ")";
        Network start = network(seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (DeviceBackend device = DeviceBackends.open(backend); DeviceBackend again = DeviceBackends.open(backend);
             ReferenceBackend reference = new ReferenceBackend()) {
            device.load(start);
            again.load(start);
            reference.load(start);
            Kernels kernels = device.kernels();
            // forward l = 1..3 (M = batch, N = n_l, K = n_{l-1}); δ l = 2, 1 (N = n_l, K = n_{l+1})
            int[] widths = start.widths();
            int split = 0;
            for (int l = 1; l < widths.length; l++) {
                split += kernels.plan(BATCH, widths[l], widths[l - 1]).splits() > 1 ? 1 : 0;
            }
            for (int l = 1; l < widths.length - 1; l++) {
                split += kernels.plan(BATCH, widths[l], widths[l + 1]).splits() > 1 ? 1 : 0;
            }
            assertTrue(kernels.plan(BATCH, 40, 1031).splits() > 1, what + ": the first forward GEMM is split: "
                    + kernels.plan(BATCH, 40, 1031));
            for (int s = 0; s < 3; s++) {
                float[] x = Compare.uniform(random, BATCH * 1031, 1.0);
                float[] d = Compare.uniform(random, BATCH * 3, 0.5);
                float loss = device.step(x, d, BATCH, 0.05f);
                assertEquals(loss, again.step(x, d, BATCH, 0.05f), what + " step " + s + ": the same loss, bit for bit");
                Compare.close(new float[] {loss}, new double[] {reference.step(x, d, BATCH, 0.05f)}, BOUND,
                        what + " step " + s + " loss");
                assertEquals(3 * 3 + 1 + split, device.launchesPerStep(), what + ": 3L + 1 plus one reduce per split GEMM");
            }
            Network a = device.network();
            Network b = again.network();
            Network r = reference.network();
            for (int l = 0; l < r.depth(); l++) {
                Layer e = r.layer(l);
                Compare.close(a.layer(l).weights(), Compare.toDouble(e.weights()), BOUND, what + " layer " + l + " weights");
                Compare.close(a.layer(l).bias(), Compare.toDouble(e.bias()), BOUND, what + " layer " + l + " bias");
                assertArrayEquals(a.layer(l).weights(), b.layer(l).weights(), what + " layer " + l + ": bit for bit");
            }
        }
    }
}

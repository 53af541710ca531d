package dev.deltaprop.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The workload definitions of issue 3 and their FLOP counts, against numbers worked out by hand:
 * forward {@code 2·B·Σ n_in·n_out}, the same for the weight gradients, and δ over every layer but
 * the first.
 */
class WorkloadTest {

    @Test
    void tinyIsThe32_64_64_1TanhNetworkOnBatch1024() {
        Workload w = Workload.tiny();
        assertArrayEquals(new int[] {32, 64, 64, 1}, w.widths());
        assertEquals(List.of(Activation.TANH, Activation.TANH, Activation.IDENTITY), w.activations());
        assertEquals(1024, w.batch());
        assertEquals(Workload.Kind.TRAIN, w.kind());
        // Σ n_in·n_out = 32·64 + 64·64 + 64·1 = 2048 + 4096 + 64 = 6208
        assertEquals(2L * 1024 * 6208, w.forwardFlops());
        assertEquals(12_713_984L, w.forwardFlops());
        assertEquals(12_713_984L, w.updateFlops());
        // δ: 64·64 + 64·1 = 4160 → 2·1024·4160
        assertEquals(8_519_680L, w.deltaHiddenFlops());
        assertEquals(33_947_648L, w.flopsPerStep());
    }

    @Test
    void mnistIsThe784_512_512_10ReluNetworkOnBatch256() {
        Workload w = Workload.mnist();
        assertArrayEquals(new int[] {784, 512, 512, 10}, w.widths());
        assertEquals(List.of(Activation.RELU, Activation.RELU, Activation.IDENTITY), w.activations());
        assertEquals(256, w.batch());
        // 784·512 + 512·512 + 512·10 = 401408 + 262144 + 5120 = 668672; 2·256·668672
        assertEquals(342_360_064L, w.forwardFlops());
        assertEquals(342_360_064L, w.updateFlops());
        // 262144 + 5120 = 267264; 2·256·267264
        assertEquals(136_839_168L, w.deltaHiddenFlops());
        assertEquals(821_559_296L, w.flopsPerStep());
    }

    @Test
    void wideIsThe1024_2048_2048_1024ReluNetworkOnBatch512() {
        Workload w = Workload.wide();
        assertArrayEquals(new int[] {1024, 2048, 2048, 1024}, w.widths());
        assertEquals(List.of(Activation.RELU, Activation.RELU, Activation.IDENTITY), w.activations());
        assertEquals(512, w.batch());
        // 2^21 + 2^22 + 2^21 = 2^23; 2·512·2^23 = 2^33
        assertEquals(8_589_934_592L, w.forwardFlops());
        // 2^22 + 2^21 = 6291456; 2·512·6291456
        assertEquals(6_442_450_944L, w.deltaHiddenFlops());
        assertEquals(23_622_320_128L, w.flopsPerStep());
    }

    @Test
    void gemmIsOneIdentityLayerOfNOnBatchNCountingOnlyTheForwardGemm() {
        Workload w = Workload.parse("gemm-1024").get(0);
        assertEquals("gemm-1024", w.name());
        assertEquals(Workload.Kind.GEMM, w.kind());
        assertArrayEquals(new int[] {1024, 1024}, w.widths());
        assertEquals(List.of(Activation.IDENTITY), w.activations());
        assertEquals(1024, w.batch());
        assertEquals(2_147_483_648L, w.flopsPerStep());
        assertEquals(0, w.deltaHiddenFlops());
        assertEquals(0, w.updateFlops());
        assertEquals(686, Workload.parse("gemm-7").get(0).flopsPerStep());
        assertEquals(2, Workload.parse("GEMM-1").get(0).flopsPerStep());
    }

    @Test
    void familyFlopsCountOnlyTheThreeGemms() {
        Workload w = Workload.tiny();
        assertEquals(w.forwardFlops(), w.familyFlops("forward"));
        assertEquals(w.deltaHiddenFlops(), w.familyFlops("delta_hidden"));
        assertEquals(w.updateFlops(), w.familyFlops("update"));
        assertEquals(0, w.familyFlops("delta_output"));
        assertEquals(0, w.familyFlops("gather"));
    }

    @Test
    void allIsTheFourTrainingWorkloadsInOrder() {
        List<Workload> all = Workload.parse("all");
        assertEquals(List.of("tiny", "mnist", "wide", "mnist-adam"), all.stream().map(Workload::name).toList());
        assertEquals(Workload.TRAINING_NAMES, all.stream().map(Workload::name).toList());
    }

    @Test
    void theNetworkAndBatchMatchTheShapeAndAreTheSameEveryTime() {
        Workload w = Workload.tiny();
        Network network = w.network();
        assertEquals("32-64-64-1", network.shape());
        assertEquals(w.network(), network);
        assertEquals(1024 * 32, w.inputs().length);
        assertEquals(1024, w.teachers().length);
        assertArrayEquals(w.inputs(), Workload.tiny().inputs());
        assertArrayEquals(w.teachers(), Workload.tiny().teachers());
        for (float v : w.inputs()) {
            assertTrue(v >= -1 && v < 1, "input outside [-1, 1): " + v);
        }
    }

    @Test
    void unknownNamesAreRefusedListingTheValidOnes() {
        for (String bad : new String[] {"huge", "", "gemm-", "gemm-x", "gemm-0", "gemm--5", "gemm-+5", "gemm-8193",
            "gemm-99999999999", null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Workload.parse(bad),
                    "accepted '" + bad + "'");
            assertTrue(e.getMessage().startsWith("workload:"), e.getMessage());
            assertTrue(e.getMessage().contains("gemm-N") || e.getMessage().contains("8192"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Workload.parse("huge")).getMessage()
                .contains("tiny, mnist, wide, mnist-adam, gemm-N"));
    }

    @Test
    void mnistAdamIsASoftmaxClassifierTrainedByAdamWithOneHotTeachers() {
        Workload w = Workload.parse("mnist-adam").get(0);
        assertEquals("784-512-512-10", w.shape());
        assertEquals(256, w.batch());
        assertEquals(dev.deltaprop.model.Loss.CROSS_ENTROPY, w.network().loss());
        assertEquals(dev.deltaprop.model.Activation.SOFTMAX, w.network().layer(2).activation());
        assertEquals(dev.deltaprop.model.Optimizer.Kind.ADAM, w.optimizer().kind());
        assertEquals(Workload.mnist().flopsPerStep(), w.flopsPerStep());
        float[] d = w.teachers();
        for (int b = 0; b < w.batch(); b++) {
            float sum = 0;
            for (int j = 0; j < 10; j++) {
                float v = d[b * 10 + j];
                assertEquals(true, v == 0 || v == 1, "one-hot row " + b);
                sum += v;
            }
            assertEquals(1, sum, "one-hot row " + b);
        }
        assertEquals("mnist-adam: 784-512-512-10 [relu,relu,softmax], batch 256, cross_entropy, adam", w.toString());
    }

    @Test
    void withLearningChangesTheLossTheOutputAndTheOptimizer() {
        Workload ce = Workload.mnist().withLearning(dev.deltaprop.model.Loss.CROSS_ENTROPY,
                dev.deltaprop.model.Optimizer.of(dev.deltaprop.model.Optimizer.Kind.ADAM));
        assertEquals(Workload.mnistAdam().network(), ce.network());
        assertEquals(Workload.mnistAdam().optimizer(), ce.optimizer());
        Workload tiny = Workload.tiny().withLearning(dev.deltaprop.model.Loss.CROSS_ENTROPY, null);
        assertEquals(dev.deltaprop.model.Activation.SIGMOID, tiny.network().layer(2).activation());
        Workload back = Workload.mnistAdam().withLearning(dev.deltaprop.model.Loss.SQUARED_ERROR, null);
        assertEquals(dev.deltaprop.model.Activation.IDENTITY, back.network().layer(2).activation());
        assertEquals("--optimizer: applies to training workloads, not gemm-8 (the forward kernel alone)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Workload.gemm(8)
                        .withLearning(null, dev.deltaprop.model.Optimizer.sgd())).getMessage());
    }
}

package dev.deltaprop.device;

import dev.deltaprop.model.Activation;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the device engine promises about learning beyond the numbers (which
 * {@link LearningAgreementTest} holds to the reference on every backend): a step is
 * {@code 3L + 1} launches whatever the loss and the optimizer (the softmax is normalised inside
 * the output-δ pass, the optimizer runs in the update's epilogue) and predict of a softmax output
 * {@code L + 1}; the state read out and loaded into the same backend continues bit for bit; a
 * fresh load resets it; a state that does not fit is refused before any device allocation.
 */
class DeviceLearningTest {
    private static final int STEPS = 10;

    /** 13-33-7-5 [tanh, leaky_relu, softmax] with cross entropy: no size is a tile multiple. */
    private static Network classifier(long seed) {
        return Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.LEAKY_RELU)
                .layer(5, Activation.SOFTMAX).build(seed);
    }

    /** One-hot rows of 5 classes. */
    private static float[] oneHot(SplittableRandom random, int batch) {
        float[] d = new float[batch * 5];
        for (int b = 0; b < batch; b++) {
            d[b * 5 + random.nextInt(5)] = 1;
        }
        return d;
    }

    /** Every optimizer with some weight decay (adamw: its default 0.01). */
    static List<Optimizer> optimizers() {
        List<Optimizer> optimizers = new ArrayList<>();
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            Optimizer.Builder b = Optimizer.builder(kind);
            optimizers.add(kind == Optimizer.Kind.ADAMW ? b.build() : b.weightDecay(0.01f).build());
        }
        return optimizers;
    }

    static float learningRate(Optimizer optimizer) {
        Optimizer.Kind kind = optimizer.kind();
        return kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW ? 0.01f : 0.1f;
    }

    static Stream<Arguments> backendsAndOptimizers() {
        return DeviceBackends.engineNames().stream().flatMap(name -> optimizers().stream().map(o -> Arguments.of(name, o)));
    }

    /**
     * Five steps, the state and the parameters read out and loaded again, five more: bit for bit
     * the same parameters and state as ten straight steps (what a checkpoint and resume rely on).
     * The launches of a step are {@code 3L + 1} for every optimizer, with a softmax output too,
     * and predict's {@code L + 1} (the forward GEMMs and the softmax row pass).
     */
    @ParameterizedTest(name = "{0} {1}", allowZeroInvocations = true)
    @MethodSource("backendsAndOptimizers")
    void stateSurvivesAReload(String backend, Optimizer optimizer) {
        long seed = Seeds.seed();
        String what = backend + " " + optimizer + " (seed " + seed + ")";
        Network start = classifier(seed);
        int batch = 9;
        SplittableRandom random = new SplittableRandom(seed);
        float[][] xs = new float[STEPS][];
        float[][] ds = new float[STEPS][];
        for (int s = 0; s < STEPS; s++) {
            xs[s] = Compare.uniform(random, batch * 13, 1.0);
            ds[s] = oneHot(random, batch);
        }
        float eta = learningRate(optimizer);
        try (DeviceBackend straight = DeviceBackends.open(backend); DeviceBackend resumed = DeviceBackends.open(backend)) {
            // the layer-by-layer path's 3L + 1 (FusedMlpTest holds the fused path to the same reload rule)
            straight.fusedMode(FusedMlp.Mode.OFF);
            resumed.fusedMode(FusedMlp.Mode.OFF);
            straight.load(start, optimizer);
            resumed.load(start, optimizer);
            CountingDriver driver = (CountingDriver) straight.driver();
            for (int s = 0; s < STEPS; s++) {
                int before = driver.launches;
                straight.step(xs[s], ds[s], batch, eta);
                assertEquals(3 * 3 + 1, driver.launches - before, what + " launches in step " + s);
            }
            int before = driver.launches;
            float[] y = straight.predict(xs[0], batch);
            assertEquals(3 + 1, driver.launches - before, what + " launches of predict");
            for (int b = 0; b < batch; b++) {
                double sum = 0;
                for (int j = 0; j < 5; j++) {
                    sum += y[b * 5 + j];
                }
                assertEquals(1.0, sum, 1e-6, what + " predict row " + b + " is a distribution");
            }
            for (int s = 0; s < STEPS / 2; s++) {
                resumed.step(xs[s], ds[s], batch, eta);
            }
            OptimizerState half = resumed.optimizerState();
            assertEquals(STEPS / 2, half.steps(), what + " t after half");
            resumed.load(resumed.network(), optimizer, half);
            assertEquals(STEPS / 2, resumed.optimizerState().steps(), what + " t after the reload");
            for (int s = STEPS / 2; s < STEPS; s++) {
                resumed.step(xs[s], ds[s], batch, eta);
            }
            Network a = straight.network();
            Network b = resumed.network();
            OptimizerState sa = straight.optimizerState();
            OptimizerState sb = resumed.optimizerState();
            assertEquals(sa.steps(), sb.steps(), what + " t");
            for (int l = 0; l < a.depth(); l++) {
                assertArrayEquals(a.layer(l).weights(), b.layer(l).weights(), what + " layer " + l + " weights");
                assertArrayEquals(a.layer(l).bias(), b.layer(l).bias(), what + " layer " + l + " bias");
                for (int slot = 0; slot < optimizer.kind().slots(); slot++) {
                    assertArrayEquals(sa.weights(l, slot), sb.weights(l, slot), what + " layer " + l + " state " + slot);
                    assertArrayEquals(sa.bias(l, slot), sb.bias(l, slot), what + " layer " + l + " bias state " + slot);
                }
            }
            // a fresh load resets the state
            straight.load(start, optimizer);
            OptimizerState fresh = straight.optimizerState();
            assertEquals(0, fresh.steps(), what + " t after a fresh load");
            for (int slot = 0; slot < optimizer.kind().slots(); slot++) {
                assertArrayEquals(new float[13 * 33], fresh.weights(0, slot), what + " zero state after a fresh load");
            }
        }
    }

    /** A state of another rule or other sizes is refused, naming the field, before any device allocation or write. */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void aStateThatDoesNotFitIsRefusedFirst(String backend) {
        Network network = classifier(5);
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
        try (DeviceBackend device = DeviceBackends.open(backend)) {
            device.load(network, adam);
            CountingDriver driver = (CountingDriver) device.driver();
            int allocations = driver.allocations;
            int work = driver.work();
            OptimizerState momentum = OptimizerState.initial(network, Optimizer.Kind.MOMENTUM);
            expect("optimizerState.kind", () -> device.load(network, adam, momentum));
            Network other = Network.builder(13).layer(34, Activation.TANH).layer(7, Activation.LEAKY_RELU)
                    .layer(5, Activation.SOFTMAX).build(5);
            expect("optimizerState.weights[0][0]",
                    () -> device.load(network, adam, OptimizerState.initial(other, Optimizer.Kind.ADAM)));
            assertEquals(allocations, driver.allocations, backend + ": no allocation for a refused state");
            assertEquals(work, driver.work(), backend + ": no write or launch for a refused state");
            // the previous network is still loaded and trains
            float loss = device.step(new float[2 * 13], new float[] {1, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 2, 0.01f);
            assertTrue(Float.isFinite(loss), backend + " loss after the refusals " + loss);
            assertEquals(1, device.optimizerState().steps(), backend + " t");
        }
    }

    private static void expect(String field, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(field), "message names " + field + ": " + e.getMessage());
    }
}

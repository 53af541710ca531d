package dev.deltaprop.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Seeds;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code reference} backend's side of the learning API: the optimizer state copied out and
 * loaded into a fresh backend continues bit for bit; a state that does not fit is refused naming
 * the field, with nothing loaded; softmax and sigmoid cross entropy stay finite at logits of
 * ±1e4, and equal logits give a uniform softmax.
 */
class ReferenceBackendLearningTest {

    private static Network network(long seed) {
        return Network.builder(7).layer(33, Activation.TANH).layer(5, Activation.SOFTMAX).build(seed);
    }

    private static float[] uniform(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = (float) (2 * random.nextDouble() - 1);
        }
        return values;
    }

    private static float[] oneHot(SplittableRandom random, int batch, int n) {
        float[] d = new float[batch * n];
        for (int b = 0; b < batch; b++) {
            d[b * n + random.nextInt(n)] = 1f;
        }
        return d;
    }

    /** 5 steps, copy out network and state, then 5 more on the original and on a fresh backend: identical bits. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Optimizer.Kind.class)
    void stateRoundTripContinuesBitForBit(Optimizer.Kind kind) {
        long seed = Seeds.seed();
        String what = kind + " (seed " + seed + ")";
        SplittableRandom random = new SplittableRandom(seed);
        Optimizer optimizer = Optimizer.builder(kind).weightDecay(0.01f).build();
        ReferenceBackend original = new ReferenceBackend();
        original.load(network(seed), optimizer);
        for (int s = 0; s < 5; s++) {
            original.step(uniform(random, 7 * 7), oneHot(random, 7, 5), 7, 0.05f);
        }
        OptimizerState state = original.optimizerState();
        assertEquals(5, state.steps(), what);
        ReferenceBackend resumed = new ReferenceBackend();
        resumed.load(original.network(), optimizer, state);
        assertEquals(optimizer, resumed.optimizer(), what);
        for (int s = 0; s < 5; s++) {
            float[] x = uniform(random, 7 * 7);
            float[] d = oneHot(random, 7, 5);
            assertEquals(original.step(x, d, 7, 0.05f), resumed.step(x, d, 7, 0.05f), what + " loss at step " + s);
        }
        assertEquals(original.network(), resumed.network(), what + ": parameters bit for bit");
        OptimizerState a = original.optimizerState();
        OptimizerState b = resumed.optimizerState();
        assertEquals(10, b.steps(), what);
        for (int l = 0; l < 2; l++) {
            for (int slot = 0; slot < kind.slots(); slot++) {
                assertArrayEquals(a.weights(l, slot), b.weights(l, slot), what + " layer " + l + " slot " + slot);
                assertArrayEquals(a.bias(l, slot), b.bias(l, slot), what + " layer " + l + " bias slot " + slot);
            }
        }
    }

    /** load resets the state: the same steps after a second load give the same result as after the first. */
    @Test
    void loadStartsTheStateAfresh() {
        Network start = network(3);
        SplittableRandom random = new SplittableRandom(3);
        float[] x = uniform(random, 7 * 7);
        float[] d = oneHot(random, 7, 5);
        ReferenceBackend backend = new ReferenceBackend();
        backend.load(start, Optimizer.of(Optimizer.Kind.ADAM));
        backend.step(x, d, 7, 0.01f);
        backend.step(x, d, 7, 0.01f);
        Network twice = backend.network();
        backend.load(start, Optimizer.of(Optimizer.Kind.ADAM));
        assertEquals(0, backend.optimizerState().steps());
        backend.step(x, d, 7, 0.01f);
        backend.step(x, d, 7, 0.01f);
        assertEquals(twice, backend.network());
    }

    /** A state for another rule, another shape or another depth is refused by field; the loaded network and optimizer stay. */
    @Test
    void aStateThatDoesNotFitIsRefusedAndNothingIsLoaded() {
        Network loaded = network(1);
        Optimizer momentum = Optimizer.of(Optimizer.Kind.MOMENTUM);
        ReferenceBackend backend = new ReferenceBackend();
        backend.load(loaded, momentum);
        backend.step(new float[7], new float[] {1, 0, 0, 0, 0}, 1, 0.1f);
        Network afterStep = backend.network();
        OptimizerState stateAfterStep = backend.optimizerState();

        Network other = Network.builder(7).layer(32, Activation.TANH).layer(5, Activation.SOFTMAX).build(2);
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
        assertEquals("optimizerState.kind: expected adam (the optimizer's), found momentum",
                assertThrows(IllegalArgumentException.class, () -> backend.load(other, adam, stateAfterStep)).getMessage());
        assertEquals("optimizerState.weights[0][0]: expected 224 numbers, found 231",
                assertThrows(IllegalArgumentException.class, () -> backend.load(other, momentum, stateAfterStep)).getMessage());
        Network deeper = Network.builder(7).layer(33, Activation.TANH).layer(5, Activation.TANH)
                .layer(5, Activation.SOFTMAX).build(2);
        assertEquals("optimizerState: expected 3 layers (the network's), found 2",
                assertThrows(IllegalArgumentException.class, () -> backend.load(deeper, momentum, stateAfterStep)).getMessage());

        assertEquals(afterStep, backend.network(), "the refused loads left the network as it was");
        assertSame(momentum, backend.optimizer());
        OptimizerState now = backend.optimizerState();
        assertEquals(1, now.steps());
        assertArrayEquals(stateAfterStep.weights(1, 0), now.weights(1, 0));
    }

    /**
     * Logits of ±1e4 (a confident answer, right or wrong): finite loss, gradients and parameters,
     * on both cross-entropy pairings; the wrong answer costs about 2e4 under softmax and 1e4 per
     * output under sigmoid, the right one about 0.
     */
    @Test
    void hugeLogitsGiveFiniteLossAndGradients() {
        // one layer 2 → 3 with u = (1e4, −1e4, 0) for x = (1, 0)
        Layer softmax = new Layer(2, 3, Activation.SOFTMAX, new float[] {1e4f, -1e4f, 0f, 0f, 0f, 0f}, new float[3]);
        ReferenceBackend backend = new ReferenceBackend();
        backend.load(new Network(List.of(softmax)), Optimizer.of(Optimizer.Kind.ADAM));
        float[] x = {1f, 0f};
        float[] y = backend.predict(x, 1);
        assertArrayEquals(new float[] {1f, 0f, 0f}, y, "softmax of (1e4, −1e4, 0)");
        float wrong = backend.step(x, new float[] {0f, 1f, 0f}, 1, 0.01f);
        assertEquals(2e4f, wrong, 1f, "−log y_2 = u_1 − u_2");
        assertFinite(backend.weightGradient(0), "∂E/∂w");
        assertFinite(backend.biasGradient(0), "∂E/∂b");
        assertEquals(1.0, backend.weightGradient(0)[0], 1e-12, "∂E/∂w_11 = (y_1 − d_1) x_1");
        assertEquals(-1.0, backend.weightGradient(0)[1], 1e-12, "∂E/∂w_12 = (y_2 − d_2) x_1");
        backend.load(new Network(List.of(softmax)));
        assertEquals(0f, backend.step(x, new float[] {1f, 0f, 0f}, 1, 0.01f), 1e-6f, "the right confident answer");

        Layer sigmoid = new Layer(2, 2, Activation.SIGMOID, new float[] {1e4f, -1e4f, 0f, 0f}, new float[2]);
        backend.load(new Network(List.of(sigmoid), Loss.CROSS_ENTROPY), Optimizer.of(Optimizer.Kind.NESTEROV));
        float loss = backend.step(x, new float[] {0f, 1f}, 1, 0.01f);
        assertEquals(2e4f, loss, 1f, "softplus(1e4) + softplus(−1e4) − (−1e4)");
        assertFinite(backend.weightGradient(0), "sigmoid ∂E/∂w");
        assertEquals(1.0, backend.weightGradient(0)[0], 1e-12);
        assertEquals(-1.0, backend.weightGradient(0)[1], 1e-12);
        for (Layer layer : backend.network().layers()) {
            assertFinite(layer.weights(), "weights after the step");
        }
    }

    /** Equal logits (large ones too, where a naive e^u overflows) give y = 1/n and E = log n. */
    @Test
    void equalLogitsGiveUniformOutputs() {
        for (float logit : new float[] {0f, 1e4f, -1e4f}) {
            Layer softmax = new Layer(1, 7, Activation.SOFTMAX, new float[7], filled(7, logit));
            ReferenceBackend backend = new ReferenceBackend();
            backend.load(new Network(List.of(softmax)));
            assertArrayEquals(filled(7, 1f / 7), backend.predict(new float[] {0.5f}, 1), 1e-7f, "logit " + logit);
            float loss = backend.step(new float[] {0.5f}, new float[] {0, 0, 1, 0, 0, 0, 0}, 1, 0.1f);
            assertEquals((float) Math.log(7), loss, 1e-6f, "logit " + logit);
        }
    }

    private static float[] filled(int n, float value) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, value);
        return values;
    }

    private static void assertFinite(double[] values, String what) {
        for (double v : values) {
            assertTrue(Double.isFinite(v), what + ": " + java.util.Arrays.toString(values));
        }
    }

    private static void assertFinite(float[] values, String what) {
        for (float v : values) {
            assertTrue(Float.isFinite(v), what + ": " + java.util.Arrays.toString(values));
        }
    }
}

package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.reference.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The losses and optimizers of DESIGN §1b on every backend of {@link DeviceBackends#NAMES}
 * ({@code cpu} and the devices), through {@link Backend}, against the {@code reference} backend:
 * every optimizer (with weight decay and hyper-parameters off their defaults) × both
 * cross-entropy pairings and a regression, at batches 1, 7, 33 and 257, 12 steps: losses,
 * parameters, optimizer state and predictions within 1e-4 relative for sgd, momentum and
 * nesterov, 1e-3 for adam and adamw. Also: logits of ±1e4 stay finite and equal logits give a
 * uniform softmax; the optimizer state copied out and loaded into a fresh backend continues bit
 * for bit; a state that does not fit is refused naming the field, with nothing loaded (on the
 * device engine: no device work, counted on its driver).
 *
 * <p>A backend that cannot start here is skipped with the reason (unless {@code DELTAPROP_REQUIRE}
 * names it); nothing is skipped because a backend lacks a loss or an optimizer. The agreement
 * figures (maximum relative error per backend and optimizer) are printed at the end.
 */
class LearningAgreementTest {
    static final int STEPS = 12;
    private static final Map<String, Double> WORST = new TreeMap<>();

    enum Pairing {
        /** 13-33-7-3 [tanh, softplus, identity], squared error */
        REGRESSION(3, Activation.IDENTITY, Loss.SQUARED_ERROR),
        /** 13-33-7-7 [tanh, softplus, softmax], cross entropy, one-hot teachers */
        SOFTMAX(7, Activation.SOFTMAX, Loss.CROSS_ENTROPY),
        /** 13-33-7-5 [tanh, softplus, sigmoid], cross entropy, teachers in [0, 1] */
        SIGMOID(5, Activation.SIGMOID, Loss.CROSS_ENTROPY);

        final int outputs;
        final Activation output;
        final Loss loss;

        Pairing(int outputs, Activation output, Loss loss) {
            this.outputs = outputs;
            this.output = output;
            this.loss = loss;
        }
    }

    static double bound(Optimizer.Kind kind) {
        return kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW ? 1e-3 : 1e-4;
    }

    /**
     * Rates at which 12 steps learn without diverging at B = 1 (momentum 0.85 multiplies sgd's
     * effective rate by about 7): a run that blows up turns float rounding into any error at all.
     */
    static float learningRate(Optimizer.Kind kind) {
        return kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW ? 0.01f : 0.03f;
    }

    /** Every rule with weight decay and its other hyper-parameters off their defaults, so each is seen to be used. */
    static Optimizer optimizer(Optimizer.Kind kind) {
        return Optimizer.builder(kind).weightDecay(kind == Optimizer.Kind.ADAMW ? 0.05f : 0.01f).momentum(0.85f)
                .beta1(0.85f).beta2(0.995f).epsilon(1e-7f).build();
    }

    /**
     * Smooth activations only: at a relu-like kink a unit whose {@code u} lies within rounding of
     * 0 takes {@code f' = 1} on one backend and 0.01 on the other, a jump no bound on rounding
     * covers (the kinks are held to the reference per family and in {@code DeviceTrainingTest}).
     */
    static Network network(Pairing pairing, long seed) {
        Network initial = Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.SOFTPLUS)
                .layer(pairing.outputs, pairing.output).loss(pairing.loss).build(seed);
        // non-zero biases, so that the bias step and its decay count from the first step
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : initial.layers()) {
            layers.add(layer.withParameters(layer.weights(), Compare.uniform(random, layer.outputs(), 0.2)));
        }
        return initial.withLayers(layers);
    }

    static float[] teacher(SplittableRandom random, Pairing pairing, int batch) {
        int n = pairing.outputs;
        if (pairing == Pairing.REGRESSION) {
            return Compare.uniform(random, batch * n, 0.8);
        }
        float[] d = new float[batch * n];
        for (int b = 0; b < batch; b++) {
            if (pairing == Pairing.SOFTMAX) {
                d[b * n + random.nextInt(n)] = 1f;
            } else {
                for (int j = 0; j < n; j++) {
                    d[b * n + j] = (float) random.nextDouble();
                }
            }
        }
        return d;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String backend : DeviceBackends.names()) {
            for (Optimizer.Kind kind : Optimizer.Kind.values()) {
                for (Pairing pairing : Pairing.values()) {
                    for (int batch : new int[] {1, 7, 33, 257}) {
                        cases.add(Arguments.of(backend, kind, pairing, batch));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}, {2}, batch {3}")
    @MethodSource("cases")
    void twelveStepsAgreeWithTheReference(String backend, Optimizer.Kind kind, Pairing pairing, int batch) {
        long seed = Seeds.seed();
        String what = backend + " " + kind + " " + pairing + " B=" + batch + " (seed " + seed + ")";
        double bound = bound(kind);
        Optimizer optimizer = optimizer(kind);
        float eta = learningRate(kind);
        Network start = network(pairing, seed);
        SplittableRandom random = new SplittableRandom(seed);
        double worst = 0;
        try (Backend device = DeviceBackends.backend(backend); ReferenceBackend reference = new ReferenceBackend()) {
            device.load(start, optimizer);
            reference.load(start, optimizer);
            for (int s = 0; s < STEPS; s++) {
                float[] x = Compare.uniform(random, batch * 13, 1.5);
                float[] d = teacher(random, pairing, batch);
                float lossDevice = device.step(x, d, batch, eta);
                float lossReference = reference.step(x, d, batch, eta);
                worst = Math.max(worst, check(new float[] {lossDevice}, new float[] {lossReference}, bound,
                        what + " loss of step " + s));
            }
            Network trained = device.network();
            Network expected = reference.network();
            for (int l = 0; l < start.depth(); l++) {
                worst = Math.max(worst, check(trained.layer(l).weights(), expected.layer(l).weights(), bound,
                        what + " layer " + l + " weights"));
                worst = Math.max(worst, check(trained.layer(l).bias(), expected.layer(l).bias(), bound,
                        what + " layer " + l + " bias"));
            }
            OptimizerState state = device.optimizerState();
            OptimizerState expectedState = reference.optimizerState();
            assertEquals(STEPS, state.steps(), what + ": t");
            assertEquals(kind, state.kind(), what);
            for (int l = 0; l < start.depth(); l++) {
                for (int slot = 0; slot < kind.slots(); slot++) {
                    worst = Math.max(worst, checkState(state.weights(l, slot), expectedState.weights(l, slot), bound,
                            what + " layer " + l + " state " + slot));
                    worst = Math.max(worst, checkState(state.bias(l, slot), expectedState.bias(l, slot), bound,
                            what + " layer " + l + " bias state " + slot));
                }
            }
            float[] x = Compare.uniform(random, batch * 13, 1.5);
            worst = Math.max(worst, check(device.predict(x, batch), reference.predict(x, batch), bound, what + " predict"));
        }
        System.out.printf(Locale.ROOT, "agreement %s: max relative error %.2e (bound %.0e)%n", what, worst, bound);
        synchronized (WORST) {
            WORST.merge(String.format(Locale.ROOT, "%-13s %-9s", backend, kind), worst, Math::max);
        }
    }

    @AfterAll
    static void printAgreement() {
        System.out.println("learning agreement with the reference after " + STEPS
                + " steps (max relative error over pairings and batches):");
        WORST.forEach((key, worst) -> System.out.printf(Locale.ROOT, "  %s %.2e%n", key, worst));
    }

    private static double check(float[] actual, float[] expected, double bound, String what) {
        double error = Compare.relativeError(actual, Compare.toDouble(expected));
        Compare.close(actual, Compare.toDouble(expected), bound, what);
        return error;
    }

    /**
     * ‖a − b‖ / ‖b‖ with no floor: Adam's second moment is {@code g²}-sized (1e-6 and less), so
     * {@link Compare#SCALE_FLOOR} would make any value pass; a state is a sum of like-signed
     * terms, not a cancellation, so its own norm is the right scale.
     */
    private static double checkState(float[] actual, float[] expected, double bound, String what) {
        double difference = 0;
        double norm = 0;
        for (int k = 0; k < actual.length; k++) {
            difference += ((double) actual[k] - expected[k]) * ((double) actual[k] - expected[k]);
            norm += (double) expected[k] * expected[k];
        }
        double error = norm == 0 ? Math.sqrt(difference) : Math.sqrt(difference / norm);
        assertTrue(error <= bound, what + ": relative error " + error + " > " + bound); // NaN fails
        return error;
    }

    /**
     * Logits of ±1e4: a confident wrong answer costs about 2e4 (softmax) or 1e4 per output
     * (sigmoid), finite, as on the reference; the step leaves finite parameters equal to the
     * reference's; predictions are the one-hot softmax. Equal logits (0 and ±1e4) give
     * {@code y = 1/n} and {@code E = log n}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#names")
    void hugeLogitsStayFiniteAndEqualLogitsAreUniform(String backend) {
        Layer softmax = new Layer(2, 3, Activation.SOFTMAX, new float[] {1e4f, -1e4f, 0f, 0f, 0f, 0f}, new float[3]);
        Layer sigmoid = new Layer(2, 2, Activation.SIGMOID, new float[] {1e4f, -1e4f, 0f, 0f}, new float[2]);
        float[] x = {1f, 0f};
        try (Backend device = DeviceBackends.backend(backend); ReferenceBackend reference = new ReferenceBackend()) {
            Network classifier = new Network(List.of(softmax));
            device.load(classifier, Optimizer.of(Optimizer.Kind.ADAM));
            reference.load(classifier, Optimizer.of(Optimizer.Kind.ADAM));
            assertArrayEquals(new float[] {1f, 0f, 0f}, device.predict(x, 1), backend + " softmax of (1e4, −1e4, 0)");
            float wrong = device.step(x, new float[] {0f, 1f, 0f}, 1, 0.01f);
            assertEquals(2e4f, wrong, 1f, backend + ": −log y_2 = u_1 − u_2");
            reference.step(x, new float[] {0f, 1f, 0f}, 1, 0.01f);
            assertFiniteAndClose(device.network(), reference.network(), backend + " softmax");

            Network binary = new Network(List.of(sigmoid), Loss.CROSS_ENTROPY);
            device.load(binary, Optimizer.of(Optimizer.Kind.MOMENTUM));
            reference.load(binary, Optimizer.of(Optimizer.Kind.MOMENTUM));
            float loss = device.step(x, new float[] {0f, 1f}, 1, 0.01f);
            assertEquals(2e4f, loss, 1f, backend + ": softplus(1e4) + softplus(−1e4) + 1e4");
            reference.step(x, new float[] {0f, 1f}, 1, 0.01f);
            assertFiniteAndClose(device.network(), reference.network(), backend + " sigmoid");

            for (float logit : new float[] {0f, 1e4f, -1e4f}) {
                float[] equal = new float[7];
                java.util.Arrays.fill(equal, logit);
                device.load(new Network(List.of(new Layer(1, 7, Activation.SOFTMAX, new float[7], equal))));
                float[] uniform = new float[14];
                java.util.Arrays.fill(uniform, 1f / 7);
                assertArrayEquals(uniform, device.predict(new float[] {0.5f, -2f}, 2), 1e-7f, backend + " logit " + logit);
                float[] d = new float[7];
                d[3] = 1f;
                assertEquals((float) Math.log(7), device.step(new float[] {0.5f}, d, 1, 0.1f), 1e-6f,
                        backend + " loss at logit " + logit);
            }
        }
    }

    private static void assertFiniteAndClose(Network actual, Network expected, String what) {
        for (int l = 0; l < expected.depth(); l++) {
            for (float w : actual.layer(l).weights()) {
                assertTrue(Float.isFinite(w), what + ": weights " + java.util.Arrays.toString(actual.layer(l).weights()));
            }
            Compare.close(actual.layer(l).weights(), Compare.toDouble(expected.layer(l).weights()), 1e-6, what + " weights");
            Compare.close(actual.layer(l).bias(), Compare.toDouble(expected.layer(l).bias()), 1e-6, what + " bias");
        }
    }

    static Stream<Arguments> kinds() {
        return DeviceBackends.names().stream()
                .flatMap(name -> Stream.of(Optimizer.Kind.values()).map(kind -> Arguments.of(name, kind)));
    }

    /** 5 steps, copy out network and state, then 5 more on the original and on a fresh backend: the same bits. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("kinds")
    void stateRoundTripContinuesBitForBit(String backend, Optimizer.Kind kind) {
        long seed = Seeds.seed();
        String what = backend + " " + kind + " (seed " + seed + ")";
        SplittableRandom random = new SplittableRandom(seed);
        Optimizer optimizer = optimizer(kind);
        Network start = network(Pairing.SOFTMAX, seed);
        try (Backend original = DeviceBackends.backend(backend); Backend resumed = DeviceBackends.backend(backend)) {
            original.load(start, optimizer);
            for (int s = 0; s < 5; s++) {
                original.step(Compare.uniform(random, 33 * 13, 1.5), teacher(random, Pairing.SOFTMAX, 33), 33, 0.02f);
            }
            OptimizerState state = original.optimizerState();
            assertEquals(5, state.steps(), what);
            resumed.load(original.network(), optimizer, state);
            assertEquals(optimizer, resumed.optimizer(), what);
            for (int s = 0; s < 5; s++) {
                float[] x = Compare.uniform(random, 33 * 13, 1.5);
                float[] d = teacher(random, Pairing.SOFTMAX, 33);
                assertEquals(original.step(x, d, 33, 0.02f), resumed.step(x, d, 33, 0.02f), what + " loss of step " + s);
            }
            assertEquals(original.network(), resumed.network(), what + ": parameters bit for bit");
            OptimizerState a = original.optimizerState();
            OptimizerState b = resumed.optimizerState();
            assertEquals(10, b.steps(), what);
            for (int l = 0; l < start.depth(); l++) {
                for (int slot = 0; slot < kind.slots(); slot++) {
                    assertArrayEquals(a.weights(l, slot), b.weights(l, slot), what + " layer " + l + " slot " + slot);
                    assertArrayEquals(a.bias(l, slot), b.bias(l, slot), what + " layer " + l + " bias slot " + slot);
                }
            }
        }
    }

    /**
     * A state of another rule, shape or depth is refused naming the field; the network, optimizer
     * and state loaded before stay, and on the device engine no device work was done.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#names")
    void aStateThatDoesNotFitIsRefusedAndNothingIsLoaded(String backend) {
        Network loaded = network(Pairing.SOFTMAX, 1);
        Optimizer momentum = Optimizer.of(Optimizer.Kind.MOMENTUM);
        try (Backend device = DeviceBackends.backend(backend)) {
            device.load(loaded, momentum);
            float[] d = new float[7];
            d[2] = 1f;
            device.step(new float[13], d, 1, 0.1f);
            Network afterStep = device.network();
            OptimizerState state = device.optimizerState();
            CountingDriver driver = device instanceof DeviceBackend ? (CountingDriver) ((DeviceBackend) device).driver() : null;
            int before = driver == null ? 0 : driver.work();

            Network narrower = Network.builder(13).layer(32, Activation.TANH).layer(7, Activation.SOFTPLUS)
                    .layer(7, Activation.SOFTMAX).build(2);
            Network shallower = Network.builder(13).layer(33, Activation.TANH).layer(7, Activation.SOFTMAX).build(2);
            expect("optimizerState.kind: expected adam (the optimizer's), found momentum",
                    () -> device.load(narrower, Optimizer.of(Optimizer.Kind.ADAM), state));
            expect("optimizerState.weights[0][0]: expected 416 numbers, found 429",
                    () -> device.load(narrower, momentum, state));
            expect("optimizerState: expected 2 layers (the network's), found 3",
                    () -> device.load(shallower, momentum, state));
            if (driver != null) {
                assertEquals(before, driver.work(), backend + ": the refused loads did no device work");
            }
            assertEquals(afterStep, device.network(), backend + ": the network loaded before stays");
            assertEquals(momentum, device.optimizer(), backend);
            OptimizerState now = device.optimizerState();
            assertEquals(1, now.steps(), backend);
            assertArrayEquals(state.weights(1, 0), now.weights(1, 0), backend + ": the state loaded before stays");
        }
    }

    private static void expect(String message, Runnable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call::run).getMessage());
    }
}

package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.DataParallelBackend;
import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
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
 * Data-parallel training ({@link DataParallelBackend}) equals training on one replica of the same
 * kind with the whole batch: ten steps of every optimizer, a regression and a softmax classifier
 * ({@link LearningAgreementTest}'s networks), losses, parameters, optimizer state and predictions
 * compared by relative error. Replicas: two and three {@code cpu} backends of one thread each
 * (against one {@code cpu} of one thread), and the OpenCL devices of {@link TwoDevices} (PoCL's
 * two {@code pthread} devices in CI). Shares that divide the batch must agree within 1e-5; shares
 * that do not (and a batch of 1 on two replicas, one shard empty) also compute the whole batch's
 * mean, so they agree within the same bound — only the order of the sums differs either way.
 * The overlapped reduction (the default) and the unoverlapped one agree bit for bit.
 */
class DataParallelTest {
    static final int STEPS = 10;
    static final double BOUND = 1e-5;
    private static final Map<String, Double> WORST = new TreeMap<>();

    /** A cut of a batch: the shares and the batch size. */
    enum Split {
        HALVES_32(new double[] {1, 1}, 32, true),
        QUARTER_32(new double[] {1, 3}, 32, true),
        QUARTER_33(new double[] {1, 3}, 33, false),
        HALVES_33(new double[] {1, 1}, 33, false),
        UNEVEN_33(new double[] {0.7, 1.3}, 33, false),
        ONE_SAMPLE(new double[] {1, 1}, 1, false),
        THIRDS_33(new double[] {1, 1, 1}, 33, true),
        THIRDS_34(new double[] {1, 2, 4}, 34, false);

        final double[] shares;
        final int batch;
        final boolean divides;

        Split(double[] shares, int batch, boolean divides) {
            this.shares = shares;
            this.batch = batch;
            this.divides = divides;
        }
    }

    static Stream<Arguments> cpuCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            for (LearningAgreementTest.Pairing pairing : List.of(LearningAgreementTest.Pairing.REGRESSION,
                    LearningAgreementTest.Pairing.SOFTMAX)) {
                for (Split split : Split.values()) {
                    cases.add(Arguments.of(kind, pairing, split));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "cpu×n: {0}, {1}, {2}")
    @MethodSource("cpuCases")
    void cpuReplicasEqualOneCpu(Optimizer.Kind kind, LearningAgreementTest.Pairing pairing, Split split) {
        List<Backend> replicas = new ArrayList<>();
        for (int r = 0; r < split.shares.length; r++) {
            replicas.add(new CpuBackend(1));
        }
        try (Backend single = new CpuBackend(1);
             Backend parallel = new DataParallelBackend("cpu×" + replicas.size(), replicas, split.shares)) {
            compare("cpu×" + replicas.size(), single, parallel, kind, pairing, split);
        }
    }

    @ParameterizedTest(name = "cpu×n overlapped = whole: {0}, {1}")
    @MethodSource("overlapCases")
    void cpuOverlappedEqualsWholeBitwise(Optimizer.Kind kind, Split split) {
        List<Backend> first = new ArrayList<>();
        List<Backend> second = new ArrayList<>();
        for (int r = 0; r < split.shares.length; r++) {
            first.add(new CpuBackend(1));
            second.add(new CpuBackend(1));
        }
        try (DataParallelBackend overlapped = new DataParallelBackend("cpu×n", first, split.shares);
             DataParallelBackend whole = new DataParallelBackend("cpu×n", second, split.shares).overlap(false)) {
            sameBits("cpu×" + first.size(), overlapped, whole, kind, split);
        }
    }

    static Stream<Arguments> overlapCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            for (Split split : List.of(Split.HALVES_33, Split.ONE_SAMPLE, Split.THIRDS_34)) {
                cases.add(Arguments.of(kind, split));
            }
        }
        return cases.stream();
    }

    /**
     * Ten steps of the softmax classifier on both, overlapped and not ({@link DataParallelBackend#overlap}):
     * losses, parameters and optimizer state bit for bit equal.
     */
    static void sameBits(String label, DataParallelBackend overlapped, DataParallelBackend whole, Optimizer.Kind kind,
                         Split split) {
        long seed = Seeds.seed();
        String what = label + " " + kind + " " + split + Seeds.rerun(seed);
        Optimizer optimizer = LearningAgreementTest.optimizer(kind);
        float eta = LearningAgreementTest.learningRate(kind);
        LearningAgreementTest.Pairing pairing = LearningAgreementTest.Pairing.SOFTMAX;
        Network start = LearningAgreementTest.network(pairing, seed);
        SplittableRandom random = new SplittableRandom(seed);
        int batch = split.batch;
        assertTrue(overlapped.overlapped() && !whole.overlapped(), what);
        overlapped.load(start, optimizer);
        whole.load(start, optimizer);
        for (int s = 0; s < STEPS; s++) {
            float[] x = Compare.uniform(random, batch * 13, 1.5);
            float[] d = LearningAgreementTest.teacher(random, pairing, batch);
            float expected = whole.step(x, d, batch, eta);
            float actual = overlapped.step(x, d, batch, eta);
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), what + ": loss of step " + s);
        }
        Network a = overlapped.network();
        Network b = whole.network();
        OptimizerState sa = overlapped.optimizerState();
        OptimizerState sb = whole.optimizerState();
        for (int l = 0; l < start.depth(); l++) {
            assertArrayEquals(b.layer(l).weights(), a.layer(l).weights(), what + ": layer " + l + " weights");
            assertArrayEquals(b.layer(l).bias(), a.layer(l).bias(), what + ": layer " + l + " bias");
            for (int slot = 0; slot < kind.slots(); slot++) {
                assertArrayEquals(sb.weights(l, slot), sa.weights(l, slot), what + ": layer " + l + " state " + slot);
                assertArrayEquals(sb.bias(l, slot), sa.bias(l, slot), what + ": layer " + l + " bias state " + slot);
            }
        }
        assertEquals(STEPS, sa.steps(), what + ": t");
        System.out.println("data-parallel overlapped = whole, bit for bit: " + what);
    }

    /** Ten steps on both; every figure compared, the worst relative error returned and recorded. */
    static double compare(String label, Backend single, Backend parallel, Optimizer.Kind kind,
                          LearningAgreementTest.Pairing pairing, Split split) {
        long seed = Seeds.seed();
        String what = label + " " + kind + " " + pairing + " " + split + Seeds.rerun(seed);
        Optimizer optimizer = optimizer(kind);
        float eta = LearningAgreementTest.learningRate(kind);
        Network start = LearningAgreementTest.network(pairing, seed);
        SplittableRandom random = new SplittableRandom(seed);
        int batch = split.batch;
        single.load(start, optimizer);
        parallel.load(start, optimizer);
        double worst = 0;
        for (int s = 0; s < STEPS; s++) {
            float[] x = Compare.uniform(random, batch * 13, 1.5);
            float[] d = LearningAgreementTest.teacher(random, pairing, batch);
            float expected = single.step(x, d, batch, eta);
            float actual = parallel.step(x, d, batch, eta);
            worst = Math.max(worst, check(new float[] {actual}, new float[] {expected}, what + " loss of step " + s));
        }
        Network trained = parallel.network();
        Network expected = single.network();
        for (int l = 0; l < start.depth(); l++) {
            worst = Math.max(worst, check(trained.layer(l).weights(), expected.layer(l).weights(), what + " layer " + l + " weights"));
            worst = Math.max(worst, check(trained.layer(l).bias(), expected.layer(l).bias(), what + " layer " + l + " bias"));
        }
        OptimizerState state = parallel.optimizerState();
        OptimizerState expectedState = single.optimizerState();
        assertEquals(STEPS, state.steps(), what + ": t");
        for (int l = 0; l < start.depth(); l++) {
            for (int slot = 0; slot < kind.slots(); slot++) {
                worst = Math.max(worst, check(state.weights(l, slot), expectedState.weights(l, slot),
                        what + " layer " + l + " state " + slot));
                worst = Math.max(worst, check(state.bias(l, slot), expectedState.bias(l, slot),
                        what + " layer " + l + " bias state " + slot));
            }
        }
        float[] x = Compare.uniform(random, 7 * 13, 1.5);
        worst = Math.max(worst, check(parallel.predict(x, 7), single.predict(x, 7), what + " predict"));
        System.out.printf(Locale.ROOT, "data-parallel %s: max relative error %.2e (bound %.0e)%n", what, worst, BOUND);
        synchronized (WORST) {
            WORST.merge(String.format(Locale.ROOT, "%-10s %-9s %s", label, kind, split.divides ? "dividing" : "not dividing"),
                    worst, Math::max);
        }
        return worst;
    }

    /**
     * {@link LearningAgreementTest#optimizer}'s rules, with Adam's {@code ε} at 1e-3: Adam's step
     * {@code m̂/(√v̂ + ε)} turns a gradient that cancels to within rounding (AdamW's, which carries
     * no decay term, does so on some seeds) into ±η whatever its size, so two summation orders
     * differ by η in that weight — a gain no rounding bound covers. With this {@code ε} the gain
     * is at most {@code η·|Δg|/ε}, and every other weight still takes Adam's step.
     */
    static Optimizer optimizer(Optimizer.Kind kind) {
        Optimizer rules = LearningAgreementTest.optimizer(kind);
        if (kind != Optimizer.Kind.ADAM && kind != Optimizer.Kind.ADAMW) {
            return rules;
        }
        return Optimizer.builder(kind).weightDecay(rules.weightDecay()).beta1(rules.beta1()).beta2(rules.beta2())
                .epsilon(1e-3f).build();
    }

    private static double check(float[] actual, float[] expected, String what) {
        double error = Compare.relativeError(actual, Compare.toDouble(expected));
        Compare.close(actual, Compare.toDouble(expected), BOUND, what);
        return error;
    }

    @AfterAll
    static void printAgreement() {
        System.out.println("data-parallel agreement with one replica after " + STEPS + " steps (max relative error):");
        WORST.forEach((key, worst) -> System.out.printf(Locale.ROOT, "  %s %.2e%n", key, worst));
    }
}

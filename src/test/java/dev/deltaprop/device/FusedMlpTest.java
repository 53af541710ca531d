package dev.deltaprop.device;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.reference.ReferenceBackend;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused small-MLP step ({@code kernels/fused_mlp.h}, {@link FusedMlp}) on every engine
 * backend: 10 steps against the reference (1e-4 relative for sgd, momentum and nesterov, 1e-3
 * for adam and adamw, parameters and losses) for every optimizer, loss and activation, at the
 * edge widths 1, 127, 128 and at batch sizes on both sides of the chunk edges (1, 7, 33, 257,
 * 1031, and 2053, where a work-group takes two chunks); outputs (the partial buffer and the
 * loss) poisoned with NaN before the compared steps; two runs bit for bit equal; 2 launches per
 * step (4 on a device-resident data set); a width of 129 takes the layer-by-layer path.
 */
class FusedMlpTest {
    private static final int STEPS = 10;

    /** One case: a network, its optimizer, a batch size, a learning rate. */
    private record Case(String name, Network network, Optimizer optimizer, int batch, float learningRate) {
        Case(String name, Network network, Optimizer optimizer, int batch) {
            this(name, network, optimizer, batch, FusedMlpTest.learningRate(optimizer));
        }

        @Override
        public String toString() {
            return name + " " + optimizer.kind() + " B=" + batch;
        }
    }

    /** 32-64-64-1 tanh, the {@code tiny} workload's class. */
    private static Network tiny(long seed) {
        return Network.builder(32).layer(64, Activation.TANH).layer(64, Activation.TANH)
                .layer(1, Activation.IDENTITY).build(seed);
    }

    private static List<Case> cases(long seed) {
        List<Case> cases = new ArrayList<>();
        for (Optimizer o : DeviceLearningTest.optimizers()) {
            cases.add(new Case("tiny", tiny(seed), o, 257));
        }
        Network classifier = Network.builder(13).layer(33, Activation.RELU).layer(7, Activation.LEAKY_RELU)
                .layer(5, Activation.SOFTMAX).build(seed);
        Optimizer adam = Optimizer.builder(Optimizer.Kind.ADAM).weightDecay(0.01f).build();
        for (int batch : new int[] {1, 7, 33, 257, 1031, 2053}) {
            cases.add(new Case("softmax 13-33-7-5", classifier, adam, batch));
        }
        cases.add(new Case("width 1", Network.builder(1).layer(1, Activation.SIGMOID).layer(1, Activation.IDENTITY)
                .build(seed), Optimizer.sgd(), 33));
        cases.add(new Case("widths 128-127-128-1", Network.builder(128).layer(127, Activation.SOFTPLUS)
                .layer(128, Activation.TANH).layer(1, Activation.IDENTITY).build(seed),
                // 128 inputs: a smaller step, or ten steps of momentum grow the weights to ±6, where float's rounding
                // (on the layer-by-layer path as well) drifts past 1e-4 of the float64 reference
                Optimizer.builder(Optimizer.Kind.MOMENTUM).build(), 33, 0.005f));
        cases.add(new Case("sigmoid cross entropy 9-128-4", Network.builder(9).layer(128, Activation.SIGMOID)
                .layer(4, Activation.SIGMOID).loss(Loss.CROSS_ENTROPY).build(seed),
                Optimizer.builder(Optimizer.Kind.NESTEROV).weightDecay(0.01f).build(), 1031));
        cases.add(new Case("every activation 13-33-7-5-3", Network.builder(13).layer(33, Activation.TANH)
                .layer(7, Activation.LEAKY_RELU).layer(5, Activation.SOFTPLUS).layer(3, Activation.SIGMOID).build(seed),
                Optimizer.of(Optimizer.Kind.ADAMW), 7));
        return cases;
    }

    static Stream<Arguments> backendsAndCases() {
        long seed = Seeds.seed("FusedMlpTest");
        return DeviceBackends.engineNames().stream().flatMap(b -> cases(seed).stream().map(c -> Arguments.of(b, c, seed)));
    }

    /** Teachers that fit the loss: one-hot rows under softmax, 0/1 under sigmoid cross entropy, else uniform. */
    private static float[] teacher(SplittableRandom random, Network network, int batch) {
        int n = network.outputs();
        float[] d = new float[batch * n];
        boolean softmax = network.layer(network.depth() - 1).activation() == Activation.SOFTMAX;
        for (int b = 0; b < batch; b++) {
            if (softmax) {
                d[b * n + random.nextInt(n)] = 1;
                continue;
            }
            for (int j = 0; j < n; j++) {
                d[b * n + j] = network.loss() == Loss.CROSS_ENTROPY ? random.nextInt(2) : (float) random.nextDouble(-1, 1);
            }
        }
        return d;
    }

    private static float learningRate(Optimizer o) {
        return DeviceLearningTest.learningRate(o) / 2;
    }

    /** Poisons everything the fused launches write before a step: the partial sums and the loss. */
    private static void poison(DeviceBackend device, DeviceNet net) {
        FusedMlp fused = device.fused();
        if (fused.partials() != null) {
            float[] nan = Compare.poisoned((int) fused.partialsLength());
            device.driver().write(fused.partials(), 0, nan, 0, nan.length);
        }
        device.driver().write(net.loss(), 0, new float[] {Float.NaN}, 0, 1);
    }

    @ParameterizedTest(name = "{0} {1}", allowZeroInvocations = true)
    @MethodSource("backendsAndCases")
    void tenStepsEqualTheReference(String backend, Case c, long seed) {
        String what = backend + " " + c + " (seed " + seed + ", " + Seeds.rerun(seed) + ")";
        DeviceBackend device = DeviceBackends.shared(backend);
        device.fusedMode(FusedMlp.Mode.ON); // on every device, PoCL's CPU included (the default is GPUs only)
        Optimizer.Kind kind = c.optimizer().kind();
        double bound = kind == Optimizer.Kind.ADAM || kind == Optimizer.Kind.ADAMW ? 1e-3 : 1e-4;
        float eta = c.learningRate();
        SplittableRandom random = new SplittableRandom(seed ^ c.batch());
        int inputs = c.network().inputs();
        try (ReferenceBackend reference = new ReferenceBackend()) {
            device.load(c.network(), c.optimizer());
            reference.load(c.network(), c.optimizer());
            assertTrue(device.fusedOn(), what + ": the network fits, so the fused path is taken");
            assertTrue(device.device().contains("fused small-MLP kernel: 2 launches per step"), device.device());
            CountingDriver driver = (CountingDriver) device.driver();
            for (int s = 0; s < STEPS; s++) {
                float[] x = Compare.uniform(random, c.batch() * inputs, 1.0);
                float[] d = teacher(random, c.network(), c.batch());
                poison(device, device.netForTests());
                int before = driver.launches;
                float loss = device.step(x, d, c.batch(), eta);
                assertEquals(2, driver.launches - before, what + " launches in step " + s);
                double expected = reference.step(x, d, c.batch(), eta);
                Compare.close(new float[] {loss}, new double[] {expected}, bound, what + " loss of step " + s);
            }
            assertEquals(2, device.launchesPerStep(), what);
            Network a = device.network();
            Network e = reference.network();
            for (int l = 0; l < e.depth(); l++) {
                Layer al = a.layer(l);
                Layer el = e.layer(l);
                Compare.close(al.weights(), Compare.toDouble(el.weights()), bound, what + " layer " + l + " weights");
                Compare.close(al.bias(), Compare.toDouble(el.bias()), bound, what + " layer " + l + " bias");
            }
            float[][] state = flatState(device);
            float[][] expectedState = flatState(reference.optimizerState());
            for (int k = 0; k < state.length; k++) {
                Compare.close(state[k], Compare.toDouble(expectedState[k]), bound, what + " optimizer state " + k);
            }
        }
    }

    private static float[][] flatState(DeviceBackend device) {
        return flatState(device.optimizerState());
    }

    private static float[][] flatState(dev.deltaprop.model.OptimizerState state) {
        List<float[]> out = new ArrayList<>();
        int depth = state.depth();
        for (int l = 0; l < depth; l++) {
            for (int slot = 0; slot < state.kind().slots(); slot++) {
                out.add(state.weights(l, slot));
                out.add(state.bias(l, slot));
            }
        }
        return out.toArray(new float[0][]);
    }

    /** Two runs of the same steps leave the same bits, with a batch where work-groups take two chunks. */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void twoRunsAreBitwiseEqual(String backend) {
        long seed = Seeds.seed("FusedMlpTest.twoRunsAreBitwiseEqual");
        DeviceBackend device = DeviceBackends.shared(backend);
        device.fusedMode(FusedMlp.Mode.ON); // on every device, PoCL's CPU included (the default is GPUs only)
        Network start = tiny(seed);
        int batch = 2053;
        Network[] result = new Network[2];
        float[][] losses = new float[2][STEPS];
        for (int run = 0; run < 2; run++) {
            SplittableRandom random = new SplittableRandom(seed);
            device.load(start, Optimizer.of(Optimizer.Kind.ADAM));
            assertTrue(device.fusedOn());
            for (int s = 0; s < STEPS; s++) {
                losses[run][s] = device.step(Compare.uniform(random, batch * 32, 1.0), teacher(random, start, batch), batch,
                        0.01f);
            }
            result[run] = device.network();
        }
        String what = backend + " (seed " + seed + ")";
        assertArrayEquals(losses[0], losses[1], what + " losses");
        for (int l = 0; l < start.depth(); l++) {
            assertArrayEquals(result[0].layer(l).weights(), result[1].layer(l).weights(), what + " layer " + l);
            assertArrayEquals(result[0].layer(l).bias(), result[1].layer(l).bias(), what + " layer " + l);
        }
    }

    /**
     * Batches of a device-resident data set (gathered on the device, then the fused step: 4
     * launches) equal the same batches given as arrays, bit for bit.
     */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void deviceDatasetEqualsArrays(String backend) {
        long seed = Seeds.seed("FusedMlpTest.deviceDatasetEqualsArrays");
        String what = backend + " (seed " + seed + ")";
        SplittableRandom random = new SplittableRandom(seed);
        Network start = tiny(seed);
        int samples = 101;
        int batch = 33;
        float[] x = Compare.uniform(random, samples * 32, 1.0);
        float[] d = teacher(random, start, samples);
        int[] order = new int[samples];
        for (int k = 0; k < samples; k++) {
            order[k] = (k * 37 + 11) % samples; // 37 is prime to 101: a permutation
        }
        Optimizer momentum = Optimizer.of(Optimizer.Kind.MOMENTUM);
        try (DeviceBackend onDevice = DeviceBackends.open(backend); DeviceBackend byArrays = DeviceBackends.open(backend)) {
            onDevice.fusedMode(FusedMlp.Mode.ON);
            byArrays.fusedMode(FusedMlp.Mode.ON);
            onDevice.load(start, momentum);
            byArrays.load(start, momentum);
            dev.deltaprop.backend.Dataset data = onDevice.upload(x, d, samples);
            assertTrue(data instanceof DeviceDataset, what + ": a small data set stays on the device");
            data.order(order);
            for (int offset = 0; offset + batch <= samples; offset += batch) {
                float[] xBatch = new float[batch * 32];
                float[] dBatch = new float[batch];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(x, order[offset + b] * 32, xBatch, b * 32, 32);
                    dBatch[b] = d[order[offset + b]];
                }
                float a = onDevice.step(data, offset, batch, 0.05f);
                float h = byArrays.step(xBatch, dBatch, batch, 0.05f);
                assertEquals(h, a, what + " loss at offset " + offset);
                assertEquals(2 + 2, onDevice.launchesPerStep(), what + " gathers + fused step");
            }
            Network a = onDevice.network();
            Network h = byArrays.network();
            for (int l = 0; l < start.depth(); l++) {
                assertArrayEquals(h.layer(l).weights(), a.layer(l).weights(), what + " layer " + l);
                assertArrayEquals(h.layer(l).bias(), a.layer(l).bias(), what + " layer " + l);
            }
            data.close();
        }
    }

    /** A width of 129 (and a depth of 5) take the layer-by-layer path, and say so; the property turns the fused one off. */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void pastTheLimitsTheLayerPathRuns(String backend) {
        DeviceBackend device = DeviceBackends.shared(backend);
        device.fusedMode(FusedMlp.Mode.ON); // on every device, PoCL's CPU included (the default is GPUs only)
        Network wide = Network.builder(3).layer(129, Activation.TANH).layer(1, Activation.IDENTITY).build(5);
        device.load(wide);
        assertFalse(device.fusedOn());
        assertTrue(device.device().contains("not fused: n_1 = 129 > 128"), device.device());
        CountingDriver driver = (CountingDriver) device.driver();
        int before = driver.launches;
        device.profiling(true);
        device.step(new float[7 * 3], new float[7], 7, 0.1f);
        // the layer path: 3L + 1 launches, plus one fixed-order reduce per GEMM that GemmPlan splits along K
        assertEquals(driver.launches - before, device.launchesPerStep());
        assertTrue(device.launchesPerStep() >= 3 * 2 + 1 && device.launchesPerStep() <= 3 * 2 + 1 + 2 * 2 - 1,
                "layer path launches: " + device.launchesPerStep());
        device.load(tiny(5));
        device.step(new float[7 * 32], new float[7], 7, 0.1f);
        assertEquals(List.of("fused_gradients", "fused_update"), new ArrayList<>(device.lastStepNanos().keySet()), "the fused families");
        device.profiling(false);
        assertEquals(2, device.launchesPerStep());
    }

    /** The property's three values; the default takes the fused path on GPU-class devices only. */
    @Test
    void modeFollowsTheProperty() {
        String before = System.getProperty(FusedMlp.PROPERTY);
        try {
            System.clearProperty(FusedMlp.PROPERTY);
            assertEquals(FusedMlp.Mode.AUTO, FusedMlp.mode());
            assertEquals("fused small-MLP kernel (widths ≤ 128, depth ≤ 4, Σ n_l ≤ 512; 2 launches per step): on GPU devices"
                    + " (deltaprop.fused=auto)", FusedMlp.describe());
            System.setProperty(FusedMlp.PROPERTY, "false");
            assertEquals(FusedMlp.Mode.OFF, FusedMlp.mode());
            System.setProperty(FusedMlp.PROPERTY, "true");
            assertEquals(FusedMlp.Mode.ON, FusedMlp.mode());
            System.setProperty(FusedMlp.PROPERTY, "yes");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    FusedMlp::mode);
            assertEquals("deltaprop.fused: expected auto, true or false, found 'yes'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(FusedMlp.PROPERTY);
            } else {
                System.setProperty(FusedMlp.PROPERTY, before);
            }
        }
        assertTrue(FusedMlp.chosen(FusedMlp.Mode.AUTO, dev.deltaprop.device.driver.Driver.DeviceType.GPU));
        assertFalse(FusedMlp.chosen(FusedMlp.Mode.AUTO, dev.deltaprop.device.driver.Driver.DeviceType.CPU));
        assertTrue(FusedMlp.chosen(FusedMlp.Mode.ON, dev.deltaprop.device.driver.Driver.DeviceType.CPU));
        assertFalse(FusedMlp.chosen(FusedMlp.Mode.OFF, dev.deltaprop.device.driver.Driver.DeviceType.GPU));
    }

    @Test
    void refusalNamesTheLimit() {
        assertNull(FusedMlp.refusal(tiny(1), 1024));
        assertNull(FusedMlp.refusal(Network.builder(128).layer(128, Activation.TANH).layer(128, Activation.TANH)
                .layer(128, Activation.IDENTITY).build(1), 1024));
        assertEquals("n_0 = 129 > 128", FusedMlp.refusal(Network.builder(129).layer(1, Activation.IDENTITY).build(1), 1024));
        Network.Builder deep = Network.builder(2);
        for (int l = 0; l < 5; l++) {
            deep.layer(2, Activation.TANH);
        }
        assertEquals("depth 5 > 4", FusedMlp.refusal(deep.build(1), 1024));
        assertEquals("Σ n_l = 513 > 512", FusedMlp.refusal(Network.builder(128).layer(128, Activation.TANH)
                .layer(128, Activation.TANH).layer(128, Activation.TANH).layer(1, Activation.IDENTITY).build(1), 1024));
        assertNotNull(FusedMlp.refusal(tiny(1), 64), "a device whose groups are smaller than FUSED_GROUP");
    }

    /** The Java limits are the header's macros. */
    @Test
    void limitsMatchTheKernelHeader() throws Exception {
        String header;
        try (var in = getClass().getClassLoader().getResourceAsStream(KernelSource.DIRECTORY + "fused_mlp.h")) {
            assertNotNull(in, "fused_mlp.h on the class path");
            header = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Integer> java = Map.of("FUSED_WIDTH", FusedMlp.WIDTH, "FUSED_DEPTH", FusedMlp.DEPTH,
                "FUSED_UNITS", FusedMlp.UNITS, "FUSED_CHUNK", FusedMlp.CHUNK, "FUSED_GROUP", FusedMlp.GROUP);
        for (Map.Entry<String, Integer> e : java.entrySet()) {
            Matcher m = Pattern.compile("#define " + e.getKey() + " (\\d+)").matcher(header);
            assertTrue(m.find(), e.getKey() + " defined in fused_mlp.h");
            assertEquals(e.getValue().intValue(), Integer.parseInt(m.group(1)), e.getKey());
        }
    }
}

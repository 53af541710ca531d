package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.fake.FakeDriver;
import dev.deltaprop.model.Optimizer;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's graph policy on the fake binding (which captures as CUDA does), with a "step" of
 * two {@code scale} launches: launched directly the first time a key comes, captured the second
 * time and replayed after, launched directly for another key (another batch size) and replayed
 * again when the first comes back, captured anew once a buffer it used was freed, launched directly while
 * profiling, never captured when off, refused when required on a driver without graphs, and
 * destroyed at close. Every replay gives what the launches give. An Adam run with a changing
 * {@code η} has one key (its per-step numbers are in {@link StepScalars}, not in the launches):
 * captured once and replayed, each replay reading that step's numbers.
 */
class StepGraphTest {
    /** A key as the engine's plans are: one per batch size (a test's own, compared by equals). */
    private record Key(int batch) {
    }

    private static Key key(int batch) {
        return new Key(batch);
    }

    @Test
    void aRepeatedStepIsCapturedOnceAndReplayed() {
        FakeDriver driver = FakeDriver.open();
        Driver.Kernel scale = driver.kernel(driver.build(new ProgramSource("scale", "", null), Map.of()), "scale");
        Driver.Memory[] v = {driver.allocate(3)};
        driver.write(v[0], 0, new float[] {1, 2, 3}, 0, 3);
        java.util.function.IntSupplier step = () -> {
            driver.launch(scale, new int[] {1}, new int[] {3}, v[0], 2.0f, 3);
            driver.launch(scale, new int[] {1}, new int[] {3}, v[0], 0.75f, 3);
            return 2;
        };
        StepGraph graphs = new StepGraph(driver, StepGraph.Mode.AUTO);
        assertTrue(graphs.on(), "auto: on where the driver captures");
        for (int k = 0; k < 5; k++) {
            assertEquals(2, graphs.run(key(8), step, false), "step " + k);
        }
        assertEquals(List.of("beginCapture", "launch scale (captured)", "launch scale (captured)", "endCapture",
                "launchGraph", "launchGraph", "launchGraph", "launchGraph"), driver.calls, "direct, capture, replays");
        assertEquals(1, graphs.captures());
        assertEquals(4, graphs.replays());
        float[] back = new float[3];
        driver.read(v[0], 0, back, 0, 3);
        float expected = 1;
        for (int k = 0; k < 5; k++) {
            expected = expected * 2.0f * 0.75f;
        }
        assertEquals(expected, back[0], "five steps, each ×2 then ×0.75, captured or not");

        driver.calls.clear();
        graphs.run(key(7), step, false);
        graphs.run(key(8), step, false);
        assertEquals(List.of("launchGraph"), driver.calls, "another batch launches directly; the first replays again");

        driver.calls.clear();
        Driver.Memory old = v[0];
        v[0] = driver.allocate(3);
        driver.free(old);
        graphs.run(key(8), step, false);
        assertEquals(List.of("releaseGraph", "beginCapture", "launch scale (captured)", "launch scale (captured)", "endCapture",
                "launchGraph"), driver.calls, "a freed buffer destroyed the graph: captured anew");

        driver.calls.clear();
        graphs.run(key(8), step, true);
        graphs.run(key(8), step, true);
        assertEquals(List.of(), driver.calls, "profiling launches directly");

        graphs.mode(StepGraph.Mode.OFF);
        assertEquals(List.of("releaseGraph"), driver.calls, "a mode change drops the graph");
        driver.calls.clear();
        for (int k = 0; k < 3; k++) {
            graphs.run(key(8), step, false);
        }
        assertFalse(graphs.on());
        assertEquals(List.of(), driver.calls, "off: never captured");

        graphs.mode(StepGraph.Mode.ON);
        graphs.run(key(4), step, false);
        graphs.run(key(4), step, false);
        driver.calls.clear();
        graphs.close();
        assertEquals(List.of("releaseGraph"), driver.calls, "close destroys the graph");
        driver.close();
    }

    @Test
    void anAdamRunWithAScheduleIsReplayedWithEachStepsNumbers() {
        FakeDriver driver = FakeDriver.open();
        Driver.Kernel scaleBy = driver.kernel(driver.build(new ProgramSource("scale", "", null), Map.of()), "scale_by");
        Driver.Memory v = driver.allocate(2);
        driver.write(v, 0, new float[] {1, 1}, 0, 2);
        StepScalars scalars = new StepScalars(driver);
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
        OptimizerStep[] current = new OptimizerStep[1];
        // a "step" reading η and both corrections from the buffer, as the update kernels do
        java.util.function.IntSupplier step = () -> {
            Driver.Memory numbers = scalars.use(current[0]);
            driver.launch(scaleBy, new int[] {1}, new int[] {2}, v, numbers, 0, 2);
            driver.launch(scaleBy, new int[] {1}, new int[] {2}, v, numbers, 1, 1);
            driver.launch(scaleBy, new int[] {1}, new int[] {2}, v, numbers, 2, 2);
            return 3;
        };
        StepGraph graphs = new StepGraph(driver, StepGraph.Mode.ON);
        float expected0 = 1;
        float expected1 = 1;
        for (int t = 1; t <= 6; t++) {
            float learningRate = 0.1f / t; // a schedule: η changes every step, as Adam's corrections do
            current[0] = OptimizerStep.of(adam, learningRate, t);
            scalars.write(current[0]); // the engine's upload, before the step and outside the graph
            assertEquals(3, graphs.run(key(8), step, false), "step " + t);
            expected0 = expected0 * current[0].learningRate * current[0].stepSize * current[0].rootCorrection;
            expected1 = expected1 * current[0].learningRate * current[0].rootCorrection;
        }
        assertEquals(List.of("beginCapture", "launch scale_by (captured)", "launch scale_by (captured)",
                "launch scale_by (captured)", "endCapture", "launchGraph", "launchGraph", "launchGraph", "launchGraph",
                "launchGraph"), driver.calls, "Adam: launched once, captured at step 2, replayed after");
        assertEquals(1, graphs.captures());
        assertEquals(5, graphs.replays());
        float[] back = new float[2];
        driver.read(v, 0, back, 0, 2);
        assertEquals(Float.floatToRawIntBits(expected0), Float.floatToRawIntBits(back[0]), "every replay read its step's η, η/(1−β₁ᵗ), √(1−β₂ᵗ)");
        assertEquals(Float.floatToRawIntBits(expected1), Float.floatToRawIntBits(back[1]), "the second item, scaled by two of them");
        graphs.close();
        driver.close();
    }

    /**
     * The engine's keys are its step plans ({@link StepPlans}), on the fake binding running the
     * whole engine: {@code GraphReplayTest}'s run (a 101-sample data set in batches of 16 and a
     * last one of 5, a host batch every third step, eager steps in the first epoch and queued ones
     * in the second, η new every step) is captured twice — the eager and the queued plan of the
     * full batch — and runs 10 steps from a graph (both graphs kept: the second epoch's eager host
     * steps between queued ones replay too), on both paths and for Adam as for SGD, as it
     * does on a GPU. Host batches and gathered ones share a plan; nothing is recorded twice.
     */
    @Test
    void theEnginesPlansAreItsKeys() {
        for (FusedMlp.Mode fused : new FusedMlp.Mode[] {FusedMlp.Mode.OFF, FusedMlp.Mode.ON}) {
            for (Optimizer.Kind kind : new Optimizer.Kind[] {Optimizer.Kind.SGD, Optimizer.Kind.ADAM}) {
                try (DeviceBackend device = new DeviceBackend("fake", FakeDriver.forEngine())) {
                    device.graphMode(StepGraph.Mode.ON);
                    device.fusedMode(fused);
                    device.load(dev.deltaprop.model.Network.builder(13).layer(33, dev.deltaprop.model.Activation.TANH)
                            .layer(7, dev.deltaprop.model.Activation.RELU).layer(3, dev.deltaprop.model.Activation.IDENTITY)
                            .build(1), Optimizer.of(kind));
                    int samples = 101;
                    int batchSize = 16;
                    float[] x = new float[samples * 13];
                    float[] d = new float[samples * 3];
                    dev.deltaprop.backend.Dataset data = device.upload(x, d, samples);
                    int step = 0;
                    for (int epoch = 0; epoch < 2; epoch++) {
                        for (int offset = 0; offset < samples; offset += batchSize, step++) {
                            int batch = Math.min(batchSize, samples - offset);
                            float learningRate = (epoch == 0 ? 0.05f : 0.02f) / (1 + 0.125f * step);
                            if (step % 3 == 2) {
                                device.step(java.util.Arrays.copyOf(x, batch * 13), java.util.Arrays.copyOf(d, batch * 3),
                                        batch, learningRate);
                            } else if (epoch == 1) {
                                device.queueStep(data, offset, batch, learningRate);
                            } else {
                                device.step(data, offset, batch, learningRate);
                            }
                        }
                    }
                    String what = fused + " " + kind;
                    assertEquals(2, device.graphs().captures(), what + ": one capture per recorded-or-not key");
                    assertEquals(10, device.graphs().replays(), what + ": steps run from a graph");
                    assertEquals(4, device.plans().recorded(), what + ": eager and queued, batch 16 and 5");
                    data.close();
                }
            }
        }
    }

    @Test
    void theScalarsAreWrittenOnlyWhenTheyChange() {
        int[] writes = {0};
        Driver counting = (Driver) Proxy.newProxyInstance(Driver.class.getClassLoader(), new Class<?>[] {Driver.class},
                (proxy, method, arguments) -> switch (method.getName()) {
                    case "allocate" -> null;
                    case "write" -> {
                        writes[0]++;
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        StepScalars scalars = new StepScalars(counting);
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
        scalars.write(OptimizerStep.of(adam, 0.1f, 1));
        scalars.use(OptimizerStep.of(adam, 0.1f, 1));
        scalars.use(null);
        assertEquals(1, writes[0], "the same numbers again: nothing enqueued (a capture records no copy)");
        scalars.write(OptimizerStep.of(adam, 0.1f, 2));
        scalars.write(OptimizerStep.of(Optimizer.sgd(), 0.1f, 1));
        scalars.write(OptimizerStep.of(Optimizer.sgd(), 0.1f, 7));
        assertEquals(3, writes[0], "new bias corrections, then SGD's (η, 1): one write each; SGD's t changes nothing");
    }

    @Test
    void requiredGraphsRefuseADriverWithout() {
        Driver none = (Driver) Proxy.newProxyInstance(Driver.class.getClassLoader(), new Class<?>[] {Driver.class},
                (proxy, method, arguments) -> switch (method.getName()) {
                    case "binding" -> "JOCL 2.0.6";
                    case "capturesGraphs" -> false;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepGraph(none, StepGraph.Mode.ON));
        assertEquals("deltaprop.graphs=true: expected a driver with CUDA graphs (cuda, cuda-lwjgl), found JOCL 2.0.6", e.getMessage());
        assertFalse(new StepGraph(none, StepGraph.Mode.AUTO).on(), "auto: off where the driver has no graphs");
    }

    @Test
    void thePropertyTakesThreeValues() {
        String before = System.getProperty(StepGraph.PROPERTY);
        try {
            System.setProperty(StepGraph.PROPERTY, "TRUE");
            assertEquals(StepGraph.Mode.ON, StepGraph.mode());
            System.setProperty(StepGraph.PROPERTY, "false");
            assertEquals(StepGraph.Mode.OFF, StepGraph.mode());
            System.setProperty(StepGraph.PROPERTY, "sometimes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, StepGraph::mode);
            assertEquals("deltaprop.graphs: expected auto, true or false, found 'sometimes'", e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(StepGraph.PROPERTY);
            } else {
                System.setProperty(StepGraph.PROPERTY, before);
            }
        }
        assertEquals(StepGraph.Mode.AUTO, StepGraph.mode());
    }
}

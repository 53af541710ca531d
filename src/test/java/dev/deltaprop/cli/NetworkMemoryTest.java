package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Dataset;
import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import dev.deltaprop.model.OptimizerState;
import dev.deltaprop.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #7 and #9: a network too large for the heap is refused before anything is allocated,
 * naming --layers, the estimate and the limit — in well under a second, not after 18 s of
 * allocation and an OutOfMemoryError; backends estimate before they copy a network in.
 */
class NetworkMemoryTest {
    @TempDir
    Path folder;

    @AfterEach
    void noLimit() {
        System.clearProperty(MemoryEstimate.LIMIT_PROPERTY);
    }

    private Path xor() throws IOException {
        return Files.writeString(folder.resolve("xor.csv"), "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    }

    @Test
    void layersTooLargeForTheHeapAreRefusedNamingLayersTheEstimateAndTheLimit() throws IOException {
        Path data = xor();
        System.setProperty(MemoryEstimate.LIMIT_PROPERTY, "256000000");
        for (String layers : new String[] {"2-20000-20000-1", "2-100000-100000-1"}) {
            Cli cli = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("train", "--data", data.toString(),
                    "--layers", layers, "--backend", "cpu", "--save", folder.resolve("m.json").toString()));
            assertEquals(1, cli.exitCode, cli.toString());
            assertTrue(cli.err.contains("--layers " + layers) && cli.err.contains("GB of memory")
                    && cli.err.contains("256.0 MB") && cli.err.contains("-Xmx"), cli.err);
            assertFalse(cli.out.contains("epoch"), cli.out);
        }
    }

    @Test
    void backendsRefuseANetworkTheHeapCannotHoldBeforeCopyingIt() {
        Network network = Network.builder(200).layer(200, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
        System.setProperty(MemoryEstimate.LIMIT_PROPERTY, "100000");
        for (Supplier<Backend> open : new Supplier[] {ReferenceBackend::new, () -> new CpuBackend(1)}) {
            try (Backend backend = open.get()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.load(network));
                assertTrue(e.getMessage().startsWith(backend.name() + ": ") && e.getMessage().contains("0.1 MB"),
                        e.getMessage());
            }
        }
    }

    @Test
    void activationsForABatchTheHeapCannotHoldAreRefused() {
        Network network = Network.builder(1).layer(3000, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
        try (Backend backend = new CpuBackend(1)) {
            backend.load(network);
            System.setProperty(MemoryEstimate.LIMIT_PROPERTY, "200000000");
            // 100 000 samples × 3001 units × 3 arrays × 4 bytes = 3.6 GB
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.predict(new float[100_000], 100_000));
            assertTrue(e.getMessage().contains("batch 100000") && e.getMessage().contains("200.0 MB"), e.getMessage());
        }
    }

    @Test
    void uploadingADataSetDoesNotCopyTheNetworkOut() {
        // a backend whose parameters are costly to copy out: the default upload needs only the widths
        Backend backend = new Backend() {
            @Override public String name() { return "widths-only"; }
            @Override public String device() { return "test"; }
            @Override public void load(Network n, Optimizer o, OptimizerState s) { }
            @Override public Optimizer optimizer() { return Optimizer.sgd(); }
            @Override public OptimizerState optimizerState() { return null; }
            @Override public Network network() { throw new AssertionError("network() copied every weight out"); }
            @Override public int[] widths() { return new int[] {2, 1}; }
            @Override public float step(float[] x, float[] d, int b, float eta) { return 0; }
            @Override public float step(java.nio.FloatBuffer x, java.nio.FloatBuffer d, int b, float eta) { return 0; }
            @Override public float[] predict(float[] x, int b) { return new float[b]; }
            @Override public void close() { }
        };
        try (Dataset data = backend.upload(new float[] {1, 2}, new float[] {3}, 1)) {
            assertEquals(1, data.samples());
        }
        Network network = Network.builder(2).layer(1, Activation.IDENTITY).build(1);
        for (Supplier<Backend> open : new Supplier[] {ReferenceBackend::new, () -> new CpuBackend(1)}) {
            try (Backend real = open.get()) {
                real.load(network);
                assertEquals(java.util.List.of(2, 1), java.util.Arrays.stream(real.widths()).boxed().toList());
            }
        }
    }
}

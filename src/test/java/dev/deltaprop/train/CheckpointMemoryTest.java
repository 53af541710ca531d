package dev.deltaprop.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import dev.deltaprop.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #7, a cousin in the checkpoint reader: a manifest claiming a layer of a billion outputs
 * is refused by name, not allocated before the binary files are compared with it.
 */
class CheckpointMemoryTest {
    @Test
    void aManifestClaimingAHugeLayerIsRefusedWithoutAllocatingIt(@TempDir Path folder) throws IOException {
        Network network = Network.builder(2).layer(3, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
        TrainerConfig config = TrainerConfig.builder().epochs(1).batch(2).learningRate(0.1f).build();
        CheckpointFiles files = new CheckpointFiles(folder.resolve("run"));
        try (ReferenceBackend backend = new ReferenceBackend()) {
            new Trainer(config).checkpoints(files, 1).train(backend, network, new float[] {0, 1, 1, 0},
                    new float[] {1, 0}, 2);
        }
        Path manifest = folder.resolve("run").resolve(CheckpointFiles.MANIFEST);
        String text = Files.readString(manifest);
        String huge = text.replaceFirst("\"outputs\":\\s*3", "\"outputs\":1000000000")
                .replaceFirst("\"inputs\":\\s*3", "\"inputs\":1000000000");
        assertTrue(!huge.equals(text), "the manifest names the layer's widths: " + text);
        Files.writeString(manifest, huge);
        IOException e = assertThrows(IOException.class, files::read);
        assertTrue(e.getMessage().startsWith(manifest.toString()) && e.getMessage().contains("1000000000"),
                e.getMessage());
    }
}

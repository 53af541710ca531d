package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code train}'s learning flags: the optimizer, the schedule, early stopping, checkpoints and
 * {@code --resume}, whose 2 + 2 epochs must save the same bytes as 4 straight; bad values refused
 * naming the flag before any work.
 */
class LearningCliTest {
    @TempDir
    Path folder;

    /** 31 samples of 3 inputs and 2 teachers (the last batch of 4 has 3 samples), drawn from a seed. */
    private Path data() throws IOException {
        SplittableRandom random = new SplittableRandom(31);
        StringBuilder csv = new StringBuilder("x1,x2,x3,d1,d2\n");
        for (int s = 0; s < 31; s++) {
            for (int c = 0; c < 5; c++) {
                csv.append(String.format(Locale.ROOT, "%.6f", random.nextDouble(-1, 1))).append(c == 4 ? "\n" : ",");
            }
        }
        Path file = folder.resolve("data.csv");
        Files.writeString(file, csv);
        return file;
    }

    private static String[] args(String... parts) {
        return parts;
    }

    private static Cli ok(String... args) {
        Cli cli = Cli.run(args);
        assertEquals(0, cli.exitCode, cli.toString());
        return cli;
    }

    private static String[] join(String[] a, String... b) {
        List<String> all = new ArrayList<>(Arrays.asList(a));
        all.addAll(Arrays.asList(b));
        return all.toArray(new String[0]);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"reference, sgd", "reference, momentum", "reference, adam", "cpu, sgd", "cpu, nesterov", "cpu, adamw",
        "opencl, sgd", "opencl, momentum", "opencl, adam"})
    void twoEpochsAndAResumeOfTwoSaveTheBytesOfFourStraight(String backend, String optimizer) throws IOException {
        String unavailable = Backends.unavailableReason(backend);
        if (unavailable != null) {
            String required = System.getenv("DELTAPROP_REQUIRE");
            if (required != null && Arrays.asList(required.trim().split("[,\\s]+")).contains(backend)) {
                Assertions.fail(backend + " is required here but cannot start: " + unavailable);
            }
            Assumptions.abort(backend + " cannot start here: " + unavailable);
        }
        String[] common = args("train", "--data", data().toString(), "--layers", "3-5-2", "--batch", "4", "--lr", "0.05",
                "--seed", "9", "--optimizer", optimizer, "--schedule", "step:1:0.7", "--validation", "0.2",
                "--backend", backend);
        Path straight = folder.resolve("straight.json");
        ok(join(common, "--epochs", "4", "--save", straight.toString()));
        Path checkpoint = folder.resolve("ck");
        ok(join(common, "--epochs", "2", "--checkpoint", checkpoint.toString(), "--save", folder.resolve("half.json").toString()));
        Path resumed = folder.resolve("resumed.json");
        Cli resume = ok("train", "--data", folder.resolve("data.csv").toString(), "--validation", "0.2", "--resume",
                checkpoint.toString(), "--epochs", "4", "--backend", backend, "--save", resumed.toString(), "--plot",
                folder.resolve("loss.png").toString());
        assertTrue(Files.size(folder.resolve("loss.png")) > 0);
        assertTrue(resume.out.contains("resuming from " + checkpoint + ": epoch 2 of 4 done"), resume.out);
        assertFalse(resume.out.contains("epoch 1/4"), "the resumed run starts at epoch 3:\n" + resume.out);
        assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(resumed),
                "4 epochs straight and 2 + resume 2 on " + backend + " with " + optimizer);
    }

    @Test
    void earlyStoppingSaysWhichEpochItKept() throws IOException {
        Cli cli = ok("train", "--data", data().toString(), "--layers", "3-16-2", "--epochs", "300", "--batch", "4",
                "--lr", "0.05", "--optimizer", "adam", "--validation", "0.3", "--early-stopping", "5", "--backend",
                "reference", "--save", folder.resolve("m.json").toString());
        // random teachers: the held-out loss soon rises, so the run stops long before 300 epochs
        assertTrue(cli.out.contains("early stopping: no improvement for 5 epochs, stopped after epoch "), cli.out);
        assertTrue(cli.out.contains("; kept epoch "), cli.out);
        assertTrue(cli.out.contains("(the weights of epoch "), cli.out);
    }

    @Test
    void badLearningOptionsAreRefusedNamingTheFlagBeforeAnyWork() throws IOException {
        String data = data().toString();
        String save = folder.resolve("never.json").toString();
        String[][] cases = {
            {"--optimizer", "rmsprop"},
            {"--optimizer", "adam", "--momentum", "0.5"},
            {"--optimizer", "sgd", "--beta1", "0.5"},
            {"--optimizer", "adam", "--beta1", "1"},
            {"--optimizer", "adam", "--beta2", "NaN"},
            {"--optimizer", "adam", "--epsilon", "0"},
            {"--weight-decay", "-0.1"},
            {"--schedule", "linear"},
            {"--schedule", "step:0:0.5"},
            {"--warmup-epochs", "-2"},
            {"--loss", "hinge"},
            {"--loss", "cross_entropy"},
            {"--output-activation", "softmax", "--loss", "squared_error"},
            {"--early-stopping", "3"},
            {"--validation", "0.2", "--early-stopping", "0"},
            {"--checkpoint-every", "2"},
        };
        String[] expected = {
            "deltaprop train: --optimizer: unknown optimizer 'rmsprop': expected one of sgd, momentum, nesterov, adam, adamw",
            "deltaprop train: --momentum: only for --optimizer momentum or nesterov, found --optimizer adam",
            "deltaprop train: --beta1: only for --optimizer adam or adamw, found --optimizer sgd",
            "deltaprop train: --beta1: expected a number in [0, 1), found 1.0",
            "deltaprop train: --beta2: expected a number in [0, 1), found NaN",
            "deltaprop train: --epsilon: expected a finite number > 0, found 0.0",
            "deltaprop train: --weight-decay: expected a finite number ≥ 0, found -0.1",
            "deltaprop train: --schedule: expected constant, step:K:G (e.g. step:10:0.5) or cosine, found 'linear'",
            "deltaprop train: --schedule: in step:K:G, expected K (the epochs per step) at least 1, found 0",
            "deltaprop train: --warmup-epochs: expected at least 0 (0: no warm-up), found -2",
            "deltaprop train: --loss: ",
            "deltaprop train: --loss: layers[1].activation: cross_entropy expects a softmax or sigmoid output, found identity",
            "deltaprop train: --loss: a softmax output (layers[1]) expects cross_entropy, found squared_error",
            "deltaprop train: --early-stopping: expected --validation too (the held-out loss it watches)",
            "deltaprop train: --early-stopping: expected a patience of at least 1 epoch, found 0",
            "deltaprop train: --checkpoint-every: expected --checkpoint DIR (or --resume DIR) too",
        };
        for (int k = 0; k < cases.length; k++) {
            Cli cli = Cli.run(join(args("train", "--data", data, "--layers", "3-4-2", "--epochs", "1", "--backend",
                    "reference", "--save", save), cases[k]));
            assertEquals(1, cli.exitCode, cli.toString());
            assertTrue(cli.err.startsWith(expected[k]), "case " + Arrays.toString(cases[k]) + ": " + cli.err);
            assertFalse(cli.out.contains("backend:"), "refused before the backend was opened: " + cli.out);
        }
        assertFalse(Files.exists(Path.of(save)));
    }

    @Test
    void resumeRefusesTheSettingsTheCheckpointHolds() throws IOException {
        String data = data().toString();
        Path checkpoint = folder.resolve("ck");
        ok("train", "--data", data, "--layers", "3-4-2", "--epochs", "1", "--backend", "reference", "--checkpoint",
                checkpoint.toString(), "--save", folder.resolve("a.json").toString());
        Cli lr = Cli.run("train", "--data", data, "--resume", checkpoint.toString(), "--lr", "0.1", "--epochs", "2",
                "--save", folder.resolve("b.json").toString());
        assertEquals("deltaprop train: --lr: not allowed with --resume (the checkpoint holds the network and the training"
                + " settings)", lr.err.trim());
        Cli done = Cli.run("train", "--data", data, "--resume", checkpoint.toString(), "--epochs", "1", "--save",
                folder.resolve("b.json").toString());
        assertEquals("deltaprop train: --epochs: expected more than the 1 epochs the checkpoint in " + checkpoint
                + " has done (the total to reach), found 1", done.err.trim());
        Cli none = Cli.run("train", "--data", data, "--resume", folder.resolve("nothing").toString(), "--save",
                folder.resolve("b.json").toString());
        assertTrue(none.err.startsWith("deltaprop train: --resume " + folder.resolve("nothing")
                + ": expected a checkpoint folder (with checkpoint.json), found none"), none.err);
        Cli again = Cli.run("train", "--data", data, "--layers", "3-4-2", "--epochs", "1", "--backend", "reference",
                "--checkpoint", checkpoint.toString(), "--save", folder.resolve("c.json").toString());
        assertEquals("deltaprop train: --checkpoint " + checkpoint + ": holds the checkpoint of another run; continue it"
                + " with --resume " + checkpoint + ", or name an empty folder", again.err.trim());
        Cli other = Cli.run("train", "--data", data, "--validation", "0.5", "--resume", checkpoint.toString(), "--epochs",
                "2", "--backend", "reference", "--save", folder.resolve("b.json").toString());
        assertTrue(other.err.startsWith("deltaprop train: --resume " + checkpoint + ": data: expected the checkpoint's"
                + " training data (31 samples"), other.err);
    }
}

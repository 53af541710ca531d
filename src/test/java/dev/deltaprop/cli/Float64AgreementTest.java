package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deltaprop train --backend NAME --init M.json --no-shuffle --batch 3} against an
 * independent float64 implementation of DESIGN §1 in matrix form, written here from the
 * equations (its own activations, its own matrix products; nothing from {@code reference}):
 * the trained parameters agree to {@code 1e-5} relative, {@code ‖a − b‖ / ‖b‖}, on the
 * {@code reference} backend, and to {@code 1e-4} on the float32 backends ({@code cpu} and the
 * devices; a device that cannot start here is skipped with the reason unless
 * {@code DELTAPROP_REQUIRE} names it). Sizes are odd
 * (5-7-3-2, 29 samples, so the last batch of each epoch has 2 samples).
 */
class Float64AgreementTest {
    @TempDir
    Path folder;

    @ParameterizedTest(name = "{0} within {1}")
    @CsvSource({"reference, 1e-5", "cpu, 1e-4", "opencl, 1e-4", "opencl-lwjgl, 1e-4", "cuda, 1e-4", "cuda-lwjgl, 1e-4"})
    void trainingAgreesWithMatrixFormInDouble(String backend, double bound) throws IOException {
        String unavailable = dev.deltaprop.backend.Backends.unavailableReason(backend);
        if (unavailable != null) {
            String required = System.getenv("DELTAPROP_REQUIRE");
            if (required != null && java.util.Arrays.asList(required.trim().split("[,\\s]+")).contains(backend)) {
                Assertions.fail(backend + " is required here but cannot start: " + unavailable);
            }
            Assumptions.abort(backend + " cannot start here: " + unavailable);
        }
        long seed = 20261129;
        int samples = 29;
        int batch = 3;
        int epochs = 12;
        float learningRate = 0.05f;
        Network initial = Network.builder(5).layer(7, Activation.TANH).layer(3, Activation.SOFTPLUS)
                .layer(2, Activation.SIGMOID).build(seed);
        // non-zero biases, so that the bias path is compared from the first step
        SplittableRandom random = new SplittableRandom(seed);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : initial.layers()) {
            float[] bias = new float[layer.outputs()];
            for (int j = 0; j < bias.length; j++) {
                bias[j] = (float) random.nextDouble(-0.3, 0.3);
            }
            layers.add(layer.withParameters(layer.weights(), bias));
        }
        initial = initial.withLayers(layers);
        double[][] x = new double[samples][5];
        double[][] d = new double[samples][2];
        StringBuilder csv = new StringBuilder();
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < 5; i++) {
                x[s][i] = (float) random.nextDouble(-1, 1);
                csv.append(Float.toString((float) x[s][i])).append(',');
            }
            for (int j = 0; j < 2; j++) {
                d[s][j] = (float) random.nextDouble(0, 1);
                csv.append(Float.toString((float) d[s][j])).append(j == 1 ? "\n" : ",");
            }
        }
        Path init = folder.resolve("init.json");
        Path data = folder.resolve("data.csv");
        Path out = folder.resolve("out.json");
        ModelFiles.save(initial, init);
        Files.writeString(data, csv);

        Cli train = Cli.run("train", "--backend", backend, "--init", init.toString(), "--no-shuffle",
                "--batch", String.valueOf(batch), "--epochs", String.valueOf(epochs), "--lr", Float.toString(learningRate),
                "--data", data.toString(), "--save", out.toString());
        assertEquals(0, train.exitCode, train.toString());
        Network trained = ModelFiles.load(out);

        MatrixMlp expected = new MatrixMlp(initial);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int offset = 0; offset < samples; offset += batch) {
                int size = Math.min(batch, samples - offset);
                expected.step(slice(x, offset, size), slice(d, offset, size), learningRate);
            }
        }

        double differenceSquares = 0;
        double normSquares = 0;
        for (int l = 0; l < 3; l++) {
            Layer layer = trained.layer(l);
            for (int j = 0; j < layer.outputs(); j++) {
                double e = expected.b[l][j];
                differenceSquares += (layer.bias(j) - e) * (layer.bias(j) - e);
                normSquares += e * e;
                for (int i = 0; i < layer.inputs(); i++) {
                    double w = expected.w[l][i][j];
                    differenceSquares += (layer.weight(i, j) - w) * (layer.weight(i, j) - w);
                    normSquares += w * w;
                }
            }
        }
        double relative = Math.sqrt(differenceSquares) / Math.sqrt(normSquares);
        // the parameters moved, so that agreement means something
        double moved = 0;
        for (int l = 0; l < 3; l++) {
            for (int i = 0; i < initial.layer(l).inputs(); i++) {
                for (int j = 0; j < initial.layer(l).outputs(); j++) {
                    moved = Math.max(moved, Math.abs(initial.layer(l).weight(i, j) - expected.w[l][i][j]));
                }
            }
        }
        System.out.printf(backend + ": float64 agreement (5-7-3-2, %d samples, B = %d, %d epochs): ‖a − b‖/‖b‖ = %.3e; largest weight change %.3e%n",
                samples, batch, epochs, relative, moved);
        assertTrue(moved > 1e-2, "training changed the weights by " + moved);
        assertTrue(relative < bound, backend + ": relative error " + relative + " (seed " + seed + ")");
    }

    private static double[][] slice(double[][] rows, int offset, int size) {
        double[][] out = new double[size][];
        for (int b = 0; b < size; b++) {
            out[b] = rows[offset + b];
        }
        return out;
    }

    /**
     * DESIGN §1 in matrix form, in double, rows are samples:
     * {@code U^l = Z^{l-1} W^l + 1·b^lᵀ}, {@code Z^l = f(U^l)}; {@code Δ^L = (Y − D) ⊙ f'(U^L)};
     * {@code Δ^l = (Δ^{l+1} W^{l+1}ᵀ) ⊙ f'(U^l)}; {@code W^l ← W^l − (η/B) Z^{l-1}ᵀ Δ^l},
     * {@code b^l ← b^l − (η/B) Σ_b Δ^l_b}. Parameters stay double (no float32 rounding).
     */
    static final class MatrixMlp {
        final double[][][] w;
        final double[][] b;
        final String[] f;

        MatrixMlp(Network network) {
            int depth = network.depth();
            w = new double[depth][][];
            b = new double[depth][];
            f = new String[depth];
            for (int l = 0; l < depth; l++) {
                Layer layer = network.layer(l);
                w[l] = new double[layer.inputs()][layer.outputs()];
                for (int i = 0; i < layer.inputs(); i++) {
                    for (int j = 0; j < layer.outputs(); j++) {
                        w[l][i][j] = layer.weight(i, j);
                    }
                }
                b[l] = new double[layer.outputs()];
                for (int j = 0; j < layer.outputs(); j++) {
                    b[l][j] = layer.bias(j);
                }
                f[l] = layer.activation().id();
            }
        }

        void step(double[][] x, double[][] d, double learningRate) {
            int depth = w.length;
            int rows = x.length;
            double[][][] u = new double[depth + 1][][];
            double[][][] z = new double[depth + 1][][];
            z[0] = x;
            for (int l = 0; l < depth; l++) {
                u[l + 1] = addRow(multiply(z[l], w[l]), b[l]);
                z[l + 1] = apply(u[l + 1], f[l], false);
            }
            double[][][] delta = new double[depth + 1][][];
            delta[depth] = hadamard(subtract(z[depth], d), apply(u[depth], f[depth - 1], true));
            for (int l = depth - 1; l >= 1; l--) {
                delta[l] = hadamard(multiply(delta[l + 1], transpose(w[l])), apply(u[l], f[l - 1], true));
            }
            // all Δ first (from the old W), then every update
            for (int l = 0; l < depth; l++) {
                double[][] gradient = multiply(transpose(z[l]), delta[l + 1]);
                for (int i = 0; i < gradient.length; i++) {
                    for (int j = 0; j < gradient[i].length; j++) {
                        w[l][i][j] -= learningRate / rows * gradient[i][j];
                    }
                }
                for (int j = 0; j < b[l].length; j++) {
                    double sum = 0;
                    for (int r = 0; r < rows; r++) {
                        sum += delta[l + 1][r][j];
                    }
                    b[l][j] -= learningRate / rows * sum;
                }
            }
        }

        static double[][] multiply(double[][] a, double[][] m) {
            double[][] c = new double[a.length][m[0].length];
            for (int r = 0; r < a.length; r++) {
                for (int k = 0; k < m.length; k++) {
                    for (int col = 0; col < m[0].length; col++) {
                        c[r][col] += a[r][k] * m[k][col];
                    }
                }
            }
            return c;
        }

        static double[][] transpose(double[][] a) {
            double[][] t = new double[a[0].length][a.length];
            for (int r = 0; r < a.length; r++) {
                for (int c = 0; c < a[0].length; c++) {
                    t[c][r] = a[r][c];
                }
            }
            return t;
        }

        static double[][] addRow(double[][] a, double[] row) {
            double[][] c = new double[a.length][];
            for (int r = 0; r < a.length; r++) {
                c[r] = a[r].clone();
                for (int j = 0; j < row.length; j++) {
                    c[r][j] += row[j];
                }
            }
            return c;
        }

        static double[][] subtract(double[][] a, double[][] m) {
            double[][] c = new double[a.length][a[0].length];
            for (int r = 0; r < a.length; r++) {
                for (int j = 0; j < a[0].length; j++) {
                    c[r][j] = a[r][j] - m[r][j];
                }
            }
            return c;
        }

        static double[][] hadamard(double[][] a, double[][] m) {
            double[][] c = new double[a.length][a[0].length];
            for (int r = 0; r < a.length; r++) {
                for (int j = 0; j < a[0].length; j++) {
                    c[r][j] = a[r][j] * m[r][j];
                }
            }
            return c;
        }

        /** f(U), or f'(U) when {@code derivative}, elementwise, from the definitions. */
        static double[][] apply(double[][] u, String f, boolean derivative) {
            double[][] c = new double[u.length][u[0].length];
            for (int r = 0; r < u.length; r++) {
                for (int j = 0; j < u[0].length; j++) {
                    double v = u[r][j];
                    double sigmoid = 1 / (1 + Math.exp(-v));
                    switch (f) {
                        case "identity": c[r][j] = derivative ? 1 : v; break;
                        case "tanh": c[r][j] = derivative ? 1 / (Math.cosh(v) * Math.cosh(v)) : Math.tanh(v); break;
                        case "sigmoid": c[r][j] = derivative ? sigmoid * (1 - sigmoid) : sigmoid; break;
                        case "softplus": c[r][j] = derivative ? sigmoid : Math.log(1 + Math.exp(v)); break;
                        case "relu": c[r][j] = derivative ? (v > 0 ? 1 : 0) : Math.max(v, 0); break;
                        case "leaky_relu": c[r][j] = derivative ? (v > 0 ? 1 : 0.01) : (v > 0 ? v : 0.01 * v); break;
                        default: throw new AssertionError(f);
                    }
                }
            }
            return c;
        }
    }
}

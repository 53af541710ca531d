package dev.deltaprop.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltaprop.testing.Seeds;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Network;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real cross-check of the export: ONNX Runtime loads every model deltaprop writes, and its
 * outputs agree with {@code Predictor}'s to 1e-5 relative, for every activation in a hidden layer
 * and at the output, for one sample and for many (the batch dimension is dynamic).
 */
class OnnxRuntimeAgreementTest {
    private static final OrtEnvironment ENVIRONMENT = OrtEnvironment.getEnvironment();

    static Stream<Arguments> activations() {
        List<Arguments> cases = new ArrayList<>();
        for (Activation hidden : Activation.elementwiseValues()) {
            cases.add(Arguments.of(hidden, Activation.IDENTITY));
        }
        for (Activation output : Activation.values()) {
            cases.add(Arguments.of(Activation.TANH, output));
        }
        return cases.stream();
    }

    /** A 7-33-{hidden}-5-{output} network, weights drawn from {@code seed} with a spread that reaches every activation's bends. */
    static Network network(Activation hidden, Activation output, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] widths = {7, 33, 5};
        List<Layer> layers = new ArrayList<>();
        for (int l = 1; l < widths.length; l++) {
            float[] w = new float[widths[l - 1] * widths[l]];
            float[] b = new float[widths[l]];
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) random.nextDouble(-1, 1) / (float) Math.sqrt(widths[l - 1]) * 2;
            }
            for (int k = 0; k < b.length; k++) {
                b[k] = (float) random.nextDouble(-0.5, 0.5);
            }
            layers.add(new Layer(widths[l - 1], widths[l], l == widths.length - 1 ? output : hidden, w, b));
        }
        Loss loss = output == Activation.SOFTMAX || output == Activation.SIGMOID ? Loss.CROSS_ENTROPY : Loss.SQUARED_ERROR;
        return new Network(layers, loss);
    }

    @ParameterizedTest(name = "hidden {0}, output {1}")
    @MethodSource("activations")
    void onnxRuntimeAgreesWithPredictor(Activation hidden, Activation output) throws OrtException {
        long seed = Seeds.seed();
        String what = "hidden " + hidden + ", output " + output + " (seed " + seed + ")";
        Network network = network(hidden, output, seed);
        byte[] model = OnnxExport.toBytes(network, "test");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = ENVIRONMENT.createSession(model, options)) {
                assertEquals(List.of(OnnxExport.INPUT), new ArrayList<>(session.getInputNames()), what);
                assertEquals(List.of(OnnxExport.OUTPUT), new ArrayList<>(session.getOutputNames()), what);
                SplittableRandom random = new SplittableRandom(seed + 1);
                for (int batch : new int[] {1, 7, 64}) {
                    float[] x = new float[batch * network.inputs()];
                    for (int k = 0; k < x.length; k++) {
                        x[k] = (float) random.nextDouble(-2, 2);
                    }
                    float[] expected = Outputs.predict(network, x, batch);
                    float[] actual = run(session, x, batch, network.inputs(), network.outputs());
                    Outputs.assertClose(expected, actual, 1e-5, what + ", batch " + batch);
                }
            }
        }
    }

    /** {@code y} from ONNX Runtime for {@code batch} samples, checking the output's shape {@code [batch, n_L]}. */
    static float[] run(OrtSession session, float[] x, int batch, int inputs, int outputs) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(ENVIRONMENT, FloatBuffer.wrap(x), new long[] {batch, inputs});
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, tensor))) {
            OnnxTensor y = (OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow();
            assertArrayEquals(new long[] {batch, outputs}, y.getInfo().getShape());
            FloatBuffer values = y.getFloatBuffer();
            float[] copy = new float[values.remaining()];
            values.get(copy);
            return copy;
        }
    }
}

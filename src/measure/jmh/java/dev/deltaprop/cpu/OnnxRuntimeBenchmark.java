package dev.deltaprop.cpu;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.deltaprop.io.onnx.OnnxExport;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Embedded inference against the runtime a Java application would otherwise use: the same
 * network through {@link Predictor} and through ONNX Runtime's {@code OrtSession.run} on the model
 * {@link OnnxExport} wrote, for one sample and for 64, on the {@code tiny} (32-64-64-1, tanh) and
 * {@code mnist} (784-512-512-10, relu) shapes of {@code bench}. Both run on the calling thread
 * (ONNX Runtime with one intra-op thread, as Predictor), both warmed up; ONNX Runtime reuses one
 * input tensor, and each call copies its output into the caller's array, as Predictor writes
 * into it. Run with {@code -prof gc} for the bytes allocated per call (ONNX Runtime's native
 * allocations are not on the Java heap and so not counted there).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OnnxRuntimeBenchmark {

    @Param({"tiny", "mnist"})
    public String workload;

    @Param({"1", "64"})
    public int batch;

    private Predictor predictor;
    private float[] x;
    private float[] y;
    private OrtEnvironment environment;
    private OrtSession session;
    private OnnxTensor input;

    @Setup
    public void setUp() throws OrtException {
        Network network = workload.equals("tiny")
                ? Network.builder(32).layer(64, Activation.TANH).layer(64, Activation.TANH).layer(1, Activation.IDENTITY).build(1)
                : Network.builder(784).layer(512, Activation.RELU).layer(512, Activation.RELU).layer(10, Activation.IDENTITY).build(1);
        predictor = Predictor.of(network);
        SplittableRandom random = new SplittableRandom(7);
        x = new float[batch * network.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        y = new float[batch * network.outputs()];

        environment = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        session = environment.createSession(OnnxExport.toBytes(network, "jmh"), options);
        FloatBuffer direct = ByteBuffer.allocateDirect(x.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        direct.put(x).rewind();
        input = OnnxTensor.createTensor(environment, direct, new long[] {batch, network.inputs()});
    }

    @TearDown
    public void tearDown() throws OrtException {
        input.close();
        session.close();
    }

    /** {@code y = network(x)} on the calling thread, into the caller's array. */
    @Benchmark
    public float predictor() {
        predictor.predict(x, y, batch);
        return y[0];
    }

    /** The same through ONNX Runtime: run, then the output copied out. */
    @Benchmark
    public float onnxRuntime() throws OrtException {
        try (OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(y);
        }
        return y[0];
    }
}

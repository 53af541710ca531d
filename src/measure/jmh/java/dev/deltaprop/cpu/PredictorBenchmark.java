package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Embedded inference on the {@code tiny} workload (32-64-64-1, tanh, identity out): one sample
 * through {@link Predictor#predict(float[], float[])}. Sample mode gives the latency
 * distribution (its p0.50 is the median); run with {@code -prof gc} for bytes allocated per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class PredictorBenchmark {

    /** {@code vector}: the Vector API kernel; {@code scalar}: the fallback for JVMs without the module. */
    @Param({"vector", "scalar"})
    public String kernel;

    private Predictor predictor;
    private float[] x;
    private float[] y;

    @Setup
    public void setUp() {
        Network tiny = Network.builder(32).layer(64, Activation.TANH).layer(64, Activation.TANH)
                .layer(1, Activation.IDENTITY).build(1);
        predictor = Predictor.of(tiny, kernel.equals("vector") ? MicroKernels.vector() : new ScalarMicroKernel());
        SplittableRandom random = new SplittableRandom(7);
        x = new float[32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        y = new float[1];
    }

    /** Returns the output so that the computation cannot be removed. */
    @Benchmark
    public float predictOneSample() {
        predictor.predict(x, y);
        return y[0];
    }
}

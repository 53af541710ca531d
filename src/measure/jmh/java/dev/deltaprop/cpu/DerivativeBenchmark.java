package dev.deltaprop.cpu;

import dev.deltaprop.model.Activation;
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
 * {@code δ = s ⊙ f'} over {@code count} floats, three ways: {@code select} (the compare-and-select
 * loop {@code ActivationKernels.multiplyDerivative} ran before {@link Derivatives}), {@code scalar}
 * ({@link Derivatives#SCALAR}: relu's bit mask; tanh unchanged) and {@code vector}
 * ({@code VectorDerivatives}, what runs). {@code count} 512 is one row of {@code mnist}'s last
 * hidden layer (in L1), 131072 its whole 256×512 δ. {@code u} uniform in [−1, 1] (random signs, as a
 * fresh network's), {@code z = tanh u} (none saturated), {@code s} uniform in [−1, 1]. Average time
 * per call; divide by {@code count} for ns per element. {@code softplusBefore}/{@code softplusNow}
 * time softplus's {@code f'} the old way and through {@code ActivationKernels} (run them with
 * {@code -p activation=relu}: they do not read it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class DerivativeBenchmark {
    @Param({"relu", "tanh"})
    public String activation;

    @Param({"512", "131072"})
    public int count;

    private Activation f;
    private float[] s;
    private float[] u;
    private float[] z;
    private float[] delta;
    private Derivatives vector;

    @Setup
    public void setUp() {
        f = Activation.parse(activation);
        SplittableRandom random = new SplittableRandom(5);
        s = new float[count];
        u = new float[count];
        z = new float[count];
        delta = new float[count];
        for (int i = 0; i < count; i++) {
            s[i] = (float) (random.nextDouble() * 2 - 1);
            u[i] = (float) (random.nextDouble() * 2 - 1);
            z[i] = (float) Math.tanh(u[i]);
        }
        vector = Derivatives.vector();
    }

    @Benchmark
    public float[] select() {
        if (f == Activation.RELU) {
            for (int k = 0; k < count; k++) {
                delta[k] = u[k] > 0f ? s[k] : 0f;
            }
        } else {
            for (int k = 0; k < count; k++) {
                float zk = z[k];
                float derivative = Math.abs(zk) <= ActivationKernels.SATURATION ? 1f - zk * zk
                        : ActivationKernels.tanhDerivative(u[k]);
                delta[k] = s[k] * derivative;
            }
        }
        return delta;
    }

    @Benchmark
    public float[] scalar() {
        run(Derivatives.SCALAR);
        return delta;
    }

    @Benchmark
    public float[] vector() {
        run(vector);
        return delta;
    }

    /** Softplus's {@code f'} as it was: the scalar sigmoid per element (ignores {@code activation}). */
    @Benchmark
    public float[] softplusBefore() {
        for (int k = 0; k < count; k++) {
            delta[k] = s[k] * FloatTranscendentals.sigmoid(u[k]);
        }
        return delta;
    }

    /** Softplus's {@code f'} as it runs: σ in vector lanes, then the products (ignores {@code activation}). */
    @Benchmark
    public float[] softplusNow() {
        ActivationKernels.multiplyDerivative(Activation.SOFTPLUS, s, 0, u, z, 0, delta, 0, count);
        return delta;
    }

    private void run(Derivatives d) {
        if (f == Activation.RELU) {
            d.relu(s, 0, u, 0, delta, 0, count);
        } else {
            d.tanh(s, 0, u, z, 0, delta, 0, count);
        }
    }
}

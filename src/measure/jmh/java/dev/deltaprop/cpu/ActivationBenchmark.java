package dev.deltaprop.cpu;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * The epilogue activations over one run of {@code count} floats (in L1), four ways each:
 * {@code double} (the formula in double from {@code Math.exp}, rounded once: what the epilogue did
 * before), {@code scalar} ({@link Transcendentals#SCALAR}, the fallback without the module),
 * {@code vector} ({@code VectorTranscendentals}, what runs) and {@code lanewise}
 * ({@code FloatVector.lanewise(TANH / EXP)}, the JDK's intrinsic, the alternative that was
 * measured against it). Inputs: tanh and sigmoid uniform in [−5, 5], exp in [−20, 0] (softmax's
 * {@code u − max}). Average time per call; divide by {@code count} for ns per element.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ActivationBenchmark {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Param({"4096"})
    public int count;

    private float[] symmetric;
    private float[] negative;
    private float[] out;
    private Transcendentals vector;

    @Setup
    public void setUp() {
        if (count % SPECIES.length() != 0) {
            throw new IllegalArgumentException("count: expected a multiple of " + SPECIES.length() + ", found " + count);
        }
        SplittableRandom random = new SplittableRandom(11);
        symmetric = new float[count];
        negative = new float[count];
        for (int i = 0; i < count; i++) {
            symmetric[i] = (float) (random.nextDouble() * 10 - 5);
            negative[i] = (float) (-random.nextDouble() * 20);
        }
        out = new float[count];
        vector = Transcendentals.vector();
    }

    @Benchmark
    public float[] tanhDouble() {
        for (int k = 0; k < count; k++) {
            out[k] = (float) (1.0 - 2.0 / (Math.exp(2.0 * symmetric[k]) + 1.0));
        }
        return out;
    }

    @Benchmark
    public float[] tanhScalar() {
        Transcendentals.SCALAR.tanh(symmetric, 0, out, 0, count);
        return out;
    }

    @Benchmark
    public float[] tanhVector() {
        vector.tanh(symmetric, 0, out, 0, count);
        return out;
    }

    @Benchmark
    public float[] tanhLanewise() {
        for (int k = 0; k < count; k += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, symmetric, k).lanewise(VectorOperators.TANH).intoArray(out, k);
        }
        return out;
    }

    @Benchmark
    public float[] sigmoidDouble() {
        for (int k = 0; k < count; k++) {
            out[k] = (float) (1.0 / (1.0 + Math.exp(-(double) symmetric[k])));
        }
        return out;
    }

    @Benchmark
    public float[] sigmoidVector() {
        vector.sigmoid(symmetric, 0, out, 0, count);
        return out;
    }

    @Benchmark
    public float[] sigmoidLanewise() {
        for (int k = 0; k < count; k += SPECIES.length()) {
            FloatVector e = FloatVector.fromArray(SPECIES, symmetric, k).neg().lanewise(VectorOperators.EXP);
            FloatVector.broadcast(SPECIES, 1f).div(e.add(1f)).intoArray(out, k);
        }
        return out;
    }

    @Benchmark
    public float[] expDouble() {
        for (int k = 0; k < count; k++) {
            out[k] = (float) Math.exp(negative[k]);
        }
        return out;
    }

    @Benchmark
    public float[] expVector() {
        vector.expShifted(negative, 0, 0f, out, 0, count);
        return out;
    }

    @Benchmark
    public float[] expLanewise() {
        for (int k = 0; k < count; k += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, negative, k).lanewise(VectorOperators.EXP).intoArray(out, k);
        }
        return out;
    }
}

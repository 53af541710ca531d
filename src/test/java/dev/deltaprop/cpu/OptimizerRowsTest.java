package dev.deltaprop.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.model.Optimizer;
import dev.deltaprop.testing.Compare;
import dev.deltaprop.testing.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The update epilogue's optimizer rows ({@link OptimizerStep#weights}, on the Vector API where it
 * loads) give bitwise the values of the scalar rule ({@link OptimizerStep#scalarWeights}) for every
 * optimizer, with and without weight decay, at odd row lengths and offsets (so vector bodies and
 * scalar tails fall at different columns), over several steps of state.
 */
class OptimizerRowsTest {
    private static final long SEED = Seeds.seed();

    static {
        System.out.println("OptimizerRowsTest seed " + SEED + " (rerun with DELTAPROP_TEST_SEED=" + SEED + ")");
    }

    @ParameterizedTest
    @EnumSource(Optimizer.Kind.class)
    void vectorRowsEqualTheScalarRule(Optimizer.Kind kind) {
        assertTrue(OptimizerStep.vectorised(), "the tests run with jdk.incubator.vector (pom.xml's argLine): the vector rows load");
        SplittableRandom random = new SplittableRandom(SEED + kind.ordinal());
        for (float decay : new float[] {0f, 0.01f}) {
            Optimizer optimizer = Optimizer.builder(kind).weightDecay(decay).build();
            for (int count : new int[] {1, 7, 33, 257, 1031}) {
                int offset = 3;
                int length = offset + count + 5;
                float[] w = Compare.uniform(random, length, 1.0);
                float[] first = Compare.uniform(random, length, 0.1);
                float[] second = new float[length];
                for (int i = 0; i < length; i++) {
                    second[i] = (float) random.nextDouble(0, 0.01);
                }
                float[] w2 = w.clone();
                float[] first2 = first.clone();
                float[] second2 = second.clone();
                OptimizerStep rule = new OptimizerStep();
                for (long t = 1; t <= 3; t++) {
                    rule.set(optimizer, t, 0.01f, 32);
                    float[] sums = Compare.uniform(random, count + 11, 4.0);
                    rule.weights(w, first, second, offset, sums, 11, count);
                    rule.scalarWeights(w2, first2, second2, offset, sums, 11, count);
                }
                String what = kind + " λ=" + decay + " count " + count + ", seed " + SEED;
                assertArrayEquals(w2, w, what + ": weights");
                assertArrayEquals(first2, first, what + ": first moment");
                assertArrayEquals(second2, second, what + ": second moment");
            }
        }
    }
}

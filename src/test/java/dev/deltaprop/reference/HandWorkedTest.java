package dev.deltaprop.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A 2-2-1 network (sigmoid hidden layer, identity output) and one per-sample step, worked by hand
 * from the equations of DESIGN §1. Every number below was computed on paper-and-calculator from
 * the starting weights, not by running deltaprop.
 */
class HandWorkedTest {

    @Test
    void oneSampleStepGivesTheHandWorkedWeights() {
        // start: w^1_ij (row i = input, column j = hidden unit), w^1_0j, w^2_j1, w^2_01
        Layer hidden = new Layer(2, 2, Activation.SIGMOID, new float[] {0.5f, -0.25f, 0.75f, 0.125f},
                new float[] {0.125f, -0.25f});
        Layer output = new Layer(2, 1, Activation.IDENTITY, new float[] {0.5f, -1.0f}, new float[] {0.25f});
        float[] x = {1.0f, 0.5f};
        float[] d = {0.25f};
        float eta = 0.5f;

        // u^1_1 = 0.125 + 0.5·1 + 0.75·0.5 = 1.0          z^1_1 = σ(1.0)     = 0.7310585786300049
        // u^1_2 = −0.25 − 0.25·1 + 0.125·0.5 = −0.4375     z^1_2 = σ(−0.4375) = 0.39233683016710835
        // y = u^2_1 = 0.25 + 0.5·z^1_1 − 1.0·z^1_2 = 0.2231924591478941
        // E = ½ (y − d)² = 0.0003593221232686635
        // δ^2_1 = y − d = −0.026807540852105904                       (identity: f' = 1)
        // δ^1_1 = z^1_1 (1 − z^1_1) · w^2_11 · δ^2_1 = −0.0026353412161912717
        // δ^1_2 = z^1_2 (1 − z^1_2) · w^2_21 · δ^2_1 =  0.006391149406198156
        ReferenceBackend backend = new ReferenceBackend();
        backend.load(new Network(List.of(hidden, output)));
        float loss = backend.step(x, d, 1, eta);
        assertEquals((float) 0.0003593221232686635, loss, Math.ulp(0.00035932212f));

        Network after = backend.network();
        // w^2_j1 ← w^2_j1 − η δ^2_1 z^1_j ;  w^2_01 ← w^2_01 − η δ^2_1
        assertWeight(0.5097989413559532, after.layer(1).weight(0, 0), "w^2_11");
        assertWeight(-0.9947412071987548, after.layer(1).weight(1, 0), "w^2_21");
        assertWeight(0.26340377042605295, after.layer(1).bias(0), "w^2_01");
        // w^1_ij ← w^1_ij − η δ^1_j x_i ;  w^1_0j ← w^1_0j − η δ^1_j
        assertWeight(0.5013176706080956, after.layer(0).weight(0, 0), "w^1_11");
        assertWeight(-0.25319557470309906, after.layer(0).weight(0, 1), "w^1_12");
        assertWeight(0.7506588353040479, after.layer(0).weight(1, 0), "w^1_21");
        assertWeight(0.12340221264845046, after.layer(0).weight(1, 1), "w^1_22");
        assertWeight(0.12631767060809562, after.layer(0).bias(0), "w^1_01");
        assertWeight(-0.25319557470309906, after.layer(0).bias(1), "w^1_02");

        // the gradients the backend exposes are the ones above: ∂E/∂w^2_j1 = δ^2_1 z^1_j
        assertEquals(-0.026807540852105904 * 0.7310585786300049, backend.weightGradient(1)[0], 1e-16);
        assertEquals(-0.0026353412161912717, backend.biasGradient(0)[0], 1e-16);
    }

    /** The weights are float32: the hand value rounded to float, within one float ulp. */
    private static void assertWeight(double hand, float actual, String name) {
        float expected = (float) hand;
        assertEquals(expected, actual, Math.ulp(expected), name);
    }
}

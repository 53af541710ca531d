package dev.deltaprop.spark;

import dev.deltaprop.model.Layer;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.OptimizerState;

import java.util.ArrayList;
import java.util.List;

/**
 * Flat views of a network's parameters (per layer {@code w^l} row-major, then {@code b^l}) and of
 * an optimizer's state (per layer, per slot, the weights' then the bias' state), as they travel
 * between the driver and the tasks.
 */
final class Parameters {
    private Parameters() {
    }

    static int length(Network network) {
        return (int) network.parameterCount();
    }

    static float[] flatten(Network network) {
        float[] flat = new float[length(network)];
        int at = 0;
        for (Layer layer : network.layers()) {
            float[] w = layer.weights();
            float[] b = layer.bias();
            System.arraycopy(w, 0, flat, at, w.length);
            at += w.length;
            System.arraycopy(b, 0, flat, at, b.length);
            at += b.length;
        }
        return flat;
    }

    /** {@code shape} with the parameters of {@code flat} from {@code offset}. */
    static Network unflatten(Network shape, float[] flat, int offset) {
        List<Layer> layers = new ArrayList<>();
        int at = offset;
        for (Layer layer : shape.layers()) {
            float[] w = new float[layer.inputs() * layer.outputs()];
            float[] b = new float[layer.outputs()];
            System.arraycopy(flat, at, w, 0, w.length);
            at += w.length;
            System.arraycopy(flat, at, b, 0, b.length);
            at += b.length;
            layers.add(layer.withParameters(w, b));
        }
        return shape.withLayers(layers);
    }

    static float[] flatten(OptimizerState state) {
        int length = 0;
        for (int l = 0; l < state.depth(); l++) {
            for (int slot = 0; slot < state.kind().slots(); slot++) {
                length += state.weights(l, slot).length + state.bias(l, slot).length;
            }
        }
        float[] flat = new float[length];
        int at = 0;
        for (int l = 0; l < state.depth(); l++) {
            for (int slot = 0; slot < state.kind().slots(); slot++) {
                for (float[] part : new float[][] {state.weights(l, slot), state.bias(l, slot)}) {
                    System.arraycopy(part, 0, flat, at, part.length);
                    at += part.length;
                }
            }
        }
        return flat;
    }

    /** {@code shape}'s layout with the slots of {@code flat} from {@code offset}, and {@code t = steps}. */
    static OptimizerState unflatten(OptimizerState shape, long steps, float[] flat, int offset) {
        int slots = shape.kind().slots();
        float[][][] w = new float[shape.depth()][slots][];
        float[][][] b = new float[shape.depth()][slots][];
        int at = offset;
        for (int l = 0; l < shape.depth(); l++) {
            for (int slot = 0; slot < slots; slot++) {
                w[l][slot] = new float[shape.weights(l, slot).length];
                System.arraycopy(flat, at, w[l][slot], 0, w[l][slot].length);
                at += w[l][slot].length;
                b[l][slot] = new float[shape.bias(l, slot).length];
                System.arraycopy(flat, at, b[l][slot], 0, b[l][slot].length);
                at += b[l][slot].length;
            }
        }
        return new OptimizerState(shape.kind(), steps, w, b);
    }

    /** {@code a ++ b}. */
    static float[] concat(float[] a, float[] b) {
        float[] joined = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}

package dev.deltaprop.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Derivatives} lane by lane on the Vector API: each lane's float is bitwise the scalar one
 * (the same comparison as a mask, a blend in place of the select, the same IEEE products), and
 * the tail of a run goes through {@link Derivatives#SCALAR}.
 *
 * <p>Relu and leaky relu are a compare and a blend per vector. Tanh and sigmoid take {@code f'}
 * from {@code z} in the lanes' arithmetic; a vector with any saturated lane (or a NaN {@code z})
 * runs its elements through the scalar form instead, whose exact {@code f'} from {@code u} costs a
 * {@code Math.exp} each, as it does on the scalar path. As in {@code VectorTranscendentals}, no
 * method passes or returns a vector and the constants are broadcast before the loop, so nothing is
 * boxed where C2 does not inline; the lanes of tanh and sigmoid are a method of their own that
 * returns at a saturated vector, so that no vector is live across the scalar call for it.
 */
final class VectorDerivatives implements Derivatives {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    @Override
    public void relu(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset, int count) {
        int whole = count - count % L;
        if (whole > 0) {
            reluLanes(s, sOffset, u, offset, delta, dOffset, whole);
        }
        SCALAR.relu(s, sOffset + whole, u, offset + whole, delta, dOffset + whole, count - whole);
    }

    /** The first {@code whole} elements, a positive multiple of {@code L}: no branch on the run. */
    private static void reluLanes(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset, int whole) {
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int k = 0; k < whole; k += L) {
            VectorMask<Float> positive = FloatVector.fromArray(SPECIES, u, offset + k).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(SPECIES, s, sOffset + k), positive).intoArray(delta, dOffset + k);
        }
    }

    @Override
    public void leakyRelu(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset, int count) {
        int whole = count - count % L;
        if (whole > 0) {
            leakyReluLanes(s, sOffset, u, offset, delta, dOffset, whole);
        }
        SCALAR.leakyRelu(s, sOffset + whole, u, offset + whole, delta, dOffset + whole, count - whole);
    }

    /** The first {@code whole} elements, a positive multiple of {@code L}: no branch on the run. */
    private static void leakyReluLanes(float[] s, int sOffset, float[] u, int offset, float[] delta, int dOffset,
                                       int whole) {
        FloatVector slope = FloatVector.broadcast(SPECIES, LEAKY_SLOPE);
        for (int k = 0; k < whole; k += L) {
            VectorMask<Float> positive = FloatVector.fromArray(SPECIES, u, offset + k).compare(VectorOperators.GT, 0f);
            FloatVector v = FloatVector.fromArray(SPECIES, s, sOffset + k);
            v.mul(slope).blend(v, positive).intoArray(delta, dOffset + k);
        }
    }

    @Override
    public void tanh(float[] s, int sOffset, float[] u, float[] z, int offset, float[] delta, int dOffset, int count) {
        int k = 0;
        while (k + L <= count) {
            k = tanhLanes(s, sOffset, z, offset, delta, dOffset, k, count);
            if (k + L > count) {
                break;
            }
            SCALAR.tanh(s, sOffset + k, u, z, offset + k, delta, dOffset + k, L); // a saturated lane: f' from u
            k += L;
        }
        SCALAR.tanh(s, sOffset + k, u, z, offset + k, delta, dOffset + k, count - k);
    }

    /**
     * The whole vectors from {@code k} on, up to the first with a saturated lane (or a NaN {@code z}):
     * returns its index, or the end of the whole vectors. The scalar call for that vector is the
     * caller's, so that no vector is live across a call.
     */
    private static int tanhLanes(float[] s, int sOffset, float[] z, int offset, float[] delta, int dOffset, int k,
                                 int count) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector saturation = FloatVector.broadcast(SPECIES, ActivationKernels.SATURATION);
        for (; k + L <= count; k += L) {
            FloatVector zv = FloatVector.fromArray(SPECIES, z, offset + k);
            if (!zv.abs().compare(VectorOperators.LE, saturation).allTrue()) {
                return k;
            }
            FloatVector.fromArray(SPECIES, s, sOffset + k).mul(one.sub(zv.mul(zv))).intoArray(delta, dOffset + k);
        }
        return k;
    }

    @Override
    public void sigmoid(float[] s, int sOffset, float[] u, float[] z, int offset, float[] delta, int dOffset, int count) {
        int k = 0;
        while (k + L <= count) {
            k = sigmoidLanes(s, sOffset, z, offset, delta, dOffset, k, count);
            if (k + L > count) {
                break;
            }
            SCALAR.sigmoid(s, sOffset + k, u, z, offset + k, delta, dOffset + k, L); // a saturated lane: f' from u
            k += L;
        }
        SCALAR.sigmoid(s, sOffset + k, u, z, offset + k, delta, dOffset + k, count - k);
    }

    /**
     * The whole vectors from {@code k} on, up to the first with a saturated lane (or a NaN {@code z}):
     * returns its index, or the end of the whole vectors. The scalar call for that vector is the
     * caller's, so that no vector is live across a call.
     */
    private static int sigmoidLanes(float[] s, int sOffset, float[] z, int offset, float[] delta, int dOffset, int k,
                                    int count) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector saturation = FloatVector.broadcast(SPECIES, ActivationKernels.SATURATION);
        for (; k + L <= count; k += L) {
            FloatVector zv = FloatVector.fromArray(SPECIES, z, offset + k);
            if (!zv.compare(VectorOperators.LE, saturation).allTrue()) {
                return k;
            }
            FloatVector.fromArray(SPECIES, s, sOffset + k).mul(zv.mul(one.sub(zv))).intoArray(delta, dOffset + k);
        }
        return k;
    }
}

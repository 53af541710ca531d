package dev.deltaprop.cpu;

import static dev.deltaprop.cpu.FloatTranscendentals.E2;
import static dev.deltaprop.cpu.FloatTranscendentals.E3;
import static dev.deltaprop.cpu.FloatTranscendentals.E4;
import static dev.deltaprop.cpu.FloatTranscendentals.E5;
import static dev.deltaprop.cpu.FloatTranscendentals.E6;
import static dev.deltaprop.cpu.FloatTranscendentals.E7;
import static dev.deltaprop.cpu.FloatTranscendentals.EXP_MAX;
import static dev.deltaprop.cpu.FloatTranscendentals.EXP_MIN;
import static dev.deltaprop.cpu.FloatTranscendentals.LN2_HI;
import static dev.deltaprop.cpu.FloatTranscendentals.LN2_LO;
import static dev.deltaprop.cpu.FloatTranscendentals.LOG2E;
import static dev.deltaprop.cpu.FloatTranscendentals.ROUNDER;
import static dev.deltaprop.cpu.FloatTranscendentals.ROUNDER_BITS;
import static dev.deltaprop.cpu.FloatTranscendentals.T0;
import static dev.deltaprop.cpu.FloatTranscendentals.T1;
import static dev.deltaprop.cpu.FloatTranscendentals.T2;
import static dev.deltaprop.cpu.FloatTranscendentals.T3;
import static dev.deltaprop.cpu.FloatTranscendentals.T4;
import static dev.deltaprop.cpu.FloatTranscendentals.TANH_SMALL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatTranscendentals}' formulas lane by lane on the Vector API: the same operations in
 * the same order, so each lane's float is bitwise the scalar one; the tail of a run goes through
 * the scalar methods. Both branches of tanh and sigmoid are computed and blended by a mask.
 *
 * <p>No method here passes or returns a vector, and every constant is broadcast before its loop:
 * a helper {@code exp(FloatVector)} was compiled as a real call wherever C2 judged its call site
 * cold (a {@link Predictor} warm-up on narrow layers did that), and each call then boxed its
 * vectors, 36 KiB per step of CpuBackendTest's allocation check. So the exp steps
 * ({@link FloatTranscendentals#exp}) are written out in each loop.
 *
 * <p>A run shorter than one vector goes to the scalar loops before any constant is broadcast.
 * Softmax over 10 outputs calls {@link #expShifted} once a sample with no whole vector: the ten
 * broadcasts were then the method's only vector work, and until C2 compiles a method its
 * broadcasts are real objects. A method without a loop iteration is compiled late on a loaded
 * machine (it sat in C1 for over 1,000 steps of CpuBackendTest's check, 96 bytes a broadcast, 30 KiB
 * a step: the 3,072,000 bytes per 100 steps of issue 14's flaky failure).
 *
 * <p>No method with vector code has a branch that depends on the shape of the run: each
 * {@code *Lanes} method takes whole vectors only, at least one (its loop test goes both ways in
 * every call), and the public method around it, which holds no vector, decides whether there is a
 * whole vector and does the tail. C2 compiles a branch that its profile has never seen taken as an
 * uncommon trap, and the cpu backend and every {@link Predictor} share these methods: when one
 * caller's shape first took a branch the others had not (a run shorter than a vector, a tail), the
 * compiled tanh was thrown away ({@code unstable_if}, action {@code reinterpret}, JFR
 * {@code jdk.Deoptimization} at the old {@code count < L} test) and every caller ran the Vector API's
 * boxed fallback until C2 compiled it again: a warm predictor went from 0 to 3.9 MB a call
 * ({@code PollutedHistoryTest}). A trap in the vector-free wrapper costs only an interpreted branch,
 * as long as the lanes are not inlined into it: each {@code *Lanes} method is over C2's
 * {@code FreqInlineSize} (325 bytecodes; tanh 515, sigmoid 384, exp 343), so C2 compiles it as a
 * method of its own ({@code -XX:+PrintInlining}: {@code tanhLanes (515 bytes) hot method too big}).
 * Keep them so: a lanes method small enough to be inlined would die with its caller's trap.
 *
 * <p>Kept over {@code FloatVector.lanewise(VectorOperators.TANH / EXP)}, which the JMH
 * {@code ActivationBenchmark} times beside it: see docs/perf-cpu.md for the measured reason.
 */
final class VectorTranscendentals implements Transcendentals {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final int SIGN = 0x80000000;

    @Override
    public void expShifted(float[] x, int xOffset, float shift, float[] y, int yOffset, int count) {
        int whole = count - count % L;
        if (whole > 0) { // no whole vector: none made (class comment)
            expShiftedLanes(x, xOffset, shift, y, yOffset, whole);
        }
        for (int k = whole; k < count; k++) {
            y[yOffset + k] = FloatTranscendentals.exp(x[xOffset + k] - shift);
        }
    }

    /** {@link #expShifted} over {@code whole} values, a multiple of {@code L}, at least one vector (class comment). */
    private static void expShiftedLanes(float[] x, int xOffset, float shift, float[] y, int yOffset, int whole) {
        FloatVector expMin = FloatVector.broadcast(SPECIES, EXP_MIN);
        FloatVector expMax = FloatVector.broadcast(SPECIES, EXP_MAX);
        FloatVector log2e = FloatVector.broadcast(SPECIES, LOG2E);
        FloatVector rounder = FloatVector.broadcast(SPECIES, ROUNDER);
        FloatVector ln2Hi = FloatVector.broadcast(SPECIES, LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(SPECIES, LN2_LO);
        FloatVector e2 = FloatVector.broadcast(SPECIES, E2);
        FloatVector e3 = FloatVector.broadcast(SPECIES, E3);
        FloatVector e4 = FloatVector.broadcast(SPECIES, E4);
        FloatVector e5 = FloatVector.broadcast(SPECIES, E5);
        for (int k = 0; k < whole; k += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + k).sub(shift);
            FloatVector clamped = v.max(expMin).min(expMax);
            FloatVector rounded = clamped.mul(log2e).add(rounder);
            FloatVector minusN = rounder.sub(rounded);
            IntVector n = rounded.reinterpretAsInts().sub(ROUNDER_BITS);
            FloatVector r = minusN.fma(ln2Hi, clamped);
            r = minusN.fma(ln2Lo, r);
            FloatVector q = r.fma(E7, E6).fma(r, e5).fma(r, e4).fma(r, e3).fma(r, e2);
            IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = n.sub(n1);
            FloatVector e = r.mul(r).fma(q, r).add(1f)
                    .mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoArray(y, yOffset + k);
        }
    }

    @Override
    public void tanh(float[] x, int xOffset, float[] y, int yOffset, int count) {
        int whole = count - count % L;
        if (whole > 0) { // no whole vector: none made (class comment)
            tanhLanes(x, xOffset, y, yOffset, whole);
        }
        for (int k = whole; k < count; k++) {
            y[yOffset + k] = FloatTranscendentals.tanh(x[xOffset + k]);
        }
    }

    /** {@link #tanh} over {@code whole} values, a multiple of {@code L}, at least one vector (class comment). */
    private static void tanhLanes(float[] x, int xOffset, float[] y, int yOffset, int whole) {
        FloatVector expMin = FloatVector.broadcast(SPECIES, EXP_MIN);
        FloatVector expMax = FloatVector.broadcast(SPECIES, EXP_MAX);
        FloatVector log2e = FloatVector.broadcast(SPECIES, LOG2E);
        FloatVector rounder = FloatVector.broadcast(SPECIES, ROUNDER);
        FloatVector ln2Hi = FloatVector.broadcast(SPECIES, LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(SPECIES, LN2_LO);
        FloatVector e2 = FloatVector.broadcast(SPECIES, E2);
        FloatVector e3 = FloatVector.broadcast(SPECIES, E3);
        FloatVector e4 = FloatVector.broadcast(SPECIES, E4);
        FloatVector e5 = FloatVector.broadcast(SPECIES, E5);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector two = FloatVector.broadcast(SPECIES, 2f);
        FloatVector t0 = FloatVector.broadcast(SPECIES, T0);
        FloatVector t1 = FloatVector.broadcast(SPECIES, T1);
        FloatVector t2 = FloatVector.broadcast(SPECIES, T2);
        for (int k = 0; k < whole; k += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + k);
            FloatVector a = v.abs();
            FloatVector a2 = a.mul(a);
            FloatVector p = a2.fma(T4, T3).fma(a2, t2).fma(a2, t1).fma(a2, t0);
            FloatVector small = a.mul(a2).fma(p, a);
            FloatVector twice = a.mul(2f);
            FloatVector clamped = twice.max(expMin).min(expMax);
            FloatVector rounded = clamped.mul(log2e).add(rounder);
            FloatVector minusN = rounder.sub(rounded);
            IntVector n = rounded.reinterpretAsInts().sub(ROUNDER_BITS);
            FloatVector r = minusN.fma(ln2Hi, clamped);
            r = minusN.fma(ln2Lo, r);
            FloatVector q = r.fma(E7, E6).fma(r, e5).fma(r, e4).fma(r, e3).fma(r, e2);
            IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = n.sub(n1);
            FloatVector e = r.mul(r).fma(q, r).add(1f)
                    .mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector large = one.sub(two.div(e.add(1f)));
            FloatVector t = large.blend(small, a.lt(TANH_SMALL));
            IntVector sign = v.reinterpretAsInts().and(SIGN);
            t.reinterpretAsInts().or(sign).reinterpretAsFloats().intoArray(y, yOffset + k);
        }
    }

    @Override
    public void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int count) {
        int whole = count - count % L;
        if (whole > 0) { // no whole vector: none made (class comment)
            sigmoidLanes(x, xOffset, y, yOffset, whole);
        }
        for (int k = whole; k < count; k++) {
            y[yOffset + k] = FloatTranscendentals.sigmoid(x[xOffset + k]);
        }
    }

    /** {@link #sigmoid} over {@code whole} values, a multiple of {@code L}, at least one vector (class comment). */
    private static void sigmoidLanes(float[] x, int xOffset, float[] y, int yOffset, int whole) {
        FloatVector expMin = FloatVector.broadcast(SPECIES, EXP_MIN);
        FloatVector expMax = FloatVector.broadcast(SPECIES, EXP_MAX);
        FloatVector log2e = FloatVector.broadcast(SPECIES, LOG2E);
        FloatVector rounder = FloatVector.broadcast(SPECIES, ROUNDER);
        FloatVector ln2Hi = FloatVector.broadcast(SPECIES, LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(SPECIES, LN2_LO);
        FloatVector e2 = FloatVector.broadcast(SPECIES, E2);
        FloatVector e3 = FloatVector.broadcast(SPECIES, E3);
        FloatVector e4 = FloatVector.broadcast(SPECIES, E4);
        FloatVector e5 = FloatVector.broadcast(SPECIES, E5);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (int k = 0; k < whole; k += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + k);
            FloatVector minusA = v.abs().neg();
            FloatVector clamped = minusA.max(expMin).min(expMax);
            FloatVector rounded = clamped.mul(log2e).add(rounder);
            FloatVector minusN = rounder.sub(rounded);
            IntVector n = rounded.reinterpretAsInts().sub(ROUNDER_BITS);
            FloatVector r = minusN.fma(ln2Hi, clamped);
            r = minusN.fma(ln2Lo, r);
            FloatVector q = r.fma(E7, E6).fma(r, e5).fma(r, e4).fma(r, e3).fma(r, e2);
            IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = n.sub(n1);
            FloatVector e = r.mul(r).fma(q, r).add(1f)
                    .mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            VectorMask<Float> nonNegative = v.compare(VectorOperators.GE, 0f);
            e.blend(one, nonNegative).div(e.add(1f)).intoArray(y, yOffset + k);
        }
    }
}

package dev.deltaprop.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PanelSums} on the Vector API: {@code L} columns at a time, each lane the scalar TwoSum of
 * its column in the same order (plain float adds and subtracts: the same bits), the columns past
 * the last whole vector through {@link PanelSums#SCALAR}. Float lanes only: no conversion to
 * double lanes, which on JDK 17 makes other Vector API kernels box (docs/perf.md). As in
 * {@code VectorDerivatives}, no method passes or returns a vector.
 */
final class VectorPanelSums implements PanelSums {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    @Override
    public void sum(float[] delta, int from, int n, int rows, int cols, float[] s, float[] c, int at) {
        int whole = cols - cols % L;
        for (int j = 0; j < whole; j += L) {
            FloatVector sum = FloatVector.zero(SPECIES);
            FloatVector lost = FloatVector.zero(SPECIES);
            for (int r = 0, row = from + j; r < rows; r++, row += n) {
                FloatVector x = FloatVector.fromArray(SPECIES, delta, row);
                FloatVector t = sum.add(x);
                FloatVector b = t.sub(sum);
                lost = lost.add(sum.sub(t.sub(b)).add(x.sub(b)));
                sum = t;
            }
            sum.intoArray(s, at + j);
            lost.intoArray(c, at + j);
        }
        if (whole < cols) {
            SCALAR.sum(delta, from + whole, n, rows, cols - whole, s, c, at + whole);
        }
    }
}

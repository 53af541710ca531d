package dev.deltaprop.cpu;

/**
 * {@link FloatTranscendentals} over a run of values: {@code y[yOffset + k] = f(x[xOffset + k])},
 * {@code k < count}. Two implementations give bitwise the same floats: the scalar {@link #SCALAR},
 * and {@code VectorTranscendentals} on the Vector API (compiled against
 * {@code jdk.incubator.vector} in {@code src/main/vector}, loaded by name when the JVM has the
 * module, as {@link MicroKernels} does for the GEMM kernel). {@link #CHOSEN} is the vector one
 * where it can load; since results do not depend on the choice, it needs no setting.
 */
interface Transcendentals {

    /** {@code y = e^{x − shift}} (the difference rounded to float first, as softmax uses it). */
    void expShifted(float[] x, int xOffset, float shift, float[] y, int yOffset, int count);

    /** {@code y = tanh x}. */
    void tanh(float[] x, int xOffset, float[] y, int yOffset, int count);

    /** {@code y = 1 / (1 + e^{−x})}. */
    void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int count);

    /** The scalar loops, for JVMs without {@code jdk.incubator.vector}. */
    Transcendentals SCALAR = new Transcendentals() {
        @Override
        public void expShifted(float[] x, int xOffset, float shift, float[] y, int yOffset, int count) {
            for (int k = 0; k < count; k++) {
                y[yOffset + k] = FloatTranscendentals.exp(x[xOffset + k] - shift);
            }
        }

        @Override
        public void tanh(float[] x, int xOffset, float[] y, int yOffset, int count) {
            for (int k = 0; k < count; k++) {
                y[yOffset + k] = FloatTranscendentals.tanh(x[xOffset + k]);
            }
        }

        @Override
        public void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int count) {
            for (int k = 0; k < count; k++) {
                y[yOffset + k] = FloatTranscendentals.sigmoid(x[xOffset + k]);
            }
        }
    };

    /** The vector implementation where {@code jdk.incubator.vector} is loaded, else {@link #SCALAR}. */
    Transcendentals CHOSEN = MicroKernels.vectorAvailable() ? vector() : SCALAR;

    /** {@code VectorTranscendentals}, loaded by name, so that this interface links without the module. */
    static Transcendentals vector() {
        return MicroKernels.loadVector("dev.deltaprop.cpu.VectorTranscendentals", Transcendentals.class, "activations");
    }
}

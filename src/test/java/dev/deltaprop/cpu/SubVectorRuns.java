package dev.deltaprop.cpu;

import java.lang.management.ManagementFactory;

/**
 * The forked side of {@link SubVectorRunsAllocateNothingTest} (run with {@code -Xint}): the bytes
 * this thread allocates over 100 calls of each Vector API activation and derivative on a run
 * shorter than one vector, one line {@code name count bytes} each, then the same for one whole
 * vector (the control: interpreted vector code allocates). The first line names the
 * implementations and the vector length.
 */
public final class SubVectorRuns {
    private SubVectorRuns() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        Object species = Class.forName("jdk.incubator.vector.FloatVector").getField("SPECIES_PREFERRED").get(null);
        int lanes = (Integer) Class.forName("jdk.incubator.vector.VectorSpecies").getMethod("length").invoke(species);
        Transcendentals lanesOf = Transcendentals.CHOSEN;
        Derivatives derivatives = Derivatives.CHOSEN;
        System.out.println("implementations " + lanesOf.getClass().getSimpleName() + " "
                + derivatives.getClass().getSimpleName() + " lanes " + lanes);
        float[] x = new float[2 * lanes];
        float[] y = new float[2 * lanes];
        for (int k = 0; k < x.length; k++) {
            x[k] = 0.37f * k - 2.5f;
        }
        for (int count : new int[] {1, lanes - 1, lanes}) {
            measure("expShifted", count, () -> lanesOf.expShifted(x, 0, 0.5f, y, 0, count));
            measure("tanh", count, () -> lanesOf.tanh(x, 0, y, 0, count));
            measure("sigmoid", count, () -> lanesOf.sigmoid(x, 0, y, 0, count));
            measure("relu", count, () -> derivatives.relu(x, 0, x, 0, y, 0, count));
            measure("leakyRelu", count, () -> derivatives.leakyRelu(x, 0, x, 0, y, 0, count));
        }
    }

    private static void measure(String name, int count, Runnable call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        call.run(); // class loading and linking happen here, not in the window
        long before = threads.getThreadAllocatedBytes(id);
        for (int k = 0; k < 100; k++) {
            call.run();
        }
        long bytes = threads.getThreadAllocatedBytes(id) - before;
        System.out.println(name + " " + count + " " + bytes);
    }
}

package dev.deltaprop.backend;

/**
 * A data set held by a backend (see {@link Backend#upload}); on a device it lives in device
 * memory and batches are gathered there. Closing it frees that memory.
 */
public interface Dataset extends AutoCloseable {

    /** The number of samples. */
    int samples();

    /**
     * The order in which {@link Backend#step(Dataset, int, int, float)} takes samples: a
     * permutation of {@code 0 .. samples-1}. The initial order is the identity (file order).
     *
     * @throws IllegalArgumentException if {@code order} is not a permutation of that length
     */
    void order(int[] order);

    @Override
    void close();
}

package dev.deltaprop.spark;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How the samples of {@code P} partitions make the global batches of an epoch, known alike to
 * every task from the partitions' sizes {@code n_p} alone.
 *
 * <p>With {@code N = Σ_p n_p} samples and global batch {@code B}, an epoch has
 * {@code S = ⌈N / B⌉} steps. At step {@code s} partition {@code p} contributes the samples at
 * positions {@code [⌊s·n_p/S⌋, ⌊(s+1)·n_p/S⌋)} of its epoch order, so each partition's share of
 * every batch is in proportion to its size and no partition runs out before the others; the
 * global batch {@code B_s} is the sum of those shares (at most {@code B}, and {@code N} over the
 * epoch). The epoch order of a partition is a permutation of its own samples drawn from
 * {@code (seed, epoch, p)} alone, so a retried task or a resumed run draws the same one: samples
 * never move between partitions (repartition the data first if it is sorted, e.g. by label).
 */
final class GlobalBatches implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] counts;
    private final long total;
    private final int steps;

    /**
     * @param counts {@code n_p} for every partition, in partition order
     * @param batch  {@code B ≥ 1}
     */
    GlobalBatches(int[] counts, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batchSize: expected at least 1 sample, found " + batch);
        }
        this.counts = counts.clone();
        long n = 0;
        for (int count : counts) {
            n += count;
        }
        if (n < 1) {
            throw new IllegalArgumentException("dataset: expected at least 1 training row, found none");
        }
        this.total = n;
        this.steps = (int) ((n + batch - 1) / batch);
    }

    /** {@code S}, the steps of one epoch. */
    int steps() {
        return steps;
    }

    /** {@code N}, the samples of all partitions. */
    long samples() {
        return total;
    }

    /** {@code P}. */
    int partitions() {
        return counts.length;
    }

    /** {@code n_p}. */
    int count(int partition) {
        return counts[partition];
    }

    /** The first position of partition {@code p}'s share of step {@code s}, in its epoch order. */
    int start(int partition, int step) {
        return (int) ((long) step * counts[partition] / steps);
    }

    /** The size of partition {@code p}'s share of step {@code s} (may be 0). */
    int share(int partition, int step) {
        return start(partition, step + 1) - start(partition, step);
    }

    /** {@code B_s}, the global batch of step {@code s}: every partition's share added. */
    int batch(int step) {
        int sum = 0;
        for (int p = 0; p < counts.length; p++) {
            sum += share(p, step);
        }
        return sum;
    }

    /** Partition {@code p}'s epoch order: a permutation of {@code 0..n_p-1} drawn from {@code (seed, epoch, p)}. */
    static int[] order(int count, long seed, int epoch, int partition) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + partition);
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    @Override
    public String toString() {
        return "GlobalBatches" + Arrays.toString(counts) + " S=" + steps;
    }
}

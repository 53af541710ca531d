package dev.deltaprop.backend;

import java.util.Arrays;

/**
 * How a batch of {@code B} samples is cut into one shard per replica in proportion to positive
 * shares {@code s_r}: replica {@code r} gets {@code ⌊B s_r / S⌋} samples ({@code S = Σ s_r}), and the
 * samples left over go one each to the replicas with the largest remainders (ties to the lower
 * index), so the shards always add up to {@code B} and depend on nothing but {@code B} and the
 * shares. Shard {@code r} is the contiguous range that starts after shards {@code 0..r-1}. A
 * replica may get no sample (a batch smaller than the replica count); it still takes the step.
 */
final class BatchSplit {
    private BatchSplit() {
    }

    /**
     * The shares as given, checked: at least one, each finite and {@code > 0}.
     *
     * @throws IllegalArgumentException naming {@code shares[r]} and the expected value
     */
    static double[] check(double[] shares, int replicas) {
        if (shares == null) {
            throw new IllegalArgumentException("shares: expected one positive number per replica, found null");
        }
        if (shares.length != replicas) {
            throw new IllegalArgumentException("shares: expected " + replicas + " (one per replica), found " + shares.length);
        }
        for (int r = 0; r < shares.length; r++) {
            if (!(shares[r] > 0) || Double.isInfinite(shares[r])) {
                throw new IllegalArgumentException("shares[" + r + "]: expected a finite number > 0, found " + shares[r]);
            }
        }
        return shares.clone();
    }

    /** The shard sizes of a batch of {@code batch ≥ 1} samples; they add up to {@code batch}. */
    static int[] sizes(int batch, double[] shares) {
        double total = 0;
        for (double share : shares) {
            total += share;
        }
        int[] sizes = new int[shares.length];
        double[] remainders = new double[shares.length];
        int given = 0;
        for (int r = 0; r < shares.length; r++) {
            double exact = batch * (shares[r] / total);
            sizes[r] = (int) Math.min(batch, Math.floor(exact));
            remainders[r] = exact - sizes[r];
            given += sizes[r];
        }
        boolean[] topped = new boolean[shares.length];
        while (given < batch) {
            int best = -1;
            for (int r = 0; r < shares.length; r++) {
                if (!topped[r] && (best < 0 || remainders[r] > remainders[best])) {
                    best = r;
                }
            }
            if (best < 0) { // every replica topped once: only possible through rounding of huge shares
                Arrays.fill(topped, false);
                continue;
            }
            topped[best] = true;
            sizes[best]++;
            given++;
        }
        return sizes;
    }
}

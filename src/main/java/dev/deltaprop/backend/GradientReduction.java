package dev.deltaprop.backend;

import java.util.Arrays;

/**
 * One step's host-side sum of the replicas' gradients, layer by layer, for
 * {@link DataParallelBackend}: replica {@code r} puts its sums of layer {@code l} into
 * {@code sums[r][at(l) ..]} and {@link #publish}es the layer; the caller's thread, in
 * {@link #reduce}, waits for layer {@code L}, then {@code L−1}, … to be published by every
 * replica and writes
 *
 * <pre>{@code total[k] = (float) (sums[0][k] + sums[1][k] + …)   (in double, replica order)}</pre>
 *
 * for that layer's {@code k}, then marks it summed, so that the replicas can take its step
 * ({@link #summed}, {@link #awaitSummed}) while they still compute earlier layers. The order of
 * every sum is fixed, so the result never depends on which replica finished first.
 *
 * <p>Buffers are made once per load; a step allocates nothing here. A replica that fails says
 * so in {@link #finish}: the others stop waiting (their step is then incomplete, as the failed
 * one's is) and {@link #reduce} throws the first failure by replica once all have finished.
 */
final class GradientReduction {
    private final int depth;
    /** {@code at[l]}: where layer {@code l}'s sums start in the flat gradient, {@code l = 1..L}; {@code at[L+1]} its length. */
    private final int[] at;
    /** {@code sums[r]}: replica {@code r}'s flat gradient sums of this step. */
    final float[][] sums;
    /** The summed flat gradient of this step. */
    final float[] total;
    private final Throwable[] failures;
    /** How many replicas have published layer {@code l} this step. */
    private final int[] published;
    /** Layers {@code l ≥ summedFrom} are summed; {@code L + 1} when none is. */
    private int summedFrom;
    private int finished;
    private boolean failed;

    /** @param widths {@code n_0 .. n_L} */
    GradientReduction(int replicas, int[] widths) {
        this.depth = widths.length - 1;
        this.at = new int[depth + 2];
        for (int l = 1; l <= depth; l++) {
            at[l + 1] = at[l] + (widths[l - 1] + 1) * widths[l];
        }
        this.sums = new float[replicas][at[depth + 1]];
        this.total = new float[at[depth + 1]];
        this.failures = new Throwable[replicas];
        this.published = new int[depth + 1];
        reset();
    }

    int depth() {
        return depth;
    }

    /** Where layer {@code l}'s sums start in the flat gradient. */
    int at(int l) {
        return at[l];
    }

    /** The length of the flat gradient. */
    int length() {
        return at[depth + 1];
    }

    /** Before a step: nothing published, summed or finished. */
    synchronized void reset() {
        Arrays.fill(published, 0);
        Arrays.fill(failures, null);
        summedFrom = depth + 1;
        finished = 0;
        failed = false;
    }

    /** A replica's sums of layer {@code l} are in place (its writes happen-before the sum that reads them). */
    synchronized void publish(int l) {
        published[l]++;
        notifyAll();
    }

    /** Whether layer {@code l}'s total is ready (without waiting). */
    synchronized boolean summed(int l) {
        return l >= summedFrom;
    }

    /**
     * Waits until layer {@code l}'s total is ready.
     *
     * @return {@code false} when a replica failed first (the caller stops its step)
     */
    synchronized boolean awaitSummed(int l) throws InterruptedException {
        while (l < summedFrom && !failed) {
            wait();
        }
        return !failed;
    }

    /** Replica {@code r} is done with this step, {@code failure} {@code null} when it succeeded. */
    synchronized void finish(int r, Throwable failure) {
        finished++;
        if (failure != null) {
            failures[r] = failure;
            failed = true;
        }
        notifyAll();
    }

    /** Whether every replica has published layer {@code l} (without waiting). */
    synchronized boolean published(int l) {
        return published[l] == sums.length;
    }

    /** Layer {@code l}'s total is ready, made elsewhere (on replica 0's device, {@link PeerExchange}); layers are marked from L down. */
    synchronized void markSummed(int l) {
        summedFrom = l;
        notifyAll();
    }

    /**
     * On the caller's thread: sums each layer from {@code L} down to 1 as soon as every replica
     * has published it (unless {@code onHost} is {@code false}: the replicas sum on their devices),
     * then waits until every replica has finished.
     *
     * @throws RuntimeException the first replica's failure (by replica), the others suppressed
     */
    void reduce(boolean onHost) {
        boolean interrupted = false;
        try {
            for (int l = onHost ? depth : 0; l >= 1; l--) {
                if (!awaitPublished(l)) {
                    break;
                }
                sumLayer(l);
                synchronized (this) {
                    summedFrom = l;
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
            synchronized (this) {
                failed = true; // the replicas stop waiting for sums that will not come
                notifyAll();
            }
        }
        interrupted |= awaitFinished();
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the replicas reduced their gradients; the step is incomplete");
        }
        rethrow();
    }

    /** Waits until every replica has published layer {@code l}; {@code false} when a replica failed first. */
    synchronized boolean awaitPublished(int l) throws InterruptedException {
        while (published[l] < sums.length && !failed) {
            wait();
        }
        return !failed;
    }

    private void sumLayer(int l) {
        for (int k = at[l]; k < at[l + 1]; k++) {
            double sum = 0;
            for (float[] part : sums) {
                sum += part[k];
            }
            total[k] = (float) sum;
        }
    }

    /** Waits, uninterruptibly (a replica still inside a device call must be let finish); whether an interrupt came meanwhile. */
    private synchronized boolean awaitFinished() {
        boolean interrupted = false;
        while (finished < sums.length) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    private synchronized void rethrow() {
        RuntimeException first = null;
        for (Throwable failure : failures) {
            if (failure == null) {
                continue;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            RuntimeException cause = failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
            if (first == null) {
                first = cause;
            } else {
                first.addSuppressed(cause);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

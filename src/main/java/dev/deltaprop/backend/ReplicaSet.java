package dev.deltaprop.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The replicas of a {@link DataParallelBackend}, their shares of each batch, and the thread each
 * replica is driven by: every call to replica {@code r}, from {@code load} to {@code close}, runs
 * on lane {@code r} ({@link #on}, {@link #all}, {@link #execute}), so that the replicas work at
 * once and a device's context stays with one thread. Nothing here knows what a step is.
 */
final class ReplicaSet {
    private final String name;
    private final List<GradientExchange> replicas;
    private final double[] shares;
    private final ExecutorService[] lanes;

    /**
     * @param name     the backend's name, for messages
     * @param replicas checked by {@link #exchanges}
     * @param shares   checked by {@link BatchSplit#check}
     */
    ReplicaSet(String name, List<GradientExchange> replicas, double[] shares) {
        this.name = name;
        this.replicas = List.copyOf(replicas);
        this.shares = shares;
        this.lanes = new ExecutorService[replicas.size()];
        for (int r = 0; r < lanes.length; r++) {
            int index = r;
            lanes[r] = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "deltaprop-replica-" + index);
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    /**
     * {@code replicas} as gradient exchanges, checked: at least one, each a {@link GradientExchange}
     * and each a distinct object.
     *
     * @throws IllegalArgumentException naming {@code replicas[r]} and the expected value
     */
    static List<GradientExchange> exchanges(List<? extends Backend> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("replicas: expected at least one backend, found none");
        }
        List<GradientExchange> exchanges = new ArrayList<>();
        for (int r = 0; r < replicas.size(); r++) {
            Backend replica = replicas.get(r);
            if (!(replica instanceof GradientExchange)) {
                throw new IllegalArgumentException("replicas[" + r + "]: expected a backend that exchanges gradients"
                        + " (cpu, opencl, cuda, opencl-lwjgl, cuda-lwjgl), found "
                        + (replica == null ? "null" : replica.name()));
            }
            for (int q = 0; q < r; q++) {
                if (replicas.get(q) == replica) {
                    throw new IllegalArgumentException("replicas[" + r + "]: expected a backend of its own, found the same"
                            + " object as replicas[" + q + "]");
                }
            }
            exchanges.add((GradientExchange) replica);
        }
        return exchanges;
    }

    /** Closes every backend of {@code backends} there is, adding what their closes throw to {@code cause}. */
    static void closeAll(List<? extends Backend> backends, RuntimeException cause) {
        if (backends == null) {
            return;
        }
        for (Backend backend : backends) {
            if (backend == null) {
                continue;
            }
            try {
                backend.close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    int size() {
        return replicas.size();
    }

    GradientExchange get(int r) {
        return replicas.get(r);
    }

    /** The replicas, in reduction order. */
    List<GradientExchange> all() {
        return replicas;
    }

    /** The shard sizes a batch of {@code batch ≥ 1} samples is cut into, replica by replica ({@link BatchSplit}). */
    int[] shardSizes(int batch) {
        return BatchSplit.sizes(batch, shares);
    }

    /** {@code 2 replicas, shares 1:1: [0] …; [1] …}: the replicas' devices are asked on the caller's thread. */
    String describe() {
        StringBuilder text = new StringBuilder();
        text.append(replicas.size()).append(replicas.size() == 1 ? " replica" : " replicas").append(", shares ");
        for (int r = 0; r < shares.length; r++) {
            text.append(r == 0 ? "" : ":").append(format(shares[r]));
        }
        for (int r = 0; r < replicas.size(); r++) {
            text.append(r == 0 ? ": " : "; ").append('[').append(r).append("] ").append(replicas.get(r).device());
        }
        return text.toString();
    }

    private static String format(double share) {
        return share == Math.rint(share) ? String.valueOf((long) share) : String.format(Locale.ROOT, "%.3g", share);
    }

    /** Starts {@code task} on lane {@code replica} and returns at once. */
    void execute(int replica, Runnable task) {
        lanes[replica].execute(task);
    }

    /** Runs {@code call} on lane {@code replica} and waits for its result; its failure is thrown here. */
    <T> T on(int replica, Callable<T> call) {
        try {
            return lanes[replica].submit(call).get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while replica " + replica + " worked", e);
        }
    }

    /** Runs {@code calls[r]} on lane {@code r}, all at once; their results in replica order. The first failure (by replica) is thrown once all have finished. */
    <T> List<T> all(List<? extends Callable<T>> calls) {
        List<Future<T>> futures = new ArrayList<>();
        for (int r = 0; r < calls.size(); r++) {
            futures.add(lanes[r].submit(calls.get(r)));
        }
        List<T> results = new ArrayList<>();
        RuntimeException failure = null;
        for (int r = 0; r < futures.size(); r++) {
            try {
                results.add(futures.get(r).get());
            } catch (ExecutionException e) {
                RuntimeException cause = unwrap(e);
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + ": interrupted while the replicas worked", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /**
     * Closes every replica, each on its own lane, then the lanes; every replica is closed even
     * when one fails, and the first failure is thrown after, the others suppressed.
     */
    void close() {
        RuntimeException failure = null;
        for (int r = 0; r < replicas.size(); r++) {
            GradientExchange replica = replicas.get(r);
            try {
                on(r, () -> {
                    replica.close();
                    return null;
                });
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new IllegalStateException(cause);
    }
}

package dev.deltaprop.spark;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.model.Network;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The backends of one executor JVM, lent to its tasks one at a time and kept between tasks and
 * rounds (opening a device backend takes longer than a round; a backend is not thread-safe, and an
 * executor runs several tasks at once, so each running task has its own). Also keeps the initial
 * network of each run's settings, the shape every round's parameters are poured into.
 */
final class ExecutorBackends {
    private static final Map<String, ConcurrentLinkedQueue<Backend>> IDLE = new ConcurrentHashMap<>();
    private static final Map<FitSettings, Network> SHAPES = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> IDLE.values().forEach(q -> q.forEach(Backend::close)),
                "deltaprop-spark-backends"));
    }

    private ExecutorBackends() {
    }

    /** A backend opened by {@code name}, idle until now or opened now ({@link TaskBackends}). */
    static Backend borrow(String name, int taskCpus) {
        Backend backend = IDLE.computeIfAbsent(key(name, taskCpus), k -> new ConcurrentLinkedQueue<>()).poll();
        return backend != null ? backend : TaskBackends.open(name, taskCpus);
    }

    /** Hands a backend back for the next task. */
    static void giveBack(String name, int taskCpus, Backend backend) {
        IDLE.computeIfAbsent(key(name, taskCpus), k -> new ConcurrentLinkedQueue<>()).add(backend);
    }

    /** The initial network of {@code settings} (kept: the same settings give the same one). */
    static Network shape(FitSettings settings) {
        if (SHAPES.size() > 64) {
            SHAPES.clear();
        }
        return SHAPES.computeIfAbsent(settings, FitSettings::network);
    }

    private static String key(String name, int taskCpus) {
        return name + "/" + taskCpus;
    }
}

package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * A training step's launches captured once as a CUDA graph and replayed, so that a step costs
 * the host one {@code cuGraphLaunch} instead of {@code 3L + 1} kernel launches (2 on the fused
 * path). A graph holds its kernels' arguments as they were at capture — the buffers' addresses,
 * the batch size, the optimizer's fixed numbers — so a step replays the graph only when its
 * key equals the one the graph was captured for, and launches directly otherwise. The engine's
 * key is the step's {@link LaunchPlan} itself ({@link StepPlans}: one per net, path, batch size
 * and loss record, compared by identity, allocating nothing). What changes from step to step,
 * {@code η} (a schedule) and Adam's bias corrections, is no argument: the kernels read it from
 * {@link StepScalars}, written before the step outside the graph, so it is in no plan and an
 * Adam step or a scheduled {@code η} replays. A key is captured
 * the second time it comes within two steps (the first step's allocations, which a capture
 * refuses, are then behind it; steps on host batches take two input slots in turn,
 * {@link InputBuffers}, so their plans come every other step); {@value #KEPT} graphs are kept,
 * the least recently used replaced when another key is captured. The driver
 * destroys a graph whose buffers are freed (a reload, a larger batch, a grown split-K buffer),
 * and then the key is captured again. While profiling, a step launches
 * directly: its marks between families cannot go into a graph.
 *
 * <p>{@code -D}{@value #PROPERTY}{@code =auto|true|false}: {@code auto} (the default) uses graphs
 * where the driver has them (the CUDA bindings); {@code true} requires them and refuses a driver
 * without; {@code false} never uses them. OpenCL keeps its queue.
 */
final class StepGraph implements AutoCloseable {
    /** The system property that chooses. */
    static final String PROPERTY = "deltaprop.graphs";

    /** Whether the engine captures and replays its steps. */
    enum Mode {
        /** Never. */
        OFF,
        /** Where the driver can ({@link Driver#capturesGraphs()}): the CUDA bindings. */
        AUTO,
        /** Always; a driver without graphs is refused. */
        ON
    }

    private final Driver driver;
    private Mode mode;
    /**
     * Graphs kept at once: a step on host batches takes two plans (one per input slot), a step
     * on a device data set a third; and room for one more, the other batch size's.
     */
    private static final int KEPT = 4;
    private final Driver.Graph[] graphs = new Driver.Graph[KEPT];
    private final Object[] graphKeys = new Object[KEPT];
    private final long[] graphUsed = new long[KEPT];
    private long clock;
    private Object lastKey;
    private Object keyBefore;
    private long captures;
    private long replays;

    /** @throws IllegalArgumentException for {@link Mode#ON} on a driver without graphs, naming {@value #PROPERTY} */
    StepGraph(Driver driver, Mode mode) {
        this.driver = Objects.requireNonNull(driver, "driver");
        mode(mode);
    }

    /**
     * The mode {@value #PROPERTY} asks for: {@code auto} (or unset), {@code true}, {@code false}.
     *
     * @throws IllegalArgumentException naming {@value #PROPERTY} and the values it takes
     */
    static Mode mode() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "auto", "" -> Mode.AUTO;
            case "true" -> Mode.ON;
            case "false" -> Mode.OFF;
            default -> throw new IllegalArgumentException(PROPERTY + ": expected auto, true or false, found '" + value + "'");
        };
    }

    /** Sets the mode (the tests choose), dropping any graph. */
    void mode(Mode mode) {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.ON && !driver.capturesGraphs()) {
            throw new IllegalArgumentException(PROPERTY + "=true: expected a driver with CUDA graphs (cuda, cuda-lwjgl), found "
                    + driver.binding());
        }
        invalidate();
        this.mode = mode;
    }

    /** Whether steps are captured and replayed on this driver. */
    boolean on() {
        return mode == Mode.ON || (mode == Mode.AUTO && driver.capturesGraphs());
    }

    /**
     * Runs one step's launches for {@code key}: replays the graph captured for it, or captures
     * them (the key came twice in a row) and replays that, or launches them directly. Apart
     * from a capture, this allocates nothing.
     *
     * @param key       what the launches hold besides the data in their buffers, compared by
     *                  {@code equals} (the engine's {@link LaunchPlan}: by identity)
     * @param launches  the step's launches, returning how many kernels they launched
     * @param profiling whether the step places timing marks (then it launches directly)
     * @return the kernel launches the step ran (a graph's as captured)
     */
    int run(Object key, IntSupplier launches, boolean profiling) {
        if (!on() || profiling) {
            lastKey = null;
            keyBefore = null;
            return launches.getAsInt();
        }
        int g = kept(key);
        if (g < 0 && (key.equals(lastKey) || key.equals(keyBefore))) {
            g = leastRecentlyUsed();
            destroy(g);
            graphs[g] = driver.capture(launches::getAsInt);
            graphKeys[g] = key;
            captures++;
        }
        keyBefore = lastKey;
        lastKey = key;
        if (g < 0) {
            return launches.getAsInt();
        }
        driver.launch(graphs[g]);
        graphUsed[g] = ++clock;
        replays++;
        return graphs[g].launches();
    }

    /** The index of the live graph captured for {@code key}, or -1. */
    private int kept(Object key) {
        for (int g = 0; g < KEPT; g++) {
            if (graphs[g] != null && graphs[g].live() && key.equals(graphKeys[g])) {
                return g;
            }
        }
        return -1;
    }

    /** The place of a missing or dead graph, else of the least recently used one. */
    private int leastRecentlyUsed() {
        int oldest = 0;
        for (int g = 0; g < KEPT; g++) {
            if (graphs[g] == null || !graphs[g].live()) {
                return g;
            }
            if (graphUsed[g] < graphUsed[oldest]) {
                oldest = g;
            }
        }
        return oldest;
    }

    private void destroy(int g) {
        if (graphs[g] != null && graphs[g].live()) {
            driver.destroy(graphs[g]);
        }
        graphs[g] = null;
        graphKeys[g] = null;
    }

    /** Destroys the graphs (a load, a mode change, close); the next repeated key captures again. */
    void invalidate() {
        for (int g = 0; g < KEPT; g++) {
            destroy(g);
        }
        lastKey = null;
        keyBefore = null;
    }

    /** Graphs captured so far. */
    long captures() {
        return captures;
    }

    /** Steps run from a graph so far (the capturing step's included: it runs from the graph it made). */
    long replays() {
        return replays;
    }

    /** What {@code device()} says of graphs. */
    String description() {
        if (on()) {
            return "CUDA graphs: a repeated step is replayed (" + PROPERTY + "=" + (mode == Mode.ON ? "true" : "auto") + ")";
        }
        return "no graphs (" + PROPERTY + "=" + (mode == Mode.OFF ? "false" : "auto: CUDA drivers only") + ")";
    }

    /** Destroys the graphs; the driver may already be closed (it destroyed them then). */
    @Override
    public void close() {
        for (int g = 0; g < KEPT; g++) {
            destroy(g);
        }
    }
}

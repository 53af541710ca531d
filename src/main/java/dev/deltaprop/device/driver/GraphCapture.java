package dev.deltaprop.device.driver;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@link NativeDriver}'s graphs: the live ones with the buffers each uses (freeing one destroys
 * them), and the capture under way, if any, with the buffers its launches use. The driver checks
 * that it is open and outside a capture before it calls in here.
 */
final class GraphCapture {
    private final NativeDriver<?, ?, ?, ?> driver;
    private final Set<Handles.Graph> graphs = Collections.newSetFromMap(new IdentityHashMap<>());
    /** The buffers the launches of the capture under way use, or {@code null} when none is. */
    private Set<Driver.Memory> capturing;
    private int capturedLaunches;

    GraphCapture(NativeDriver<?, ?, ?, ?> driver) {
        this.driver = driver;
    }

    /** Whether launches are being captured. */
    boolean capturing() {
        return capturing != null;
    }

    /** A launch of these {@code arguments} went into the capture under way (where one is). */
    void launched(Object[] arguments) {
        if (capturing != null) {
            for (Object argument : arguments) {
                if (argument instanceof Driver.Memory memory) {
                    capturing.add(memory);
                }
            }
            capturedLaunches++;
        }
    }

    /** Destroys every graph whose launches use {@code buffer}, which is being freed. */
    void freed(Driver.Memory buffer) {
        for (Handles.Graph graph : List.copyOf(graphs)) {
            if (graph.uses.contains(buffer)) {
                destroy(graph);
            }
        }
    }

    /** See {@link NativeDriver#capture}. */
    Driver.Graph capture(Runnable launches) {
        Objects.requireNonNull(launches, "launches: expected the launches to capture, found null");
        if (!driver.graphsNative()) {
            throw new UnsupportedOperationException(driver.binding() + ": no graphs (CUDA graphs are for cuda and cuda-lwjgl)");
        }
        driver.beginCaptureNative();
        Set<Driver.Memory> uses = Collections.newSetFromMap(new IdentityHashMap<>());
        capturing = uses;
        capturedLaunches = 0;
        try {
            launches.run();
        } catch (RuntimeException | Error e) {
            capturing = null;
            try {
                driver.abortCaptureNative();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        capturing = null;
        Handles.Graph graph = new Handles.Graph(driver, driver.endCaptureNative(), uses, capturedLaunches);
        graphs.add(graph);
        return graph;
    }

    void launch(Driver.Graph graph) {
        Handles.Graph ours = ours(graph);
        if (ours.destroyed) {
            throw new IllegalArgumentException("graph: expected a live graph of this driver, found " + ours
                    + " (destroyed, or a buffer it uses was freed)");
        }
        driver.launchGraphNative(ours.handle);
    }

    void destroy(Driver.Graph graph) {
        Handles.Graph ours = ours(graph);
        if (!ours.destroyed) {
            destroy(ours);
        }
    }

    int live() {
        return graphs.size();
    }

    /** The first step of close: abandons a capture under way. */
    void abort(Releases releases) {
        if (capturing != null) {
            capturing = null;
            releases.attempt(driver::abortCaptureNative);
        }
    }

    /** Destroys every graph, each through {@code releases}. */
    void close(Releases releases) {
        for (Handles.Graph graph : graphs) {
            graph.destroyed = true;
            releases.attempt(() -> driver.releaseGraph(graph.handle));
        }
        graphs.clear();
    }

    private void destroy(Handles.Graph graph) {
        graphs.remove(graph);
        graph.destroyed = true;
        driver.releaseGraph(graph.handle);
    }

    private Handles.Graph ours(Driver.Graph graph) {
        if (!(graph instanceof Handles.Graph ours) || ours.owner != driver) {
            throw new IllegalArgumentException("graph: expected a graph of this driver, found " + graph);
        }
        return ours;
    }
}

package dev.deltaprop.device.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.EngineProgram;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The graph part of the {@link DriverContract}, on the engine's {@code gather_rows}: a driver
 * without graphs says so; one with them records launches without running them, replays them
 * with their arguments as captured on the data as it is at the replay, bit for bit what the
 * same launches give, refuses every other call inside a capture, abandons a capture whose
 * launches throw, and destroys a graph when a buffer it uses is freed or the driver closes.
 */
final class DriverGraphs {
    private DriverGraphs() {
    }

    static void check(Driver driver, long seed) {
        if (!driver.capturesGraphs()) {
            UnsupportedOperationException none = assertThrows(UnsupportedOperationException.class,
                    () -> driver.capture(() -> { }));
            assertTrue(none.getMessage().startsWith(driver.binding() + ": no graphs"), none.getMessage());
            return;
        }
        EngineProgram engine = EngineProgram.build(driver);
        Driver.Kernel gather = driver.kernel(engine.program(), "gather_rows");
        int samples = 33;
        int width = 7;
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[samples * width];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextDouble(-1, 1);
        }
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = (i * 5 + 3) % samples;
        }
        Driver.Memory dataMemory = driver.allocate(data.length);
        driver.write(dataMemory, 0, data, 0, data.length);
        Driver.Memory orderMemory = driver.allocate(samples);
        driver.write(orderMemory, 0, order, 0, samples);
        Driver.Memory captured = poisoned(driver, samples * width);
        Driver.Memory launched = poisoned(driver, samples * width);
        int[] groups = {(samples * width + engine.reduce() - 1) / engine.reduce()};
        int[] groupSize = {engine.reduce()};

        // the offset and batch are baked in at capture: changing them afterwards must not reach the graph
        int[] offset = {2};
        Driver.Graph graph = driver.capture(() -> {
            driver.launch(gather, groups, groupSize, dataMemory, orderMemory, captured, offset[0], samples - 2, width);
            driver.launch(gather, groups, groupSize, dataMemory, orderMemory, captured, offset[0] + 1, 1, width);
        });
        offset[0] = 0;
        assertTrue(graph.live(), graph.toString());
        assertEquals(2, graph.launches());
        float[] before = read(driver, captured, samples * width);
        assertTrue(Float.isNaN(before[0]) && Float.isNaN(before[before.length - 1]), "a capture runs nothing");

        // new data after the capture: the replay reads the buffers as they are now
        for (int i = 0; i < data.length; i++) {
            data[i] = -data[i] * 0.5f;
        }
        driver.write(dataMemory, 0, data, 0, data.length);
        driver.launch(graph);
        driver.launch(graph);
        driver.launch(gather, groups, groupSize, dataMemory, orderMemory, launched, 2, samples - 2, width);
        driver.launch(gather, groups, groupSize, dataMemory, orderMemory, launched, 3, 1, width);
        float[] replayed = read(driver, captured, samples * width);
        assertArrayEquals(read(driver, launched, samples * width), replayed, "a replay equals the launches, bit for bit");
        assertEquals(data[order[3] * width], replayed[0], "the second launch (offset 3, one row) ran after the first");

        String during = driver.binding() + ": %s is not allowed while launches are captured into a graph (only kernel launches are)";
        List<Map.Entry<String, Runnable>> refused = List.of(
                Map.entry("allocate", () -> driver.allocate(1)),
                Map.entry("write", () -> driver.write(captured, 0, new float[1], 0, 1)),
                Map.entry("read", () -> driver.read(captured, 0, new float[1], 0, 1)),
                Map.entry("finish", driver::finish),
                Map.entry("mark", () -> driver.mark()),
                Map.entry("free", () -> driver.free(launched)),
                Map.entry("launch(graph)", () -> driver.launch(graph)),
                Map.entry("capture", () -> driver.capture(() -> { })));
        for (Map.Entry<String, Runnable> call : refused) {
            IllegalStateException inside = assertThrows(IllegalStateException.class,
                    () -> driver.capture(() -> {
                        driver.launch(gather, groups, groupSize, dataMemory, orderMemory, launched, 0, 1, width);
                        call.getValue().run();
                    }));
            assertEquals(String.format(during, call.getKey()), inside.getMessage());
        }
        assertTrue(graph.live(), "abandoned captures leave the graph alone");
        driver.launch(graph);

        Driver.Graph other = driver.capture(() ->
                driver.launch(gather, groups, groupSize, dataMemory, orderMemory, launched, 0, 1, width));
        driver.destroy(other);
        assertFalse(other.live());
        driver.destroy(other); // destroyed already: nothing more
        IllegalArgumentException dead = assertThrows(IllegalArgumentException.class, () -> driver.launch(other));
        assertTrue(dead.getMessage().startsWith("graph: expected a live graph of this driver"), dead.getMessage());

        Driver.Graph kept = driver.capture(() ->
                driver.launch(gather, groups, groupSize, dataMemory, orderMemory, launched, 0, 1, width));
        driver.free(captured); // the first graph writes it: it is destroyed with it
        assertFalse(graph.live(), "a graph whose buffer was freed is destroyed");
        assertTrue(kept.live(), "a graph that does not use the freed buffer stays");
        assertThrows(IllegalArgumentException.class, () -> driver.launch(graph));
        driver.launch(kept);
        driver.finish();
        if (driver instanceof NativeDriver<?, ?, ?, ?> ours) {
            assertEquals(1, ours.liveGraphs(), "one graph left for close to destroy");
        }
        driver.close();
        assertFalse(kept.live(), "close destroys every graph");
    }

    private static Driver.Memory poisoned(Driver driver, int count) {
        Driver.Memory memory = driver.allocate(count);
        float[] nan = new float[count];
        Arrays.fill(nan, Float.NaN);
        driver.write(memory, 0, nan, 0, count);
        return memory;
    }

    private static float[] read(Driver driver, Driver.Memory memory, int count) {
        float[] values = new float[count];
        driver.read(memory, 0, values, 0, count);
        return values;
    }
}

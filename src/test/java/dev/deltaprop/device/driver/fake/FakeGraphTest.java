package dev.deltaprop.device.driver.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.ProgramSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The order of a binding's graph calls as {@code NativeDriver} makes them, on {@link FakeDriver}:
 * begin, the launches recorded, end; a replay per launch; a capture whose launches throw is
 * abandoned; freeing a buffer a graph uses destroys the graph first; close destroys what is left.
 */
class FakeGraphTest {
    @Test
    void graphCallsComeInOrder() {
        FakeDriver driver = FakeDriver.open();
        Driver.Kernel scale = driver.kernel(driver.build(new ProgramSource("scale", "", null), Map.of()), "scale");
        Driver.Memory v = driver.allocate(3);
        Driver.Memory w = driver.allocate(3);
        driver.write(v, 0, new float[] {1, 2, 3}, 0, 3);
        Driver.Graph graph = driver.capture(() -> {
            driver.launch(scale, new int[] {1}, new int[] {3}, v, 2.0f, 3);
            driver.launch(scale, new int[] {1}, new int[] {3}, v, 3.0f, 3);
        });
        driver.launch(graph);
        driver.launch(graph);
        float[] back = new float[3];
        driver.read(v, 0, back, 0, 3);
        assertEquals(List.of(36f, 72f, 108f), List.of(back[0], back[1], back[2]), "two replays of ×2 then ×3");
        assertThrows(ArithmeticException.class, () -> driver.capture(() -> {
            driver.launch(scale, new int[] {1}, new int[] {3}, w, 2.0f, 3);
            throw new ArithmeticException("a launch failed");
        }));
        Driver.Graph kept = driver.capture(() -> driver.launch(scale, new int[] {1}, new int[] {3}, w, 2.0f, 3));
        driver.free(v);
        driver.close();
        assertEquals(List.of("beginCapture", "launch scale (captured)", "launch scale (captured)", "endCapture",
                "launchGraph", "launchGraph",
                "beginCapture", "launch scale (captured)", "abortCapture",
                "beginCapture", "launch scale (captured)", "endCapture",
                "releaseGraph", // free(v) destroys the first graph
                "releaseGraph"), // close destroys the second
                driver.calls);
        assertEquals(false, kept.live());
    }
}

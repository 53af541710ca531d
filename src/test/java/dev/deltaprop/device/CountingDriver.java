package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.ProgramSource;
import java.nio.FloatBuffer;
import java.util.Map;

/** A driver that counts the device work asked of it, so that a test can see that none happened. */
final class CountingDriver implements Driver {
    private final Driver driver;
    int launches;
    int writes;
    int allocations;
    int graphLaunches;

    CountingDriver(Driver driver) {
        this.driver = driver;
    }

    /** Launches plus writes so far. */
    int work() {
        return launches + writes;
    }

    @Override public String binding() { return driver.binding(); }
    @Override public String deviceName() { return driver.deviceName(); }
    @Override public String deviceVersion() { return driver.deviceVersion(); }
    @Override public DeviceType deviceType() { return driver.deviceType(); }
    @Override public Language language() { return driver.language(); }
    @Override public long globalMemoryBytes() { return driver.globalMemoryBytes(); }
    @Override public int maxGroupSize() { return driver.maxGroupSize(); }
    @Override public int computeUnits() { return driver.computeUnits(); }
    @Override
    public Memory allocate(long elements) {
        allocations++;
        return driver.allocate(elements);
    }

    @Override public void free(Memory memory) { driver.free(memory); }

    @Override
    public void write(Memory target, long targetOffset, float[] source, int sourceOffset, int count) {
        writes++;
        driver.write(target, targetOffset, source, sourceOffset, count);
    }

    @Override
    public void write(Memory target, long targetOffset, FloatBuffer source, int count) {
        writes++;
        driver.write(target, targetOffset, source, count);
    }

    @Override
    public void write(Memory target, long targetOffset, int[] source, int sourceOffset, int count) {
        writes++;
        driver.write(target, targetOffset, source, sourceOffset, count);
    }

    @Override
    public void read(Memory source, long sourceOffset, float[] target, int targetOffset, int count) {
        driver.read(source, sourceOffset, target, targetOffset, count);
    }

    @Override public Program build(ProgramSource source, Map<String, String> defines) { return driver.build(source, defines); }
    @Override public Kernel kernel(Program program, String name) { return driver.kernel(program, name); }

    @Override
    public void launch(Kernel kernel, int[] groups, int[] groupSize, Object... arguments) {
        launches++;
        driver.launch(kernel, groups, groupSize, arguments);
    }

    @Override public boolean capturesGraphs() { return driver.capturesGraphs(); }
    @Override public Graph capture(Runnable launches) { return driver.capture(launches); }

    /** A graph's launches count as launches each time it runs (the kernels run as if launched). */
    @Override
    public void launch(Graph graph) {
        launches += graph.launches();
        graphLaunches++;
        driver.launch(graph);
    }

    @Override public void destroy(Graph graph) { driver.destroy(graph); }
    @Override public void finish() { driver.finish(); }
    @Override public TimingMark mark() { return driver.mark(); }
    @Override public long elapsedNanos(TimingMark start, TimingMark end) { return driver.elapsedNanos(start, end); }
    @Override public void close() { driver.close(); }
}

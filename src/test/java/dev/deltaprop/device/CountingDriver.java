package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.ProgramSource;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A driver that counts the device work asked of it, so that a test can see that none happened.
 * With {@link #emulatePeers}, two of them on devices without peer access (OpenCL, PoCL) act as
 * peers: {@link #copyFromPeer} reads the peer's buffer to the host and writes it here, so the
 * engine's peer reduction (its copies, its kernel, its order) runs on real kernels; only the
 * physical copy is not CUDA's.
 */
final class CountingDriver implements Driver {
    private final Driver driver;
    int launches;
    int writes;
    int allocations;
    int reads;
    boolean emulatePeers;
    int peerCopies;
    private float[] bounce = new float[0];
    /** Reads and finishes: the calls that make the host wait for the device. */
    int waits;
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
        reads++;
        waits++;
        driver.read(source, sourceOffset, target, targetOffset, count);
    }

    @Override public Program build(ProgramSource source, Map<String, String> defines) { return driver.build(source, defines); }
    @Override public Kernel kernel(Program program, String name) { return driver.kernel(program, name); }

    @Override
    public void launch(Kernel kernel, int[] groups, int[] groupSize, Object... arguments) {
        launches++;
        driver.launch(kernel, groups, groupSize, arguments);
    }

    @Override
    public boolean enablePeerAccess(Driver peer) {
        if (emulatePeers) {
            return peer instanceof CountingDriver other && other != this && other.emulatePeers;
        }
        return driver.enablePeerAccess(peer instanceof CountingDriver other ? other.driver : peer);
    }

    /** Emulated: the peer's queue is waited for by its blocking read, which is what CUDA's ordering rule asks of the caller anyway. */
    @Override
    public void copyFromPeer(Memory target, long targetOffset, Driver peer, Memory source, long sourceOffset, int count) {
        CountingDriver other = (CountingDriver) peer;
        if (!emulatePeers) {
            driver.copyFromPeer(target, targetOffset, other.driver, source, sourceOffset, count);
            return;
        }
        peerCopies++;
        if (bounce.length < count) {
            bounce = new float[count];
        }
        other.driver.read(source, sourceOffset, bounce, 0, count);
        driver.write(target, targetOffset, bounce, 0, count);
    }

    @Override public boolean overlapsUploads() { return driver.overlapsUploads(); }
    @Override public Fence fence() { return driver.fence(); }
    @Override public void signal(Fence fence) { driver.signal(fence); }
    @Override public void await(Fence fence) { driver.await(fence); }

    /** An upload counts as a write: one copy from the host. */
    @Override
    public void upload(Memory target, long targetOffset, float[] source, int sourceOffset, int count, Fence after, Fence done) {
        writes++;
        driver.upload(target, targetOffset, source, sourceOffset, count, after, done);
    }

    @Override
    public void upload(Memory target, long targetOffset, FloatBuffer source, int count, Fence after, Fence done) {
        writes++;
        driver.upload(target, targetOffset, source, count, after, done);
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
    @Override
    public void finish() {
        waits++;
        driver.finish();
    }
    @Override public TimingMark mark() { return driver.mark(); }
    @Override public long elapsedNanos(TimingMark start, TimingMark end) { return driver.elapsedNanos(start, end); }
    @Override public void close() { driver.close(); }
}
